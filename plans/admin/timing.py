"""Offsets and durations in the admin written the way the plan format writes them (``T-7d``, ``2h``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from ..offsets import OffsetError, format_duration, format_offset, parse_duration, parse_offset
from ..validators import check_duration, check_offset


class _TimingField(forms.Field):
    """A duration written the way the plan format writes it: ``T-7d`` for an offset, ``2h30m`` for a length."""

    widget = forms.TextInput(attrs={"size": 10})

    def __init__(self, *, offset: bool, **kwargs: Any) -> None:
        self.offset = offset
        example = "e.g. T-7d, T-2h30m, T+0" if offset else "e.g. 30m, 2h, 1d"
        kwargs["help_text"] = f"{kwargs['help_text']} ({example})" if kwargs.get("help_text") else example
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, timedelta):
            return format_offset(value) if self.offset else format_duration(value)
        return value

    def to_python(self, value: Any) -> timedelta | None:
        if value in (None, ""):
            return None
        try:
            delta = (parse_offset if self.offset else parse_duration)(str(value)[:40])
            return check_offset(delta) if self.offset else check_duration(delta)
        except OffsetError as exc:
            raise forms.ValidationError(str(exc)) from None


OFFSET_FIELDS = {"offset", "start_offset", "end_offset", "due_offset", "deadline", "window_end"}


class TimingFieldsMixin:
    """Offsets and durations appear as ``T-7d`` / ``2h`` instead of Django's ``-7 00:00:00``; long text
    fields get small boxes so tabular inlines stay readable. An admin names its other offset fields in
    ``offset_fields`` (a shift's ``start`` and ``end``)."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.DurationField):
            return _TimingField(
                offset=db_field.name in OFFSET_FIELDS | set(getattr(self, "offset_fields", ())),
                required=not db_field.blank,
                initial=db_field.get_default() if db_field.has_default() else None,
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text or None,
            )
        if isinstance(db_field, models.TextField) and isinstance(self, admin.options.InlineModelAdmin):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

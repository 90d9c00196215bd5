"""What the checklist services share: the stale-write refusal and the cleaning of typed text."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from plans.validators import clean_text


class StaleWrite(ValidationError):
    """The page that sent the write showed an older state of the row than the database holds."""


#: Notes, reasons and comments typed on the role and gate pages (the forms' maxlength too).
TEXT_MAX = 2000


def _text(value: str, field: str) -> str:
    return clean_text(value, max_length=TEXT_MAX, multiline=True, field=field)

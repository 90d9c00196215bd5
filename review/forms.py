from __future__ import annotations

from typing import Any

from django import forms

from plans.models import Plan
from roles.models import Role

from .models import LessonKind


class LessonForm(forms.Form):
    kind = forms.ChoiceField(choices=LessonKind.choices, initial=LessonKind.IMPROVE)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Lesson")


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner_role = forms.ModelChoiceField(queryset=Role.objects.none(), label="Owner (role)")
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Due")

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].queryset = Role.objects.filter(plan=plan).order_by("order", "pk")  # type: ignore[attr-defined]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class HandoffForm(forms.Form):
    """The coordinator's proposal: one system, runbook or contact a line."""

    to_role = forms.ModelChoiceField(queryset=Role.objects.none(), label="Hand over to (role)")
    systems = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=6000)
    runbooks = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=6000)
    contacts = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=6000)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_role"].queryset = Role.objects.filter(plan=plan).order_by("order", "pk")  # type: ignore[attr-defined]

    def lists(self) -> dict[str, list[str]]:
        return {k: _lines(self.cleaned_data.get(k, "")) for k in ("systems", "runbooks", "contacts")}


class ReopenForm(forms.Form):
    """The coordinator reopens a closed launch: why, and a tick that confirms it (no script needed)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why reopen")
    confirm = forms.BooleanField(
        label="Yes: revert the handoff and make the launch day writable again",
        error_messages={"required": "tick the box to confirm"},
    )

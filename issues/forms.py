from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from plans.models import Risk, RollbackTrigger, Step
from plans.runbook.models import TriggerKind
from plans.slips import planned_label
from roles.models import Role

from .models import IssueCategory, Severity

if TYPE_CHECKING:
    from typing import Any

    from plans.models import Plan


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    owner_role = forms.ModelChoiceField(queryset=Role.objects.none(), required=False, empty_label="(coordinator)")
    category = forms.ModelChoiceField(queryset=IssueCategory.objects.none(), required=False, empty_label="(none)")
    step = forms.ModelChoiceField(
        queryset=Step.objects.none(), required=False, empty_label="(none)", label="Affected step"
    )
    risk = forms.ModelChoiceField(
        queryset=Risk.objects.none(), required=False, empty_label="(none)", label="Risk realised"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        categories_of: list[IssueCategory] | None = None,
        roles_of: list[Role] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_role"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Role.objects.filter(plan=plan).order_by("order", "name")
        if roles_of is not None:  # the page read them already: no second query to render the select
            owner.choices = [("", "(coordinator)")] + [(r.pk, r.name) for r in roles_of]
        owner.label = "Role"
        for name, queryset in (
            ("step", Step.objects.filter(plan=plan).order_by("offset", "order", "id")),
            ("risk", Risk.objects.filter(plan=plan).order_by("order", "id")),
        ):
            choice = self.fields.get(name)
            if isinstance(choice, forms.ModelChoiceField):
                choice.queryset = queryset
        step = self.fields.get("step")
        if isinstance(step, forms.ModelChoiceField):
            # "T-7d Infrastructure preparation": the offset as planned, as every page reads it (plans.slips)
            step.label_from_instance = lambda obj: f"{planned_label(plan, obj.offset)} {obj.name}"  # type: ignore[method-assign]
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        categories = IssueCategory.objects.filter(plan=plan).order_by("order", "id")
        category.queryset = categories
        if categories_of is not None:
            category.choices = [("", "(none)")] + [(c.pk, c.name) for c in categories_of]
        if categories_of is not None and not categories_of:
            del self.fields["category"]  # the plan declares none: no empty select


class QuickIssueForm(IssueForm):
    """The "raise issue" dialog on every plan page: a few seconds, so only what the war room needs now."""

    field_order = ["title", "severity", "category", "step", "owner_role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["risk"], self.fields["description"]
        self.fields["title"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})


class TriageForm(IssueForm):
    """Correcting an issue after the raise (issues.services.triage): every field is sent, as the page shows it."""

    field_order = ["severity", "owner_role", "category", "step", "risk"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["title"], self.fields["description"]


def _text(required: bool = True, rows: int = 0, label: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(max_length=2000, required=required, widget=widget, label=label or None)


class ResolveForm(forms.Form):
    resolution = _text()
    root_cause = _text(required=False, label="Root cause (if known)")


class MitigateForm(forms.Form):
    note = _text(required=False, label="What is being done")


class CloseForm(forms.Form):
    root_cause = _text(required=False, rows=2, label="Root cause")
    resolution = _text(required=False, rows=2, label="Resolution")


class ReopenForm(forms.Form):
    reason = _text(label="Why it is back")


class CommentForm(forms.Form):
    body = _text(rows=2, label="Comment")


class RollbackForm(forms.Form):
    trigger = forms.ModelChoiceField(
        queryset=RollbackTrigger.objects.none(), required=False, empty_label="(the only one)"
    )
    reason = _text(required=False, label="Why")

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trigger = self.fields["trigger"]
        assert isinstance(trigger, forms.ModelChoiceField)
        trigger.queryset = RollbackTrigger.objects.filter(plan=plan, kind=TriggerKind.DISCRETIONARY)

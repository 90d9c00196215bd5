from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

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
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, plan: Plan, categories_of: list[IssueCategory] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_role"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Role.objects.filter(plan=plan).order_by("order", "name")
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        categories = IssueCategory.objects.filter(plan=plan).order_by("order", "id")
        category.queryset = categories
        if categories_of is not None:
            category.choices = [("", "(none)")] + [(c.pk, c.name) for c in categories_of]
        if categories_of is not None and not categories_of:
            del self.fields["category"]  # the plan declares none: no empty select


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=2000)

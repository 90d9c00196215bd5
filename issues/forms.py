from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from roles.models import Role

from .models import Severity

if TYPE_CHECKING:
    from typing import Any

    from plans.models import Plan


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    owner_role = forms.ModelChoiceField(queryset=Role.objects.none(), required=False, empty_label="(coordinator)")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_role"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Role.objects.filter(plan=plan).order_by("order", "name")


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=2000)

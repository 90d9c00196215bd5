"""Small forms for the role and gate pages; the services do the real validation."""

from __future__ import annotations

from django import forms

from .models import ItemStatus


class ItemSetForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices)
    version = forms.IntegerField(required=False, min_value=0)
    note = forms.CharField(required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class VoteForm(forms.Form):
    role = forms.IntegerField()
    vote = forms.ChoiceField(choices=[("go", "GO"), ("no_go", "NO-GO")])
    comment = forms.CharField(required=False, max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("go", "GO"), ("no_go", "NO-GO")])
    reason = forms.CharField(required=False, max_length=2000)

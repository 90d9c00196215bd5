from __future__ import annotations

from django import forms


class StatusPostForm(forms.Form):
    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DeliveryActionForm(forms.Form):
    """Names a delivery: a row id, or the key of one not due yet."""

    delivery = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    key = forms.CharField(required=False, max_length=400)

from __future__ import annotations

from django import forms

from .models import MAX_OCCURRENCES, Message


class StatusPostForm(forms.Form):
    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DeliveryActionForm(forms.Form):
    """Names a delivery: a row id, or the key of one not due yet."""

    delivery = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    key = forms.CharField(required=False, max_length=400)


TEMPLATE_HELP = (
    "A template rendered in a sandbox from plain values: {{ plan.name }}, {{ t0 }}, {{ countdown }}, {{ report }}… "
    "Variables and filters: docs/plan-format.md (Message templates)."
)


class MessageAdminForm(forms.ModelForm):
    """The admin's message form: the model's clean() refuses broken templates (with the line) and counts over
    the cap."""

    class Meta:
        model = Message
        fields = [
            "plan", "order", "name", "kind", "audience", "channels", "offset", "every", "count", "subject", "body",
            "requires_approval", "enabled",
        ]  # fmt: skip
        help_texts = {
            "subject": TEMPLATE_HELP,
            "body": TEMPLATE_HELP + " Empty for a status update: the live report.",
            "count": f"How many sends (at most {MAX_OCCURRENCES:,}); needs an interval.",
            "every": "The interval between sends (at least 1m); empty for a one-off.",
        }


class HandPostForm(forms.Form):
    """Which send to a named-only channel was posted by hand (the fields of its task's "Mark posted")."""

    message = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    due = forms.DateTimeField()
    recipient = forms.CharField(max_length=120)
    back = forms.CharField(max_length=100, required=False)
    undo = forms.BooleanField(required=False)  # "Undo": it was marked by mistake

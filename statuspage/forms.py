from __future__ import annotations

from django import forms

from .states import ComponentStatus, Impact, IncidentStatus

STAGES = [(s.value, s.label) for s in IncidentStatus if s != IncidentStatus.POSTMORTEM]


class ComponentForm(forms.Form):
    status = forms.ChoiceField(choices=ComponentStatus.choices)


class IncidentForm(forms.Form):
    name = forms.CharField(max_length=200)
    status = forms.ChoiceField(choices=STAGES, initial=IncidentStatus.INVESTIGATING)
    impact = forms.ChoiceField(choices=Impact.choices, initial=Impact.MINOR)
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))


class UpdateForm(forms.Form):
    status = forms.ChoiceField(choices=STAGES)
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))


def component_states(data: object, ids: list[int]) -> dict[int, str]:
    """The component states a form sets alongside an incident (``component-<id>`` fields; blank: unchanged)."""
    found = {}
    for pk in ids:
        value = data.get(f"component-{pk}", "") if hasattr(data, "get") else ""
        if value in ComponentStatus.values:
            found[pk] = value
    return found

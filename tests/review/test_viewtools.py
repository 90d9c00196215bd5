"""The review views' shared form helper: a refused form in one line, each error after its field's label, and a
form-wide error (which names no field) as it is, where the views used to look its label up and fail."""

from __future__ import annotations

from django import forms

from review.viewtools import refused


class _Form(forms.Form):
    reason = forms.CharField(label="Why reopen", max_length=5)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Not while a handoff is proposed.")


def test_a_refused_form_in_one_line_with_labels_and_the_form_wide_error() -> None:
    form = _Form({"reason": "far too long"})
    assert not form.is_valid()
    text = refused(form)
    assert text.startswith("Why reopen: Ensure this value has at most 5 characters")
    assert text.endswith("Not while a handoff is proposed.")

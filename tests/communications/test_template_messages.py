"""A template that fails when composed says why in a sentence (the preview and a failed delivery show it),
not Jinja's "'dict object' has no attribute 'nope'" or "'jinja2.runtime.StrictUndefined object' has no
attribute 'name'"."""

from __future__ import annotations

from typing import Any

import pytest

from communications.templating import MessageTemplateError, Placeholders, render_message


@pytest.mark.parametrize(
    ("text", "context", "says"),
    [
        ("{{ placeholders.nope }}", {"placeholders": Placeholders(bridge="x")}, "the plan has no placeholder 'nope'"),
        ("{{ placeholders['no-pe'] }}", {"placeholders": Placeholders()}, "the plan has no placeholder 'no-pe'"),
        ("{{ phases[0].name }}", {"phases": []}, "there is no item 0 in a list of 0"),
        ("{{ plan.nmae }}", {"plan": {"name": "x", "slug": "y"}}, "there is no 'nmae' here (the keys are name, slug)"),
        ("{{ ''.__class__ }}", {}, "'__class__' cannot be read from text"),
        ("{{ {'a': 1}.items() }}", {}, "only range() and loop.cycle() can be called in a message template"),
    ],
)
def test_a_template_that_cannot_be_composed_says_why(text: str, context: dict[str, Any], says: str) -> None:
    with pytest.raises(MessageTemplateError) as exc:
        render_message(text, context)
    assert str(exc.value) == f"line 1: {says}"
    assert "jinja2" not in str(exc.value) and "dict object" not in str(exc.value)

"""launchcontrol.http.error_text: the one way views turn a service's ValidationError into a message."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from launchcontrol.http import error_text


def test_error_text_joins_every_message_in_order() -> None:
    assert (
        error_text(ValidationError(["T-0 must be in the future.", "Say why."])) == "T-0 must be in the future. Say why."
    )
    assert error_text(ValidationError({"reason": ["Say why."]})) == "Say why."

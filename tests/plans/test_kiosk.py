from __future__ import annotations

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from plans.kiosk import SALT, kiosk_create, kiosk_link_for, kiosk_revoke, kiosk_token
from tests import factories


def test_coordinator_creates_and_revokes(plan, coordinator):
    link = kiosk_create(plan, by=coordinator, label="War room TV")
    token = kiosk_token(link)
    assert kiosk_link_for(token) == link
    kiosk_revoke(link, by=coordinator)
    with pytest.raises(PermissionDenied):
        kiosk_link_for(token)


def test_only_the_coordinator(plan, coordinator):
    someone = factories.UserFactory(username="someone")
    with pytest.raises(PermissionDenied):
        kiosk_create(plan, by=someone, label="TV")
    link = kiosk_create(plan, by=coordinator, label="TV")
    with pytest.raises(PermissionDenied):
        kiosk_revoke(link, by=someone)
    with pytest.raises(ValidationError):
        kiosk_create(plan, by=coordinator, label=" ")


def test_forged_tokens_are_refused(plan, coordinator):
    link = kiosk_create(plan, by=coordinator, label="TV")
    token = kiosk_token(link)
    forgeries = [token[:-2] + "xx", str(link.pk), signing.dumps(link.pk, salt="other"), signing.dumps("1", salt=SALT)]
    for forged in forgeries:
        with pytest.raises(PermissionDenied):
            kiosk_link_for(forged)

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_django import Settings


@pytest.fixture(autouse=True)
def _send_inline(settings: Settings) -> None:
    """Claimed deliveries are sent in-process (the Celery worker test turns this off). The local test
    receivers listen on 127.0.0.1, so private webhook targets are allowed here (the default refuses them)."""
    settings.OUTBOX_SEND_INLINE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"
    settings.WEBHOOK_ALLOW_PRIVATE = True

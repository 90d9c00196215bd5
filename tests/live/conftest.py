from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from tests.asgi_server import AsgiServer, running_asgi_server


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    with running_asgi_server() as server:
        yield server


def session_cookie(user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

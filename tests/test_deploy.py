"""Production settings (issue 8, finding 9): ``check --deploy`` is clean under the settings README.md
documents, and X-Forwarded-Proto is trusted only when the deployment says a proxy sets it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.settings_probe import settings_under

if TYPE_CHECKING:
    from django.test import Client
    from pytest_django import Settings

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment README.md's "Production" section puts in .env, and nothing else of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "DEBUG", "TRUST_"))}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="False",
        ALLOWED_HOSTS="launch.example.com",
        CSRF_TRUSTED_ORIGINS="https://launch.example.com",
        SITE_URL="https://launch.example.com",
        LC_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="launchcontrol.settings",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args, *(["--no-imports"] if args[0] == "shell" else [])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("proxy", ["", "true"])
def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path: Path, proxy: str) -> None:
    env = production_env(tmp_path, **({"TRUST_X_FORWARDED_PROTO": proxy} if proxy else {}))
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "?: (" not in result.stdout + result.stderr


def production_settings(envs: list[dict[str, str]]) -> list[list[Any]]:
    """``[SECURE_PROXY_SSL_HEADER, [SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE]]`` as the
    settings module reads each environment."""
    exprs = [
        'getattr(s, "SECURE_PROXY_SSL_HEADER", None)',
        "[s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]",
    ]
    return settings_under(envs, exprs)


def test_x_forwarded_proto_is_not_trusted_unless_configured(tmp_path: Path) -> None:
    """gunicorn published directly: a client's X-Forwarded-Proto: https must not make it HTTPS."""
    trusted = ("true", "1", "yes")
    envs = [production_env(tmp_path)]
    envs += [production_env(tmp_path, TRUST_X_FORWARDED_PROTO=value) for value in (*trusted, "false")]
    plain, *rest = production_settings(envs)
    assert plain == [None, [True, True, True]]
    for value, (header, _) in zip((*trusted, "false"), rest, strict=True):
        expected = ["HTTP_X_FORWARDED_PROTO", "https"] if value in trusted else None
        assert header == expected, value


def test_a_client_cannot_claim_https_when_no_proxy_is_configured(client: Client, settings: Settings) -> None:
    from django.conf import settings as live

    assert getattr(live, "SECURE_PROXY_SSL_HEADER", None) is None  # the test run sets no proxy either
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert request.is_secure() is False

"""What both benchmarks set up before Django starts: production-like settings over plain HTTP, their own
database (created if missing), Redis db and var directory."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def configure(*, database: str, prefix: str, allowed_hosts: str, log_level: str, **extra: str) -> dict[str, str]:
    """Set the environment for ``launchcontrol.settings`` (DEBUG off, no TLS redirects or secure cookies:
    the bench talks plain HTTP to itself); DATABASE_URL, REDIS_URL and LC_VAR_DIR keep a caller's values."""
    env = os.environ
    env.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 30)
    env.update(
        DJANGO_SETTINGS_MODULE="launchcontrol.settings",
        DEBUG="False",
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS=allowed_hosts,
        LOG_LEVEL=log_level,
        CACHE_KEY_PREFIX=prefix,
        **extra,
    )
    env.setdefault("LC_VAR_DIR", tempfile.mkdtemp(prefix=f"{prefix}-"))
    sys.path.insert(0, str(ROOT))
    return dict(env)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database ``url`` names if it does not exist (other engines: nothing to do)."""
    import psycopg

    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        return
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')

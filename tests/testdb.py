"""The test databases of the pytest-xdist processes, cloned from one migrated template (PostgreSQL).

pytest-django migrates a fresh database in every process: about 6 s of CPU each, paid again by every
process of every run. Here the first process to need one migrates a template database, named after
a hash of the migration files and Django's version, and every process copies it (``CREATE DATABASE …
TEMPLATE``, a file copy: a fraction of a second). A file lock orders the processes; the template stays for
the next run, and a template of other migrations is dropped when a new one is made. Anything but
PostgreSQL (the SQLite of a bare laptop) is set up by Django as before.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import django
from django.conf import settings
from django.db import connections

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper

BASE_DIR = Path(__file__).resolve().parents[1]


def migrations_hash() -> str:
    """What decides the template's schema: every migration file of the project, and Django's version (the
    migrations of its own apps come with it)."""
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(BASE_DIR.glob("*/migrations/[0-9]*.py")):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(test_name: str) -> str:
    """``test_lc_gw1`` → ``test_lc_tpl_<hash>``: one template for all the processes of a database."""
    stem = re.sub(r"_gw\d+$", "", test_name)
    return f"{stem}_tpl_{migrations_hash()}"[:63]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with open(Path(tempfile.gettempdir()) / f"lc-{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _databases(conn: BaseDatabaseWrapper) -> set[str]:
    with conn._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {row[0] for row in cursor.fetchall()}


def _release(conn: BaseDatabaseWrapper) -> None:
    """Close the connection and, with DB_POOL_SIZE, the pool's (which are opened for the database the settings
    name: a new pool is made for the new name on the next connection)."""
    conn.close()
    close_pool = getattr(conn, "close_pool", None)  # PostgreSQL's; SQLite has no pool
    if close_pool is not None:
        close_pool()


def _execute(conn: BaseDatabaseWrapper, sql: str) -> None:
    with conn._nodb_cursor() as cursor:
        cursor.execute(sql)


def _make_template(conn: BaseDatabaseWrapper, template: str) -> None:
    """Migrate the template (Django's own test database creation, under the template's name), then drop the
    templates of earlier migrations."""
    test_settings = conn.settings_dict.setdefault("TEST", {})
    own_name, original = test_settings.get("NAME"), conn.settings_dict["NAME"]
    test_settings["NAME"] = template
    try:
        conn.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        _release(conn)  # a template is copied only while nothing is connected to it
        test_settings["NAME"] = own_name
        conn.settings_dict["NAME"] = original
        settings.DATABASES[conn.alias]["NAME"] = original
    stem = template.rsplit("_tpl_", 1)[0]
    for name in _databases(conn):
        if name.startswith(f"{stem}_tpl_") and name != template:
            _execute(conn, f"DROP DATABASE IF EXISTS {conn.ops.quote_name(name)}")


def clone_test_database(alias: str = "default") -> str:
    """Give this process its test database, copied from the template (made first if need be); point the
    connection at it. Returns the name the connection had, for :func:`drop_test_database`."""
    conn = connections[alias]
    original = conn.settings_dict["NAME"]
    name = conn.settings_dict.get("TEST", {}).get("NAME") or f"test_{original}"  # as Django names it
    template = template_name(name)
    with _locked(template):
        if template not in _databases(conn):
            _make_template(conn, template)
        quote = conn.ops.quote_name
        _execute(conn, f"DROP DATABASE IF EXISTS {quote(name)}")
        _execute(conn, f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
    _release(conn)
    settings.DATABASES[alias]["NAME"] = name
    conn.settings_dict["NAME"] = name
    conn.ensure_connection()
    return str(original)


def drop_test_database(original: str, alias: str = "default") -> None:
    """Drop this process's test database and point the connection back. ``FORCE`` ends what still holds a
    connection to it at the session's end (a live server's thread, a killed worker's backend not yet gone),
    which made Django's own drop fail with "being accessed by other users"."""
    conn = connections[alias]
    name = conn.settings_dict["NAME"]
    connections.close_all()
    _release(conn)
    _execute(conn, f"DROP DATABASE IF EXISTS {conn.ops.quote_name(name)} WITH (FORCE)")
    settings.DATABASES[alias]["NAME"] = original
    conn.settings_dict["NAME"] = original

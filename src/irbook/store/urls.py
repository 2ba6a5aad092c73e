"""Database URLs without the database libraries: ``--db``/``IRBOOK_DB`` resolution, the lock
timeout, and passwords masked for messages (``store/database.py`` re-exports these)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from irbook.errors import UsageError

# A shared server that vanished (laptop off the VPN) must fail fast with a clear message, not hang
# on TCP retries; a URL that sets connect_timeout itself wins.
PG_CONNECT_TIMEOUT_S = 10


def busy_timeout_ms() -> int:
    """How long a write waits for another process's lock (IRBOOK_LOCK_TIMEOUT, seconds)."""
    try:
        return int(float(os.environ.get("IRBOOK_LOCK_TIMEOUT", "10")) * 1000)
    except ValueError:
        raise UsageError("IRBOOK_LOCK_TIMEOUT must be a number of seconds") from None


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("irbook", appauthor=False)) / "irbook.db"


def resolve_url(url: str | None) -> str:
    """``--db``/``IRBOOK_DB`` as given (a URL or a plain file path), else the user data dir."""
    if not url:
        return f"sqlite:///{default_db_path()}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    # A libpq URL as psql takes it means psycopg 3 (the `postgres` extra), not SQLAlchemy's
    # default psycopg2, which irbook does not ship.
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


_QUERY_PASSWORD = re.compile(r"(?i)([?&](?:password|sslpassword)=)[^&#]*")


def mask_password(value: str) -> str:
    """``--db``/``IRBOOK_DB`` as the user wrote it, with any password shown as ``***``.

    For hints that repeat the user's own spelling (``postgresql://`` stays ``postgresql://``);
    a plain file path has no password and comes back unchanged.
    """
    if "://" not in value:
        return value
    scheme, rest = value.split("://", 1)
    authority, sep, tail = rest.partition("/")
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        authority = f"{userinfo}@{host}"
    return _QUERY_PASSWORD.sub(r"\1***", f"{scheme}://{authority}{sep}{tail}")


# A SQLite URL whose file path SQLAlchemy takes verbatim and renders unchanged: no query string,
# no percent-escapes, nothing its URL parser or renderer would quote. Anything else goes the
# SQLAlchemy way (store/reader.py falls back to the ORM store).
_PLAIN_SQLITE = re.compile(r"sqlite:///([A-Za-z0-9._/ +~-]+)\Z")


def plain_sqlite_path(url: str) -> str | None:
    """The file of a plain ``sqlite:///path`` URL, None for any other URL."""
    match = _PLAIN_SQLITE.match(url)
    return match.group(1) if match else None

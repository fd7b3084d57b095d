"""URLs as the user gives them and as messages show them: checked, and never with credentials.

A password in ``--api-url`` (``https://user:pass@host``) must never reach a message, the log,
the banner or the status bar, and a server's error body quoted in a message must not flood
it. Everything that turns a URL or a server's text into a message goes through here. Imports
nothing of the app: the feed and the UI both use it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Longest server text (an error body, a reason) quoted in a message.
QUOTE_LIMIT = 300

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it replaced by ``***@``."""
    return _USERINFO.sub(r"\1***@", text)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Server text fit to quote in a message: credentials removed, cut to ``limit`` chars."""
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_api_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host (trailing ``/`` removed), else ``ValueError``
    saying what is expected (the URL shown without its credentials)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"invalid API URL {redact(url)!r}: expected http(s)://host[:port], "
            "e.g. https://api.kucoin.com"
        )
    return url.strip().rstrip("/")


def host_of(url: str) -> str:
    """The host (and port, if any) of ``url``, for messages; ``url`` itself if it has none."""
    parts = urlsplit(url)
    if not parts.hostname:
        return redact(url)
    return parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"

"""Connect tokens from ``bullet-public``: issued fresh, good for new connections until they
expire (after ``ttl`` real seconds, or at once when a test expires every token so far)."""

from __future__ import annotations

import base64
import enum
import secrets
import threading
import time


class TokenStatus(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"


class TokenRegistry:
    """Thread-safe: tokens are issued on the loop and expired from test threads."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._issued_at: dict[str, float] = {}
        self._expired: set[str] = set()

    def issue(self) -> str:
        # Shaped like KuCoin's (base64 text, a dot, a shorter part, "=" padding), with "+"
        # and "/" too: a client that does not URL-encode the token finds out here.
        token = (
            f"{base64.b64encode(secrets.token_bytes(97)).decode()}."
            f"{base64.b64encode(secrets.token_bytes(16)).decode()}"
        )
        with self._lock:
            self._issued_at[token] = time.monotonic()
        return token

    def status(self, token: str | None) -> TokenStatus:
        with self._lock:
            issued_at = self._issued_at.get(token) if token else None
            if issued_at is None:
                return TokenStatus.INVALID
            if token in self._expired or time.monotonic() - issued_at >= self._ttl:
                return TokenStatus.EXPIRED
            return TokenStatus.VALID

    def expire_all(self) -> None:
        """Every token issued so far is expired from now on."""
        with self._lock:
            self._expired.update(self._issued_at)

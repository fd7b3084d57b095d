"""What the protocol code raises: all are ``ValueError``, so a caller may catch them as such."""

from __future__ import annotations


class ProtocolError(ValueError):
    """A frame or row that does not follow the protocol (garbage, truncated, wrong types)."""


class InvalidTimeframeError(ValueError):
    """A candle type KuCoin does not offer; the message lists the valid ones."""


class InvalidSymbolError(ValueError):
    """A pair name that cannot be a KuCoin symbol (or that the exchange does not list)."""

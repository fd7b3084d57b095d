"""WebSocket frames as a server writes them, and a socket that serves them in set pieces:
what the reader and session tests feed to websocket-client without a network."""

from __future__ import annotations

import struct

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA
PUSH = (
    '{"topic": "/market/candles:BTC-USDT_1min", "type": "message", "subject": '
    '"trade.candles.update", "data": {"symbol": "BTC-USDT", "candles": ["1729839600", '
    '"67644.9", "67437.6", "67724.8", "67243.8", "44.88321441", "3027558.991928447"], '
    '"time": 1729842192785164840}}'
)


def frame(
    payload: bytes | str,
    opcode: int = TEXT,
    fin: bool = True,
    rsv: int = 0,
    mask: bytes | None = None,
) -> bytes:
    """One frame as a server (or, with ``mask``, a misbehaving server) writes it."""
    data = payload.encode() if isinstance(payload, str) else payload
    first = (0x80 if fin else 0) | rsv << 4 | opcode
    mask_bit = 0x80 if mask else 0
    if len(data) < 126:
        header = struct.pack("!BB", first, mask_bit | len(data))
    elif len(data) < 65536:
        header = struct.pack("!BBH", first, mask_bit | 126, len(data))
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, len(data))
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return header + mask + data
    return header + data


class FakeSocket:
    """Serves ``data`` in the given pieces (a piece of None is a read timeout), then EOF."""

    def __init__(self, pieces: list[bytes | None]) -> None:
        self._pieces = list(pieces)
        self.sent: list[bytes] = []

    def gettimeout(self) -> float:
        return 1.0

    def recv(self, bufsize: int) -> bytes:
        if not self._pieces:
            return b""
        piece = self._pieces[0]
        if piece is None:
            self._pieces.pop(0)
            raise TimeoutError("timed out")
        if len(piece) <= bufsize:
            self._pieces.pop(0)
            return piece
        self._pieces[0] = piece[bufsize:]
        return piece[:bufsize]

    def send(self, data: bytes) -> int:
        self.sent.append(bytes(data))
        return len(data)

    def close(self) -> None:
        pass

    def shutdown(self, how: int) -> None:
        pass

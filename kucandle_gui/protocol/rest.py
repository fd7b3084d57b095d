"""KuCoin's REST envelope: the codes a reply carries and the candle endpoint's page size."""

from __future__ import annotations

#: ``code`` of every successful REST reply; errors are ``{"code": ..., "msg": ...}``.
REST_OK = "200000"
REST_TOO_MANY_REQUESTS = "429000"
REST_INVALID_PARAMETER = "400100"

#: Most rows ``GET /api/v1/market/candles`` returns per call.
MAX_CANDLES_PER_REQUEST = 1500

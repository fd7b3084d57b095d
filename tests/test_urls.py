"""kucandle_gui.urls: credentials never shown, URLs checked, server text bounded."""

from __future__ import annotations

import pytest

from kucandle_gui.urls import QUOTE_LIMIT, check_api_url, host_of, quote, redact


def test_credentials_are_removed_from_every_url_in_a_text() -> None:
    text = "POST http://user:s3cret@10.0.0.1:8080/api/v1/bullet-public then wss://a:b@ws.x/y"
    shown = redact(text)
    assert "s3cret" not in shown and "a:b@" not in shown
    assert shown == "POST http://***@10.0.0.1:8080/api/v1/bullet-public then wss://***@ws.x/y"
    assert redact("https://api.kucoin.com/api/v1/x") == "https://api.kucoin.com/api/v1/x"


def test_quoted_server_text_is_one_line_and_bounded() -> None:
    assert quote("line one\n  line two") == "line one line two"
    long = quote("x" * 10_000)
    assert len(long) == QUOTE_LIMIT and long.endswith("…")


@pytest.mark.parametrize("url", ["https://api.kucoin.com/", "http://127.0.0.1:8000"])
def test_http_urls_with_a_host_are_accepted(url: str) -> None:
    assert check_api_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["", "api.kucoin.com", "ftp://x", "http://", "wss://x"])
def test_anything_else_is_refused_with_what_is_expected(url: str) -> None:
    with pytest.raises(ValueError, match="expected http"):
        check_api_url(url)


def test_a_refused_url_is_shown_without_its_password() -> None:
    with pytest.raises(ValueError) as error:
        check_api_url("ftp://user:pw@host")
    assert "pw" not in str(error.value)


def test_host_of() -> None:
    assert host_of("https://user:pw@api.kucoin.com/x") == "api.kucoin.com"
    assert host_of("http://127.0.0.1:8000") == "127.0.0.1:8000"

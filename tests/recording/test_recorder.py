"""The recorder: what the feed hands it arrives in the file, in order, numbered by session,
without the token; parts rotate by size and each stands alone; a file left by a killed app
reads up to the last flush."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from kucandle_gui import __version__
from kucandle_gui.recording import (
    Header,
    Recorder,
    RecordingError,
    RestEntry,
    WsEnd,
    WsIn,
    WsOpen,
    WsOut,
    read_header,
)

from .files import RUN, WAIT, GatedOpener, decompressed, frames, read_all

TOKEN = "2neAiuYvAU61ZDXAN/wP+a7nRe=.Qx"
BULLET = json.dumps(
    {"code": "200000", "data": {"token": TOKEN, "instanceServers": [{"endpoint": "ws://h/"}]}}
).encode()


def connect_url(connect_id: str) -> str:
    return f"ws://127.0.0.1:9/?token={quote(TOKEN, safe='')}&connectId={connect_id}"


def test_every_tap_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    with Recorder(path, RUN) as recorder:
        recorder.rest_answer(
            "GET",
            "/api/v1/market/candles",
            {"type": "1min", "symbol": "BTC-USDT", "startAt": 1700000000, "endAt": None},
            200,
            {"RETRY-AFTER": "3", "Gw-RateLimit-Reset": "900", "Content-Type": "json"},
            b'{"code":"200000","data":[]}',
        )
        recorder.rest_answer("GET", "/api/v1/timestamp", None, 503, {}, b"\xff\xfe")
        recorder.rest_failure("GET", "/api/v1/timestamp", {}, None, "timeout", "read timed out")
        recorder.ws_open("c1", connect_url("c1"))
        recorder.ws_received("c1", '{"type":"welcome","id":"c1"}')
        recorder.ws_received("c1", b"\x00\x01")
        recorder.ws_sent("c1", '{"type":"ping"}')
        recorder.ws_end("c1", "stopped", True)
    entries, report = read_all(path)
    assert report.complete and report.problems == [] and report.parts == [path]
    assert recorder.lines_written == 10 and recorder.lost == 0 and recorder.failed is None
    head, candles, binary, failure, opened, welcome, frame, ping, ended = entries
    assert head == Header(1, head.recording, 1, __version__, head.t, 0.0, RUN)
    assert candles == RestEntry(
        candles.t,
        candles.m,
        "GET",
        "/api/v1/market/candles",
        (("startAt", "1700000000"), ("symbol", "BTC-USDT"), ("type", "1min")),
        200,
        (("Retry-After", "3"), ("gw-ratelimit-reset", "900")),
        b'{"code":"200000","data":[]}',
        None,
        "",
    )
    assert (binary.status, binary.body) == (503, b"\xff\xfe")
    assert (failure.status, failure.body, failure.failure, failure.text) == (
        None,
        None,
        "timeout",
        "read timed out",
    )
    assert opened == WsOpen(opened.t, opened.m, 1, "ws://127.0.0.1:9/?token=REDACTED&connectId=c1")
    assert welcome == WsIn(welcome.t, welcome.m, 1, '{"type":"welcome","id":"c1"}')
    assert frame == WsIn(frame.t, frame.m, 1, b"\x00\x01")
    assert ping == WsOut(ping.t, ping.m, 1, '{"type":"ping"}')
    assert ended == WsEnd(ended.t, ended.m, 1, "stopped", True)
    times = [e.m for e in entries]
    assert times == sorted(times) and all(head.t <= e.t for e in entries)


def test_the_token_never_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    with Recorder(path, RUN) as recorder:
        recorder.rest_answer("POST", "/api/v1/bullet-public", {}, 200, {}, BULLET)
        recorder.rest_answer("POST", "/api/v1/bullet-public", {}, 200, {}, BULLET[:40])
        recorder.ws_open("c1", connect_url("c1"))
        recorder.ws_end("c1", f"refused: {connect_url('c1')} with {TOKEN}", False)
        recorder.rest_failure("GET", "/x", {}, None, None, f"token={TOKEN} at {quote(TOKEN)}")
        recorder.rest_answer("get", "/api/v2/bullet-private/", {}, 200, {}, BULLET)
    text = decompressed(recorder.parts)
    for form in (TOKEN, quote(TOKEN, safe=""), quote(TOKEN), TOKEN[:12]):
        assert form.encode() not in text
    entries, _ = read_all(path)
    bullet = json.loads(entries[1].body)
    assert bullet["data"] == {"token": "REDACTED", "instanceServers": [{"endpoint": "ws://h/"}]}
    assert entries[2].body == b"REDACTED"


def test_start_refuses_a_file_that_exists(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    path.write_bytes(b"precious")
    with pytest.raises(RecordingError, match=r"run\.kcr already exists: choose another name"):
        Recorder(path, RUN).start()
    assert path.read_bytes() == b"precious"
    other = tmp_path / "other.kcr"
    (tmp_path / "other.kcr.3").write_bytes(b"an old part")
    with pytest.raises(RecordingError, match=r"other.kcr.3 already exists.*or delete it"):
        Recorder(other, RUN).start()
    assert not other.exists()


def test_start_says_why_it_cannot_create(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"cannot record to .*No such file or directory"):
        Recorder(tmp_path / "missing" / "run.kcr", RUN).start()
    full_disk = GatedOpener(fail=OSError(28, "No space left on device"))
    failing = Recorder(tmp_path / "run.kcr", RUN, opener=full_disk)
    with pytest.raises(RecordingError, match=r"cannot record to .*No space left on device"):
        failing.start()
    assert len(full_disk.files) == 1 and full_disk.files[0].closed
    assert not (tmp_path / "run.kcr").exists()


def test_close_is_idempotent_and_taps_outside_a_recording_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    recorder = Recorder(path, RUN)
    recorder.ws_received("c1", "before the start")
    recorder.start()
    with pytest.raises(RecordingError, match="started already"):
        recorder.start()
    recorder.ws_received("c1", "during")
    recorder.close()
    recorder.close()
    recorder.ws_received("c1", "after the close")
    assert recorder.flush() is False
    entries, report = read_all(path)
    assert frames(entries) == ["during"] and report.complete
    never_started = Recorder(tmp_path / "never.kcr", RUN)
    never_started.close()
    assert not (tmp_path / "never.kcr").exists()


def test_parts_rotate_by_size_and_each_stands_alone(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    sent = [f'{{"type":"message","n":{i},"pad":"{i * 7919 % 10007:x}"}}' for i in range(60)]
    with Recorder(path, RUN, max_bytes=400) as recorder:
        recorder.ws_open("c1", connect_url("c1"))
        for frame in sent:
            recorder.ws_received("c1", frame)
            assert recorder.flush(WAIT)
    parts = recorder.parts
    assert len(parts) >= 3
    assert parts == [path] + [tmp_path / f"run.kcr.{k}" for k in range(2, len(parts) + 1)]
    headers = [read_header(p) for p in parts]
    assert [h.part for h in headers] == list(range(1, len(parts) + 1))
    assert len({h.recording for h in headers}) == 1 and all(h.run == RUN for h in headers)
    for k, part in enumerate(parts, start=1):
        lines = [json.loads(line) for line in gzip.decompress(part.read_bytes()).splitlines()]
        assert lines[0]["k"] == "header" and len(lines) >= (3 if k < len(parts) else 2)
        last = {"k": "end"} if k == len(parts) else {"k": "rotated", "next": f"run.kcr.{k + 1}"}
        assert {key: lines[-1][key] for key in last} == last
        assert all(line["m"] >= lines[0]["m"] for line in lines)
    entries, report = read_all(path)
    assert frames(entries) == sent and report.complete and report.parts == parts
    assert sum(isinstance(e, Header) for e in entries) == len(parts)
    assert {e.session for e in entries if isinstance(e, WsIn)} == {1}
    later, later_report = read_all(parts[1])
    assert frames(later) == frames(entries)[len(frames(entries)) - len(frames(later)) :]
    assert later_report.complete and later_report.parts == parts[1:]
    assert later_report.problems == [
        "run.kcr.2 is part 2 of its recording: the parts before it are not read"
    ]


def test_a_killed_app_leaves_what_was_flushed(tmp_path: Path) -> None:
    path, copy = tmp_path / "run.kcr", tmp_path / "copy.kcr"
    with Recorder(path, RUN, flush_interval=3600) as recorder:
        recorder.ws_open("c1", connect_url("c1"))
        recorder.ws_received("c1", "one")
        recorder.ws_received("c1", "two")
        assert recorder.flush(WAIT)
        shutil.copy(path, copy)
        recorder.ws_received("c1", "three")
    entries, report = read_all(copy)
    assert frames(entries) == ["one", "two"]
    assert not report.complete and len(report.problems) == 1
    assert report.problems[0].startswith("part 1 (copy.kcr) is cut off after line 4 (recorded up")
    assert frames(read_all(path)[0]) == ["one", "two", "three"]


def test_the_stream_is_flushed_every_interval(tmp_path: Path) -> None:
    opener = GatedOpener()
    path = tmp_path / "run.kcr"
    with Recorder(path, RUN, flush_interval=0.05, opener=opener) as recorder:
        opener.files[0].flushed.clear()
        recorder.ws_received("c1", "unprompted")
        assert opener.files[0].flushed.wait(WAIT)
        entries, report = read_all(path)
        assert frames(entries) == ["unprompted"] and not report.complete


def test_bytes_cut_off_the_end_cost_only_the_end(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    with Recorder(path, RUN) as recorder:
        for i in range(50):
            recorder.ws_received("c1", f"early {i}")
        assert recorder.flush(WAIT)
        flushed = path.stat().st_size
        for i in range(200):
            recorder.ws_received("c1", f"late {i} " + "x" * (i % 37))
    data = path.read_bytes()
    full = frames(read_all(path)[0])
    cut, cut_off = tmp_path / "cut.kcr", 0
    for size in range(flushed, len(data), max(1, (len(data) - flushed) // 25)):
        cut.write_bytes(data[:size])
        got, report = read_all(cut)
        assert frames(got) == full[: len(frames(got))] and len(frames(got)) >= 50
        if report.complete:  # only the gzip trailer was cut: every line is there
            assert frames(got) == full and report.problems == []
        else:
            assert len(report.problems) == 1 and "the rest" in report.problems[0]
            cut_off += 1
    assert cut_off >= 20


def test_threads_write_together(tmp_path: Path) -> None:
    path, threads, count = tmp_path / "run.kcr", 8, 400
    start = threading.Barrier(threads)

    def feed(n: int) -> None:
        start.wait(WAIT)
        recorder.ws_open(f"c{n}", connect_url(f"c{n}"))
        for i in range(count):
            recorder.ws_received(f"c{n}", f"{n}:{i}")
        recorder.ws_sent(f"c{n}", f"{n}:bye")
        recorder.ws_end(f"c{n}", "stopped", True)

    with Recorder(path, RUN) as recorder:
        workers = [threading.Thread(target=feed, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(WAIT)
    entries, report = read_all(path)
    assert report.complete and recorder.lost == 0
    opens = [e for e in entries if isinstance(e, WsOpen)]
    assert [e.session for e in opens] == list(range(1, threads + 1))
    session_of = {e.url.rpartition("=")[2]: e.session for e in opens}
    assert sorted(session_of) == [f"c{n}" for n in range(threads)]
    for n in range(threads):
        mine = [e for e in entries if isinstance(e, WsIn | WsOut | WsEnd)]
        mine = [e for e in mine if e.session == session_of[f"c{n}"]]
        assert [getattr(e, "frame", "end") for e in mine] == [
            *(f"{n}:{i}" for i in range(count)),
            f"{n}:bye",
            "end",
        ]
    times = [e.m for e in entries]
    assert times == sorted(times)


def test_an_unknown_connect_id_gets_the_next_session(tmp_path: Path) -> None:
    path = tmp_path / "run.kcr"
    with Recorder(path, RUN) as recorder:
        recorder.ws_received("stray", "who?")
        recorder.ws_open("c1", connect_url("c1"))
        recorder.ws_end("stray", "gone", False)
        recorder.ws_sent("c1", "hello")
    entries, _ = read_all(path)
    assert [(type(e).__name__, e.session) for e in entries[1:]] == [
        ("WsIn", 1),
        ("WsOpen", 2),
        ("WsEnd", 1),
        ("WsOut", 2),
    ]

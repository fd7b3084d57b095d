"""The PyInstaller bundle, and the resources it ships.

The resource checks run by default. The ``bundle`` tests build the bundle from this tree into
a temporary folder (so no earlier build counts) with the one build command, then run what was
built: ``pytest -m bundle -s`` (a few minutes; ``-s`` shows the build time, the size and the
self-test lines, for BENCHMARKS.md).
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

import kucandle_gui
from tests.test_selftest import check_report, screenless_env

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
NAME = "kucandle-gui"
#: The onedir bundle's budget (MiB, as ``du -sh`` counts).
BUDGET_BYTES = 150 * 1024 * 1024
SELF_TESTS = 3
BUILD_TIMEOUT = 900


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kucandle_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_script = load_build_script()


# -- resources (default run) ------------------------------------------------------------------


def test_png_icons_are_the_svg_rendered_at_each_size(qapp):
    from PySide6.QtGui import QImage

    fresh = build_script.render_pngs(RESOURCES / f"{NAME}.svg", build_script.PNG_SIZES)
    for size in (16, 32, 48, 64, 128, 256):
        path = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        committed = QImage(str(path))
        assert not committed.isNull(), path
        assert (committed.width(), committed.height()) == (size, size)
        rendered = QImage.fromData(fresh[size], "PNG")
        differing = sum(
            committed.pixel(x, y) != rendered.pixel(x, y) for y in range(size) for x in range(size)
        )
        # Same drawing; a newer Qt may antialias an edge pixel differently.
        assert differing <= size * size // 50, (
            f"{path} is not the SVG any more: run packaging/build.py --icons"
        )


def test_windows_and_macos_icons_hold_the_png_sizes():
    ico = (RESOURCES / f"{NAME}.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1)
    sides = []
    for i in range(count):
        width, _h, _c, _r, _planes, _bpp, size, offset = struct.unpack_from(
            "<BBBBHHII", ico, 6 + 16 * i
        )
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + size <= len(ico)
        sides.append(width or 256)
    assert sorted(sides) == [16, 32, 48, 64, 128, 256]

    icns = (RESOURCES / f"{NAME}.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack_from(">I", icns, 4)[0] == len(icns)
    kinds, at = [], 8
    while at < len(icns):
        kind_, length = icns[at : at + 4], struct.unpack_from(">I", icns, at + 4)[0]
        assert icns[at + 8 : at + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind_)
        at += length
    assert at == len(icns)
    assert set(kinds) >= {b"icp4", b"icp5", b"ic07", b"ic08"}


def test_desktop_file_launches_the_command_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(RESOURCES / f"{NAME}.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == NAME
    assert desktop["Icon"] == NAME
    assert desktop["Terminal"] == "false"
    assert desktop["Categories"].split(";")[:2] == ["Office", "Finance"]
    assert desktop["Categories"].endswith(";")
    # The icon name is what the hicolor theme folders hold.
    assert (RESOURCES / "icons" / "hicolor" / "48x48" / "apps" / f"{NAME}.png").is_file()


def test_resources_load_from_the_source_tree():
    from kucandle_gui.app import resources_dir

    assert resources_dir() == RESOURCES
    assert (resources_dir() / f"{NAME}.svg").is_file()


# -- the built bundle (pytest -m bundle) ---------------------------------------------------------


def run_build(tmp: Path, *options: str) -> tuple[Path, float]:
    dist, work = tmp / "dist", tmp / "work"
    started = time.monotonic()
    command = [sys.executable, str(ROOT / "packaging" / "build.py"), *options]
    result = subprocess.run(
        [*command, "--dist", str(dist), "--work", str(work)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    print(result.stdout)
    return dist, elapsed


@pytest.fixture(scope="module")
def onedir(tmp_path_factory) -> Path:
    dist, elapsed = run_build(tmp_path_factory.mktemp("onedir"))
    print(f"build time (onedir): {elapsed:.1f} s")
    bundle = dist / NAME
    assert bundle.is_dir()
    return bundle


def executable(bundle: Path) -> Path:
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def run_self_test(program: Path) -> str:
    started = time.monotonic()
    result = subprocess.run(
        [str(program), "--self-test"],
        env=screenless_env(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=program.parent.parent,  # not the bundle: nothing may come from the working folder
    )
    wall = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    check_report(result.stdout)
    print(f"{result.stdout.strip()}  [process wall time {wall:.2f} s]")
    return result.stdout


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_bundle_self_test_passes_without_a_screen(onedir):
    for _ in range(SELF_TESTS):
        run_self_test(executable(onedir))


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_bundle_fits_the_size_budget(onedir):
    size = build_script.tree_size(onedir)
    print(build_script.describe(onedir))
    assert size <= BUDGET_BYTES, (
        f"{size / 2**20:.1f} MiB is over the {BUDGET_BYTES / 2**20:.0f} MiB budget"
    )


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_bundle_resources_are_where_resources_dir_looks(onedir):
    # resources_dir() is Path(kucandle_gui/app.py).parent.parent / "resources"; frozen, the
    # package's files are under the contents folder, sys._MEIPASS.
    contents = onedir / "_internal"
    package_file = contents / "kucandle_gui" / "app.pyc"
    resources = package_file.parent.parent / "resources"
    assert (resources / f"{NAME}.svg").is_file()
    assert (resources / f"{NAME}.desktop").is_file()
    assert (resources / "icons" / "hicolor" / "256x256" / "apps" / f"{NAME}.png").is_file()
    # The same files as in the source tree.
    for source in RESOURCES.rglob("*"):
        if source.is_file():
            bundled = resources / source.relative_to(RESOURCES)
            assert bundled.read_bytes() == source.read_bytes(), bundled


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_bundle_carries_its_version(onedir):
    result = subprocess.run(
        [str(executable(onedir)), "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{NAME} {kucandle_gui.__version__}"
    assert (onedir / "VERSION").read_text().strip() == kucandle_gui.__version__
    info = json.loads((onedir / "BUILD-INFO.json").read_text())
    assert info["version"] == kucandle_gui.__version__
    assert info["kind"] == "onedir"


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_bundle_headless_demo_prints_simulated_candles_and_stops_on_sigterm(onedir):
    process = subprocess.Popen(
        [str(executable(onedir)), "--headless", "--demo"],
        env=screenless_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()  # blocks until the first candle (pytest-timeout guards)
        candle = json.loads(line)
        assert candle["symbol"] == "BTC-USDT"
        assert candle["timeframe"] == "1min"
        assert candle["simulated"] is True
        assert candle["low"] <= min(candle["open"], candle["close"]) <= candle["high"]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "summary:" in err


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF libraries")
def test_bundle_libraries_all_resolve(onedir):
    """Every library the bundle holds finds what it links to, in the bundle or the system."""
    contents = onedir / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": str(contents)}  # what the bootloader sets
    missing = {}
    for path in sorted(contents.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(["ldd", str(path)], env=env, capture_output=True, text=True).stdout
        lost = re.findall(r"^\s*(\S+) => not found", out, re.M)
        if lost:
            missing[str(path.relative_to(onedir))] = lost
    assert not missing


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT)
def test_onefile_bundle_self_test(tmp_path):
    dist, elapsed = run_build(tmp_path, "--onefile")
    print(f"build time (onefile): {elapsed:.1f} s")
    info = json.loads(next(dist.glob(f"{NAME}-*.json")).read_text())
    suffix = ".exe" if sys.platform == "win32" else ""
    program = dist / f"{NAME}-{info['version']}-{info['platform']}{suffix}"
    assert program.is_file()
    assert info["kind"] == "onefile"
    print(f"onefile size: {program.stat().st_size / 2**20:.1f} MiB")
    run_self_test(program)

"""Build the kucandle-gui bundle: the one command of packaging/README.md.

    .venv/bin/python packaging/build.py              # onedir: dist/kucandle-gui/
    .venv/bin/python packaging/build.py --onefile    # dist/kucandle-gui-<version>-<os>-<arch>
    .venv/bin/python packaging/build.py --icons      # re-render resources/ icons from the SVG

It runs PyInstaller on packaging/kucandle-gui.spec with the interpreter running this script
(so the venv's PyInstaller and packages), then prints the build time, the bundle's size and
what takes the room. The icons are committed; ``--icons`` is only needed after the SVG changed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "kucandle-gui.spec"
RESOURCES = ROOT / "resources"
NAME = "kucandle-gui"
#: Size budget of the onedir bundle, in MiB (what ``du -sh`` calls "M").
BUDGET_MIB = 150
#: PNG sizes committed under resources/icons/hicolor/<n>x<n>/apps/.
PNG_SIZES = (16, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 32, 48, 64, 128, 256)
#: macOS icon element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
MIB = 1024 * 1024


def version() -> str:
    text = (ROOT / "kucandle_gui" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if match is None:
        raise SystemExit("no __version__ in kucandle_gui/__init__.py")
    return match.group(1)


# -- sizes ------------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (symlinks not followed, not counted)."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def breakdown(bundle: Path, top: int = 15) -> list[tuple[int, str]]:
    """The largest items of the bundle: big files, and folders below the contents folder."""
    items: list[tuple[int, str]] = []
    contents = bundle / "_internal"
    base = contents if contents.is_dir() else bundle
    for entry in [*base.iterdir(), *(bundle.iterdir() if base != bundle else [])]:
        if entry == contents:
            continue
        if entry.is_dir() and entry.name == "PySide6":
            qt = entry / "Qt"
            for sub in sorted((qt / "lib").glob("*")) if (qt / "lib").is_dir() else []:
                items.append((tree_size(sub), str(sub.relative_to(bundle))))
            if (qt / "plugins").is_dir():
                items.append((tree_size(qt / "plugins"), str((qt / "plugins").relative_to(bundle))))
            for sub in entry.glob("*.so*"):
                items.append((tree_size(sub), str(sub.relative_to(bundle))))
            for sub in entry.glob("*.pyd"):
                items.append((tree_size(sub), str(sub.relative_to(bundle))))
            continue
        if not entry.is_symlink():
            items.append((tree_size(entry), str(entry.relative_to(bundle))))
    items.sort(reverse=True)
    return items[:top]


def describe(bundle: Path) -> str:
    size = tree_size(bundle)
    lines = [
        f"bundle: {bundle}",
        f"size: {size / MIB:.1f} MiB ({size / 1e6:.1f} MB), budget {BUDGET_MIB} MiB",
    ]
    if bundle.is_dir():
        lines.append("largest parts:")
        lines += [f"  {n / MIB:7.1f} MiB  {what}" for n, what in breakdown(bundle)]
    return "\n".join(lines)


# -- build ------------------------------------------------------------------------------------


def build(dist: Path, work: Path, onefile: bool, clean: bool) -> Path:
    """Run PyInstaller; returns the onedir folder or the onefile executable."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        "--log-level",
        "WARN",
    ]
    if clean:
        command.append("--clean")
    if onefile:
        command += ["--", "--onefile"]
    subprocess.run(command, cwd=ROOT, check=True)
    if not onefile:
        return dist / NAME
    info = json.loads(next(dist.glob(f"{NAME}-{version()}-*.json")).read_text(encoding="utf-8"))
    suffix = ".exe" if sys.platform == "win32" else ""
    return dist / f"{NAME}-{info['version']}-{info['platform']}{suffix}"


# -- icons ------------------------------------------------------------------------------------


def render_pngs(svg: Path, sizes: Iterable[int]) -> dict[int, bytes]:
    """PNG files of the SVG at each size (QtSvg; a build-time need only)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    pngs = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def ico_file(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding the PNGs (PNG entries, Windows Vista and later)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_file(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding the PNGs."""
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size in sorted(pngs)
        if size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def png_path(size: int) -> Path:
    return RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"


def write_icons() -> list[Path]:
    svg = RESOURCES / f"{NAME}.svg"
    pngs = render_pngs(svg, sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_TYPES}))
    written = []
    for size in PNG_SIZES:
        path = png_path(size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pngs[size])
        written.append(path)
    ico = RESOURCES / f"{NAME}.ico"
    ico.write_bytes(ico_file({s: pngs[s] for s in ICO_SIZES}))
    icns = RESOURCES / f"{NAME}.icns"
    icns.write_bytes(icns_file({s: pngs[s] for s in ICNS_TYPES}))
    return [*written, ico, icns]


# -- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the kucandle-gui PyInstaller bundle.")
    parser.add_argument("--onefile", action="store_true", help="one executable, not a folder")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output (default dist/)")
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder (default build/pyinstaller/)",
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    parser.add_argument(
        "--icons", action="store_true", help="only re-render resources/ icons from the SVG"
    )
    args = parser.parse_args(argv)
    if args.icons:
        for path in write_icons():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    started = time.monotonic()
    target = build(args.dist.resolve(), args.work.resolve(), args.onefile, args.clean)
    elapsed = time.monotonic() - started
    print(f"built kucandle-gui {version()} in {elapsed:.1f} s")
    print(describe(target))
    return 0


if __name__ == "__main__":
    sys.exit(main())

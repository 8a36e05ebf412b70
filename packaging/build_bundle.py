"""Build PromptCut's one-folder desktop bundle (``make bundle``): PyInstaller runs packaging/promptcut.spec, then the
icon, the desktop entry and its installer go beside the executable and the folder is packed into a tarball.

    python packaging/build_bundle.py [--dist DIR] [--work DIR] [--no-tarball]

Prints the time each step took and the bundle's size. Needs the project's environment (``make`` installs
PyInstaller with the dev extra); runs on Linux, and the same spec serves Windows and macOS (packaging/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NAME = "promptcut"
ICON_PX = 256

INSTALL_ENTRY = """#!/bin/sh
# Adds PromptCut to the desktop's application menu, pointing at this folder (run it again after moving it).
set -e
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications" "$data/icons/hicolor/256x256/apps"
cp "$here/promptcut.png" "$data/icons/hicolor/256x256/apps/promptcut.png"
sed "s|^Exec=promptcut |Exec=\\"$here/promptcut\\" |" "$here/promptcut.desktop" > "$data/applications/promptcut.desktop"
echo "PromptCut added to the application menu ($data/applications/promptcut.desktop)"
"""


def _version() -> str:
    sys.path.insert(0, str(ROOT))
    import editor

    return editor.__version__


def _platform_tag() -> str:
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("arm64", "aarch64")
    return f"{system}-{machine}"


def render_icon(svg: Path, png: Path, size: int = ICON_PX) -> None:
    """The application icon as a PNG (desktop entries and window managers want pixels), drawn by Qt."""
    code = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication, QImage, QPainter, Qt\n"
        "from PySide6.QtSvg import QSvgRenderer\n"
        "app = QGuiApplication([])\n"
        "size = int(sys.argv[3])\n"
        "image = QImage(size, size, QImage.Format.Format_ARGB32)\n"
        "image.fill(Qt.GlobalColor.transparent)\n"
        "painter = QPainter(image)\n"
        "QSvgRenderer(sys.argv[1]).render(painter)\n"
        "painter.end()\n"
        "sys.exit(0 if image.save(sys.argv[2]) else 1)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-c", code, str(svg), str(png), str(size)], check=True, env=env)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path, *, tarball: bool = True) -> Path:
    """The bundle folder ``dist/promptcut`` (replaced if there), and beside it the tarball when asked."""
    dist, work = dist.resolve(), work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(HERE / "promptcut.spec")],
                   check=True, cwd=ROOT)
    frozen_s = time.monotonic() - started
    bundle = dist / NAME
    render_icon(HERE / "promptcut.svg", bundle / "promptcut.png")
    shutil.copy2(HERE / "promptcut.svg", bundle / "promptcut.svg")
    shutil.copy2(HERE / "promptcut.desktop", bundle / "promptcut.desktop")
    if os.name == "posix":
        script = bundle / "install-desktop-entry.sh"
        script.write_text(INSTALL_ENTRY, encoding="utf-8")
        script.chmod(0o755)
    print(f"bundle: {bundle} ({folder_size(bundle) / 2**20:.0f} MiB), PyInstaller took {frozen_s:.0f} s")
    if tarball:
        packed = dist / f"{NAME}-{_version()}-{_platform_tag()}.tar.gz"
        began = time.monotonic()
        partial = packed.with_name(packed.name + ".partial")
        # compresslevel 6: level 9 takes twice as long for a percent or two on these binaries.
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname=f"{NAME}-{_version()}")
        os.replace(partial, packed)
        size = packed.stat().st_size / 2**20
        print(f"tarball: {packed} ({size:.0f} MiB), packed in {time.monotonic() - began:.0f} s")
    print(f"total {time.monotonic() - started:.0f} s")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the bundle goes (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle",
                        help="PyInstaller's work folder, kept between builds to save time (default build/bundle)")
    parser.add_argument("--no-tarball", action="store_true", help="only the folder")
    args = parser.parse_args(argv)
    try:
        build(args.dist, args.work, tarball=not args.no_tarball)
    except subprocess.CalledProcessError as exc:
        print(f"build_bundle: {Path(exc.cmd[2]).name if len(exc.cmd) > 2 else exc.cmd[0]} failed "
              f"(exit status {exc.returncode}); see its output above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

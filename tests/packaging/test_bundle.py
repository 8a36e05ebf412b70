"""The desktop bundle as a user unpacks it: ``packaging/build_bundle.py`` (what ``make bundle`` runs) builds the
one-folder app into a temp folder once for the module, and its own binary runs from there: no system ffmpeg on
PATH, this checkout nowhere on the import path, the window under QT_QPA_PLATFORM=offscreen.

Building takes well under a minute on two cores (PyInstaller, no strip, no UPX, no tarball here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging_support import assert_small_export, checked, small_timeline, smoke_places
from PIL import Image

import editor

# Building the bundle is the slowest setup of the packaging tests (still in the default run).
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the bundle test builds the Linux bundle")]

CHECKOUT = Path(__file__).resolve().parents[2]
FAKE_FFMPEG = "#!/bin/sh\necho \"a system ffmpeg was used\" >&2\nexit 1\n"


@dataclass(frozen=True)
class Bundle:
    folder: Path          # dist/promptcut: the executable, _internal/, the desktop entry and icon
    cwd: Path             # an empty folder the commands run in
    env: dict[str, str]   # PATH holds only an ffmpeg that fails; no PYTHONPATH

    @property
    def data(self) -> Path:
        return self.folder / "_internal" / "share" / "promptcut"

    def run(self, *args: str, extra_env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.folder / "promptcut"), *args], capture_output=True, text=True, cwd=self.cwd,
                              env={**self.env, **(extra_env or {})}, timeout=timeout)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    root = tmp_path_factory.mktemp("bundle")
    checked(subprocess.run([sys.executable, str(CHECKOUT / "packaging" / "build_bundle.py"), "--no-tarball",
                            "--dist", str(root / "dist"), "--work", str(root / "work")],
                           capture_output=True, text=True, cwd=root, timeout=900))
    # A system ffmpeg that fails: the bundle must use the one it carries.
    fake_bin = root / "system-bin"
    fake_bin.mkdir()
    (fake_bin / "ffmpeg").write_text(FAKE_FFMPEG, encoding="utf-8")
    (fake_bin / "ffmpeg").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
                                                            "PYTHONSTARTUP", "PROMPTCUT_DEBUG", "PROMPTCUT_FFMPEG")}
    env["PATH"] = str(fake_bin)
    cwd = root / "elsewhere"
    cwd.mkdir()
    return Bundle(folder=root / "dist" / "promptcut", cwd=cwd, env=env)


@pytest.fixture(scope="module")
def timeline_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_timeline(tmp_path_factory.mktemp("bundle-timeline"))


def test_version_names_the_release(bundle: Bundle) -> None:
    done = checked(bundle.run("--version"))
    assert done.stdout.strip() == f"promptcut {editor.__version__}"


def test_the_bundle_carries_its_desktop_entry_and_icon(bundle: Bundle) -> None:
    entry = (bundle.folder / "promptcut.desktop").read_text(encoding="utf-8")
    assert "Icon=promptcut" in entry and "Exec=promptcut open %f" in entry
    with Image.open(bundle.folder / "promptcut.png") as icon:
        assert icon.size == (256, 256)
        assert icon.getpixel((128, 128))[3] == 255   # drawn, not an empty canvas
    assert os.access(bundle.folder / "install-desktop-entry.sh", os.X_OK)


def test_a_timeline_exports_headless_with_the_bundles_own_ffmpeg(bundle: Bundle, timeline_file: Path,
                                                                 tmp_path: Path) -> None:
    doctor = bundle.run("doctor")
    ffmpeg_line = next(line for line in doctor.stdout.splitlines() if " ffmpeg " in f" {line} ")
    assert str(bundle.folder / "_internal") in ffmpeg_line, ffmpeg_line
    captions = tmp_path / "cues.srt"
    captions.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello from the bundle\n", encoding="utf-8")
    out = tmp_path / "out.mp4"
    done = checked(bundle.run("export", str(timeline_file), "-o", str(out), "-q", "--captions", str(captions)))
    assert "Traceback" not in done.stderr and "system ffmpeg" not in done.stderr
    assert_small_export(out)


def test_the_window_opens_offscreen_with_the_bundles_theme_icons_and_fonts(bundle: Bundle,
                                                                           timeline_file: Path) -> None:
    done = checked(bundle.run("open", "--smoke", str(timeline_file), extra_env={"QT_QPA_PLATFORM": "offscreen"},
                              timeout=120))
    assert "Traceback" not in done.stderr
    for place in smoke_places(done).values():
        assert place.resolve().is_relative_to(bundle.data.resolve()), place


def test_another_editors_edl_is_read_by_the_adapter_child_inside_the_bundle(bundle: Bundle, tmp_path: Path) -> None:
    edl = tmp_path / "cut.edl"
    edl.write_text("TITLE: Cut\nFCM: NON-DROP FRAME\n\n"
                   "001  REELA    V     C        00:00:10:00 00:00:11:00 01:00:00:00 01:00:01:00\n"
                   "* FROM CLIP NAME:  leader\n"
                   "002  REELB    V     C        00:00:20:00 00:00:22:00 01:00:01:00 01:00:03:00\n"
                   "* FROM CLIP NAME:  picture\n", encoding="utf-8")
    checked(bundle.run("convert", str(edl), str(tmp_path / "cut.otio")))
    checked(bundle.run("convert", str(tmp_path / "cut.otio"), str(tmp_path / "cut.xml")))   # and FCP XML back
    done = checked(bundle.run("convert", str(tmp_path / "cut.xml"), str(tmp_path / "again.otio")))
    assert "Traceback" not in done.stderr
    text = (tmp_path / "again.otio").read_text(encoding="utf-8")
    assert json.loads(text)["OTIO_SCHEMA"].startswith("Timeline.")
    assert text.index('"leader"') < text.index('"picture"')


def test_gen_packages_beside_the_executable_reach_the_children_with_the_whole_standard_library(
        bundle: Bundle) -> None:
    # What torch and diffusers would find when a user installs them into gen-packages/.
    extra = bundle.folder / "gen-packages"
    extra.mkdir()
    try:
        (extra / "promptcut_probe.py").write_text(
            "import importlib.resources, multiprocessing.pool, sqlite3, sys, unittest.mock\n"
            "help = importlib.resources.files('editor.ui').joinpath('help', 'getting_started.md')\n"
            "print(sys.argv[1:], help.is_file())\n", encoding="utf-8")
        done = checked(bundle.run("--run-module", "promptcut_probe", "a", "b"))
    finally:
        for path in sorted(extra.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        extra.rmdir()
    assert done.stdout.strip() == "['a', 'b'] True"


def test_generating_in_the_bundle_without_torch_says_in_one_line_how_to_add_it(bundle: Bundle,
                                                                               tmp_path: Path) -> None:
    out = tmp_path / "shot.mp4"
    done = bundle.run("generate", "a lighthouse at dusk", "--model", "tiny-wan", "--steps", "2", "-o", str(out),
                      "-y", "-q", extra_env={"PROMPTCUT_MODELS": str(tmp_path / "models")}, timeout=180)
    assert done.returncode != 0 and not out.exists()
    assert "Traceback" not in done.stderr
    assert str(bundle.folder / "gen-packages") in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr

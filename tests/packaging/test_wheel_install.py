"""PromptCut as a user installs it: the wheel built from this tree, installed into a fresh virtual environment
(its dependencies, not the [gen] extra), and run from there with this checkout nowhere on the import path.

One wheel and one environment serve the whole module; building and installing take some ten seconds when pip
finds the dependencies in its cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging_support import assert_small_export, checked, small_timeline, smoke_places

import editor

# Building a wheel and installing it with its dependencies is the slowest setup here (still in the default run).
pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
# What a checkout holds that is no part of the package: built leftovers (a stale build/lib would put deleted
# modules into the wheel), caches and environments.
NOT_SOURCE = (".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
              ".hypothesis", ".import_linter_cache", "out")


@dataclass(frozen=True)
class Install:
    prefix: Path           # the fresh virtual environment
    bin: Path              # its scripts folder (promptcut, python)
    cwd: Path              # an empty folder the commands run in
    env: dict[str, str]    # no PYTHONPATH, no other virtual environment

    def run(self, *args: str, extra_env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, text=True, cwd=self.cwd,
                              env={**self.env, **(extra_env or {})}, timeout=timeout)


def _copy_source(dest: Path) -> Path:
    """The package's source as a fresh clone would have it, so a build never reads or writes the checkout."""
    shutil.copytree(CHECKOUT, dest, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    return dest


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    root = tmp_path_factory.mktemp("wheel-install")
    source = _copy_source(root / "source")
    dist = root / "dist"
    checked(subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-q"],
                            capture_output=True, text=True, cwd=root, timeout=600))
    wheels = sorted(dist.glob("promptcut-*.whl"))
    assert len(wheels) == 1, wheels
    prefix = root / "venv"
    checked(subprocess.run([sys.executable, "-m", "venv", str(prefix)], capture_output=True, text=True,
                            timeout=300))
    scripts = prefix / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
                                                            "PYTHONSTARTUP", "PROMPTCUT_DEBUG")}
    env["PATH"] = os.pathsep.join([str(scripts), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    cwd = root / "elsewhere"
    cwd.mkdir()
    checked(subprocess.run([str(scripts / "python"), "-m", "pip", "install", "-q", str(wheels[0])],
                            capture_output=True, text=True, cwd=cwd, env=env, timeout=900))
    return Install(prefix=prefix, bin=scripts, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def timeline_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_timeline(tmp_path_factory.mktemp("wheel-timeline"))


def test_the_wheel_installs_the_editor_itself_not_a_link_to_the_checkout(install: Install) -> None:
    code = ("import editor, importlib.util, importlib.resources as r; print(editor.__file__); "
            "print(importlib.util.find_spec('torch') is not None); "
            "print(r.files('editor.ui').joinpath('help', 'getting_started.md').is_file())")
    lines = checked(install.run("python", "-c", code)).stdout.splitlines()
    module = Path(lines[0]).resolve()
    assert module.is_relative_to(install.prefix.resolve()), module
    assert not module.is_relative_to(CHECKOUT), module
    assert lines[1] == "False", "torch came with the plain install; it belongs to the [gen] extra"
    assert lines[2] == "True", "Help's getting-started page is missing from the package"
    assert (install.prefix / "share" / "applications" / "promptcut.desktop").is_file()


def test_version_names_the_installed_release(install: Install) -> None:
    done = checked(install.run("promptcut", "--version"))
    assert done.stdout.strip() == f"promptcut {editor.__version__}"


def test_presets_lists_every_export_preset(install: Install) -> None:
    done = checked(install.run("promptcut", "presets"))
    names = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert names == ["tiktok", "reels", "shorts", "youtube", "square"]


def test_a_timeline_exports_headless_with_captions_in_the_installed_fonts(install: Install, timeline_file: Path,
                                                                          tmp_path: Path) -> None:
    captions = tmp_path / "cues.srt"
    captions.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello from the wheel\n", encoding="utf-8")
    out = tmp_path / "out.mp4"
    done = checked(install.run("promptcut", "export", str(timeline_file), "-o", str(out), "-q",
                                "--captions", str(captions)))
    assert "Traceback" not in done.stderr
    assert_small_export(out)
    assert out.with_suffix(".srt").is_file()


def test_the_window_opens_offscreen_with_the_installed_theme_icons_and_fonts(install: Install,
                                                                             timeline_file: Path) -> None:
    done = checked(install.run("promptcut", "open", "--smoke", str(timeline_file),
                                extra_env={"QT_QPA_PLATFORM": "offscreen"}, timeout=120))
    assert "Traceback" not in done.stderr
    for place in smoke_places(done).values():
        assert Path(place).resolve().is_relative_to(install.prefix.resolve() / "share" / "promptcut"), place

"""How children are started and what a user without torch is told, from a checkout and (simulated: ``sys.frozen``
and the launcher's place) inside the desktop bundle. test_bundle.py runs the real bundle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generation import child_python
from generation.ffmpeg import find_ffmpeg


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bundle's folder: ``sys.executable`` is its launcher and ``sys.frozen`` is set, as PyInstaller does."""
    launcher = tmp_path / "promptcut"
    launcher.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(launcher))
    monkeypatch.delenv("PROMPTCUT_FFMPEG", raising=False)
    return tmp_path


def test_from_a_checkout_the_child_is_this_interpreter_running_the_module_or_its_file(tmp_path: Path) -> None:
    assert child_python.child_command("json.tool", ["--help"]) == [sys.executable, "-m", "json.tool", "--help"]
    script = tmp_path / "child.py"
    script.write_text("import sys; print(sys.flags.isolated, sys.argv[1:])\n", encoding="utf-8")
    command = child_python.child_command("child", ["a", "b"], script=script, isolated=True)
    assert command[:3] == [sys.executable, "-I", str(script)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1 ['a', 'b']"
    assert child_python.gen_install_command() == "pip install 'promptcut[gen]'"


def test_in_the_bundle_the_launcher_runs_the_module_whatever_was_asked(bundle: Path) -> None:
    launcher = str(bundle / "promptcut")
    assert child_python.child_command("editor.interchange.foreign_child", ["edl"], script="x.py", isolated=True) == [
        launcher, "--run-module", "editor.interchange.foreign_child", "edl"]
    assert child_python.child_command("generation.worker", python=launcher)[:3] == [
        launcher, "--run-module", "generation.worker"]
    # Another interpreter named on purpose (a test's broken python) is still that interpreter.
    assert child_python.child_command("generation.worker", python="/elsewhere/python")[:3] == [
        "/elsewhere/python", "-m", "generation.worker"]


def test_in_the_bundle_the_torch_hint_installs_into_gen_packages_for_the_bundles_python(bundle: Path) -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    target = bundle.resolve() / "gen-packages"
    assert child_python.gen_install_command() == (
        f"python{version} -m pip install --target {target} 'promptcut[gen]'")
    line = child_python.gen_missing_message()
    assert "\n" not in line and line.endswith(child_python.gen_install_command())


def test_in_the_bundle_its_own_ffmpeg_comes_before_the_systems(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = bundle / "system"
    system.mkdir()
    for folder in (system, bundle / "bin"):
        folder.mkdir(exist_ok=True)
        (folder / "ffmpeg").write_text("#!/bin/sh\n", encoding="utf-8")
        (folder / "ffmpeg").chmod(0o755)
    monkeypatch.setenv("PATH", str(system))
    assert find_ffmpeg() == str((bundle / "bin" / "ffmpeg").resolve())
    (bundle / "bin" / "ffmpeg").unlink()
    import imageio_ffmpeg

    assert find_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()

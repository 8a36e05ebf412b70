"""The versions the About box and the problem report show: read without importing torch or Qt."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import subprocess
import sys

import editor
from editor import doctor
from editor.support import versions
from editor.support.versions import GPU_ELSEWHERE, collect_versions, versions_text


def test_the_rows_name_promptcut_python_qt_ffmpeg_torch_the_gpu_and_the_os_in_that_order():
    rows = collect_versions("6.9.9")
    assert [name for name, _ in rows] == ["PromptCut", "Python", "Qt", "ffmpeg", "torch", "GPU", "OS"]
    values = dict(rows)
    assert values["PromptCut"] in {editor.__version__, importlib.metadata.version("promptcut")}
    assert values["Python"].startswith(platform.python_version())
    assert values["Qt"].startswith("Qt 6.9.9 / PySide6 ")
    assert platform.system() in values["OS"]


def test_ffmpeg_is_the_real_one_promptcut_doctor_finds():
    value = dict(collect_versions())["ffmpeg"]
    assert not value.startswith("not usable")
    assert doctor.check_ffmpeg().detail == value


def test_torch_comes_from_its_installed_metadata():
    value = dict(collect_versions())["torch"]
    if importlib.util.find_spec("torch") is None:
        assert value.startswith("not installed")
    else:
        assert value == importlib.metadata.version("torch")


def test_collecting_versions_imports_neither_torch_nor_qt():
    code = ("import sys; from editor.support.versions import collect_versions; rows = collect_versions(); "
            "print(len(rows), 'torch' in sys.modules, any(m.startswith('PySide6') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["7", "False", "False"]


def test_the_gpu_points_at_generate_models_when_the_doctor_cannot_tell_without_torch(monkeypatch):
    monkeypatch.delattr(doctor, "gpu_without_torch", raising=False)
    assert dict(collect_versions())["GPU"] == GPU_ELSEWHERE


def test_the_gpu_is_the_doctors_answer_when_it_can_give_one_and_the_fallback_when_it_fails(monkeypatch):
    monkeypatch.setattr(doctor, "gpu_without_torch", lambda: "NVIDIA H100, 80 GB", raising=False)
    assert versions.gpu_description() == "NVIDIA H100, 80 GB"

    def broken() -> str:
        raise RuntimeError("driver mismatch")

    monkeypatch.setattr(doctor, "gpu_without_torch", broken, raising=False)
    assert versions.gpu_description() == GPU_ELSEWHERE


def test_an_unusable_ffmpeg_is_said_as_such():
    failed = doctor.CheckResult("ffmpeg", "fail", "ffmpeg was not found")
    assert versions.ffmpeg_version(lambda: failed) == "not usable: ffmpeg was not found"


def test_the_plain_text_is_one_aligned_line_per_row():
    assert versions_text([("Qt", "6.9"), ("PromptCut", "0.1.0")]) == "Qt         6.9\nPromptCut  0.1.0\n"

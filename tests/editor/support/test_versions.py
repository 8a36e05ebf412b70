"""The versions the About box and the problem report show: read without importing torch or Qt."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import subprocess
import sys

import editor
from editor import doctor
from editor.gpus import describe_gpus, detect_gpus
from editor.support import versions
from editor.support.versions import collect_versions, versions_text


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


def nvidia_smi(stdout: str, returncode: int = 0):
    """The driver tool's answer (the one true edge here): ``run`` as subprocess.run would return it."""
    def run(cmd, **kwargs):
        assert cmd[0] == "/usr/bin/nvidia-smi" and "--query-gpu=name,memory.total,driver_version" in cmd
        return subprocess.CompletedProcess(cmd, returncode, stdout=stdout, stderr="")

    return lambda: detect_gpus(run=run, which=lambda name: f"/usr/bin/{name}")


def test_the_gpu_row_names_the_card_its_memory_and_driver_from_nvidia_smi():
    detect = nvidia_smi("NVIDIA GeForce RTX 4090, 24564, 550.54.14\n")
    assert versions.gpu_description(detect) == "NVIDIA GeForce RTX 4090, 24 GiB, driver 550.54.14"
    two = nvidia_smi("NVIDIA H100 80GB HBM3, 81559, 535.104.05\nNVIDIA H100 80GB HBM3, 81559, 535.104.05\n")
    assert versions.gpu_description(two).count("NVIDIA H100 80GB HBM3, 80 GiB") == 2


def test_no_driver_or_a_failing_one_says_no_nvidia_gpu_and_the_about_box_still_opens():
    assert versions.gpu_description(lambda: detect_gpus(which=lambda name: None)).startswith("no NVIDIA GPU")
    failing = nvidia_smi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", 9)
    assert versions.gpu_description(failing).startswith("no NVIDIA GPU")

    def broken():
        raise RuntimeError("driver mismatch")

    assert versions.gpu_description(broken).startswith("no NVIDIA GPU")


def test_the_about_rows_ask_this_machine_s_driver():
    row = dict(collect_versions())["GPU"]
    assert row == describe_gpus(detect_gpus())


def test_an_unusable_ffmpeg_is_said_as_such():
    failed = doctor.CheckResult("ffmpeg", "fail", "ffmpeg was not found")
    assert versions.ffmpeg_version(lambda: failed) == "not usable: ffmpeg was not found"


def test_the_plain_text_is_one_aligned_line_per_row():
    assert versions_text([("Qt", "6.9"), ("PromptCut", "0.1.0")]) == "Qt         6.9\nPromptCut  0.1.0\n"

"""The versions of everything PromptCut runs on, for the About box and the problem report.

Read without importing the heavy packages: torch's version comes from its installed metadata
(``importlib.metadata``), because importing torch takes seconds and gigabytes, and the About box opens on the
GUI thread. Qt's runtime version is handed in by the caller (only ``editor/ui`` may import Qt).
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from collections.abc import Callable, Sequence
from functools import cache

import editor
from editor.gpus import Gpu, describe_gpus, detect_gpus
from generation.child_python import gen_install_command


def package_version(*names: str) -> str | None:
    """The installed version of the first distribution in ``names`` that is installed, else None."""
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def promptcut_version() -> str:
    """The installed distribution's version (a wheel), else the package's own (a checkout)."""
    return package_version("promptcut") or editor.__version__


def ffmpeg_version(check: Callable[[], object] | None = None) -> str:
    """ffmpeg's version and where it is, as ``promptcut doctor`` finds it; the doctor's line when it cannot."""
    from editor.doctor import check_ffmpeg

    result = (check or check_ffmpeg)()
    detail = getattr(result, "detail", "") or "unknown"
    return detail if getattr(result, "level", "ok") == "ok" else f"not usable: {detail}"


def torch_version() -> str:
    version = package_version("torch")
    return version if version else f"not installed (generation needs the [gen] extra: {gen_install_command()})"


@cache
def _gpus_of_this_machine() -> tuple[Gpu, ...]:
    # Asked once a run: the cards do not change under a running editor, and nvidia-smi can take a second to
    # wake an idle driver, which the About box would otherwise pay on the GUI thread each time it opens.
    return tuple(detect_gpus())


def gpu_description(detect: Callable[[], Sequence[Gpu]] | None = None) -> str:
    """The NVIDIA GPUs (name, memory, driver) as the driver's own tool reports them, without importing torch."""
    try:
        gpus = detect() if detect is not None else _gpus_of_this_machine()
    except Exception:  # noqa: BLE001 - the About box must open whatever a driver says
        gpus = ()
    return describe_gpus(list(gpus))


def os_description() -> str:
    return f"{platform.system() or sys.platform} {platform.release()} ({platform.platform()})".strip()


def collect_versions(qt_version: str | None = None, *,
                     ffmpeg: Callable[[], str] = ffmpeg_version) -> list[tuple[str, str]]:
    """(name, version) rows in the order shown: PromptCut, Python, Qt/PySide6, ffmpeg, torch, GPU, OS.

    ``qt_version``: the Qt runtime's own version (``PySide6.QtCore.qVersion()``), when the caller has Qt."""
    pyside = package_version("PySide6", "PySide6-Essentials")
    qt = " / ".join(part for part in (f"Qt {qt_version}" if qt_version else "",
                                      f"PySide6 {pyside}" if pyside else "") if part)
    return [
        ("PromptCut", promptcut_version()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"),
        ("Qt", qt or "PySide6 is not installed"),
        ("ffmpeg", ffmpeg()),
        ("torch", torch_version()),
        ("GPU", gpu_description()),
        ("OS", os_description()),
    ]


def versions_text(rows: list[tuple[str, str]]) -> str:
    """The rows as aligned plain text, one per line, ending with a newline."""
    width = max((len(name) for name, _ in rows), default=0)
    return "".join(f"{name:<{width}}  {value}\n" for name, value in rows)

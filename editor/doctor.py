"""``promptcut doctor``: is this machine ready to run PromptCut, and if not, the exact command that fixes it.

Each check returns one :class:`CheckResult` (a name, ok/warn/fail, a one-line detail and a fix). ``fail`` is kept
for what stops PromptCut from working (the window cannot open, nothing can be exported); everything that only
makes it poorer (silent playback, generation on the CPU, a nearly full disk) is a ``warn``.

No Qt here: the Qt check has to work exactly when Qt cannot start. It finds PySide6's platform plugin with
``importlib.util.find_spec`` (which does not import the package) and asks ``ldd`` which of the plugin's shared
libraries the system lacks, then names the Debian/Ubuntu packages that provide them. Qt's own message on a bare
Debian box names ``libxcb-cursor0`` while the libraries actually missing are usually ``libxcb-icccm4`` and
``libxcb-keysyms1``, and it ends in an abort: the editor runs :func:`startup_problem` before Qt gets that far.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from editor.playback.output import quiet_stderr
from generation.child_python import frozen, gen_install_command

Level = Literal["ok", "warn", "fail"]

# Points the Qt check at another xcb plugin file: for a Qt installed elsewhere, and for tests that need a plugin
# whose libraries are missing.
XCB_PLUGIN_ENV = "PROMPTCUT_QT_XCB_PLUGIN"

LOW_DISK_BYTES = 5 * 1000**3

# The libraries Qt's platform plugins link to, by soname, and the Debian/Ubuntu package that ships each. The
# names are the pre-"t64" ones: on newer releases apt picks the renamed package that provides them.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libexpat.so.1": "libexpat1",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libpulse.so.0": "libpulse0",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


@dataclass(frozen=True)
class CheckResult:
    name: str
    level: Level
    detail: str          # one line: what was found
    fix: str = ""        # one line: the exact thing to do about it ("" when nothing is to be done)


# --- pure logic ---------------------------------------------------------------------------------------------


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, in its order, each once."""
    found: list[str] = []
    for line in ldd_output.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def debian_packages(sonames: Sequence[str]) -> tuple[list[str], list[str]]:
    """(packages that provide ``sonames``, each once; the sonames no package is known for)."""
    packages: list[str] = []
    unknown: list[str] = []
    for soname in sonames:
        package = DEBIAN_PACKAGES.get(soname)
        if package is None:
            unknown.append(soname)
        elif package not in packages:
            packages.append(package)
    return packages, unknown


def install_command(packages: Sequence[str], *, as_root: bool) -> str:
    return f"{'' if as_root else 'sudo '}apt-get install {' '.join(packages)}"


def library_fix(sonames: Sequence[str], *, has_apt: bool, as_root: bool) -> str:
    """The one line that installs what provides ``sonames``: an apt-get command where apt exists."""
    packages, unknown = debian_packages(sonames)
    if not has_apt:
        return f"install your system's packages that provide {', '.join(sonames)}"
    fix = install_command(packages, as_root=as_root) if packages else ""
    if unknown:
        hint = f"find the packages providing {', '.join(unknown)} (apt-file search NAME)"
        fix = f"{fix}; then {hint}" if fix else hint
    return fix


def qt_platform(environ: Mapping[str, str]) -> str:
    """The platform plugin Qt will load: the first of ``QT_QPA_PLATFORM`` (``wayland;xcb``, ``xcb:opts``), else
    what Qt 6 picks by itself on Linux: wayland in a Wayland session, xcb everywhere else."""
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return re.split(r"[;:]", chosen, maxsplit=1)[0].strip().lower()
    if environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def would_use_xcb(environ: Mapping[str, str]) -> bool:
    """Qt will load its X11 (xcb) plugin and reach a display: the case where missing libraries make Qt abort."""
    return sys.platform.startswith("linux") and qt_platform(environ) == "xcb" and bool(environ.get("DISPLAY"))


def _gb(n: int | float) -> str:
    return f"{n / 1000**3:.1f} GB"


# --- Qt --------------------------------------------------------------------------------------------------------


def platform_plugin(platform: str = "xcb", environ: Mapping[str, str] = os.environ) -> Path | None:
    """PySide6's plugin file for ``platform`` (``$PROMPTCUT_QT_XCB_PLUGIN`` for xcb when set); None if no
    PySide6 is installed. Found without importing PySide6, whose import already needs some of these libraries."""
    if platform == "xcb" and environ.get(XCB_PLUGIN_ENV):
        return Path(environ[XCB_PLUGIN_ENV])
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms" / f"libq{platform}.so"


def run_ldd(path: Path) -> str | None:
    """ldd's report on ``path``; None if ldd is missing or cannot read it."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        done = subprocess.run([ldd, str(path)], capture_output=True, text=True, timeout=20,
                              env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if "=>" in done.stdout else None


def check_qt_libraries(environ: Mapping[str, str] = os.environ,
                       ldd: Callable[[Path], str | None] = run_ldd) -> CheckResult:
    name = "Qt platform libraries"
    if not sys.platform.startswith("linux"):
        return CheckResult(name, "ok", "nothing to check outside Linux")
    platform = qt_platform(environ)
    plugin = platform_plugin(platform, environ)
    if plugin is None:
        return CheckResult(name, "fail", "PySide6 is not installed: the editor window cannot open",
                           "make   (or: .venv/bin/pip install -e .)")
    if not plugin.is_file():
        if platform == "xcb":
            return CheckResult(name, "fail", f"Qt's xcb platform plugin is missing: {plugin}",
                               "reinstall PySide6: .venv/bin/pip install --force-reinstall PySide6-Essentials")
        return CheckResult(name, "warn", f"QT_QPA_PLATFORM names {platform!r}, which this PySide6 does not ship",
                           "unset QT_QPA_PLATFORM (or set it to xcb, wayland or offscreen)")
    report = ldd(plugin)
    if report is None:
        return CheckResult(name, "warn", f"could not list the libraries of {plugin.name} (no ldd?)",
                           "install libc-bin (it ships ldd) to let this check run")
    missing = missing_libraries(report)
    if not missing:
        return CheckResult(name, "ok", f"everything Qt's {platform} plugin needs is installed")
    fix = library_fix(missing, has_apt=shutil.which("apt-get") is not None, as_root=_is_root())
    return CheckResult(name, "fail", f"Qt's {platform} plugin cannot load: missing {', '.join(missing)}", fix)


def check_display(environ: Mapping[str, str] = os.environ) -> CheckResult:
    name = "display"
    if not sys.platform.startswith("linux"):
        return CheckResult(name, "ok", "the system's own window system")
    platform = qt_platform(environ)
    needed = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}.get(platform)
    if needed is None:
        return CheckResult(name, "ok", f"QT_QPA_PLATFORM={platform}: no display needed")
    if environ.get(needed):
        return CheckResult(name, "ok", f"{needed}={environ[needed]} (Qt platform: {platform})")
    return CheckResult(name, "warn", f"{needed} is not set: the editor window cannot open here (Qt platform: "
                       f"{platform})", "run in a desktop session, or headless: export QT_QPA_PLATFORM=offscreen")


def startup_problem(environ: Mapping[str, str] = os.environ,
                    ldd: Callable[[Path], str | None] = run_ldd) -> list[str]:
    """What to tell the user instead of letting Qt abort (one or two lines), or [] when Qt can start, as far as
    can be told: only the X11 path is checked, since that is where Qt aborts with a misleading message."""
    if not would_use_xcb(environ):
        return []
    result = check_qt_libraries(environ, ldd)
    if result.level != "fail":
        return []
    lines = [f"promptcut: the editor window cannot start: {result.detail}"]
    if result.fix:
        lines.append(f"promptcut: fix: {result.fix}   (then run `promptcut doctor` to check the rest)")
    return lines


# --- audio, ffmpeg, GPU, disk ------------------------------------------------------------------------------


def audio_result(backend: str | None, playbacks: Sequence[str], error: str = "") -> CheckResult:
    """The audio verdict from what miniaudio found: its backend, the playback device names, or its error."""
    name = "audio output"
    fix = (f"run a sound server: {install_command(['pulseaudio'], as_root=_is_root())} (or pipewire-pulse), "
           "then pulseaudio --start or log in again")
    # A null output (miniaudio's Null backend, PulseAudio's null sink on a headless box) keeps time but is silent.
    real = [p for p in playbacks if p and "null" not in p.lower()]
    if real and backend and backend.lower() != "null" and not error:
        more = f" and {len(real) - 1} more" if len(real) > 1 else ""
        return CheckResult(name, "ok", f"{backend}: {real[0]}{more}")
    if error:
        why = error
    elif not backend or backend.lower() == "null":
        why = "no sound system found"
    elif playbacks:   # a sound server runs, but with nowhere to send the sound
        why = f"only {backend}'s null output"
        fix = "connect an output device, or pick one in the sound settings (pactl list short sinks)"
    else:
        why = f"{backend} lists no playback device"
    return CheckResult(name, "warn", f"no audio device: playback will be silent ({why})", fix)


def check_audio() -> CheckResult:
    try:
        import miniaudio
    except ImportError:
        return CheckResult("audio output", "warn", "the miniaudio package is missing: playback will be silent",
                           "make   (or: .venv/bin/pip install miniaudio)")
    backend: str | None = None
    try:
        with quiet_stderr():
            devices = miniaudio.Devices()
            backend = str(devices.backend)
            names = [str(device.get("name", "")) for device in devices.get_playbacks()]
    except Exception as exc:  # noqa: BLE001 - any failure of the audio stack means the same thing: no sound
        error = " ".join(str(exc).split()) or type(exc).__name__
        return audio_result(backend, [], f"{backend}: {error}" if backend else error)
    return audio_result(backend, names)


def check_text(shaping: Callable[[], bool] | None = None) -> CheckResult:
    """The fonts titles are drawn with, and right-to-left shaping (raqm loads the system's FriBiDi)."""
    from editor.render.text import font_paths, shaping_available

    name = "titles"
    try:
        fonts = font_paths()
    except OSError as exc:
        return CheckResult(name, "fail", f"the title fonts cannot be read: {exc}", "make   (reinstall PromptCut)")
    if not fonts:
        return CheckResult(name, "fail", "no title fonts were found", "make   (reinstall PromptCut)")
    if not (shaping or shaping_available)():
        return CheckResult(name, "warn", "FriBiDi is missing: Arabic and Hebrew titles come out unjoined and in "
                           "the wrong order", install_command(["libfribidi0"], as_root=_is_root()))
    return CheckResult(name, "ok", f"{len(fonts)} fonts, right-to-left shaping with raqm")


def check_ffmpeg() -> CheckResult:
    from editor.media.ffmpeg import FFmpegNotFound, ffmpeg_exe

    name = "ffmpeg"
    try:
        exe = ffmpeg_exe()
    except FFmpegNotFound as exc:
        return CheckResult(name, "fail", str(exc), f"{_apt_ffmpeg()}   (or: make, which installs imageio-ffmpeg)")
    try:
        done = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        return CheckResult(name, "fail", f"{exe} does not run: {exc}", _apt_ffmpeg())
    if done.returncode != 0:
        return CheckResult(name, "fail", f"{exe} does not run (exit {done.returncode})", _apt_ffmpeg())
    first = (done.stdout.splitlines() or [""])[0]
    version = first.split(" Copyright")[0].removeprefix("ffmpeg version ").strip()
    return CheckResult(name, "ok", f"{version or 'unknown version'} at {exe}")


def _driver_gpus(detect_gpus: Callable[[], Sequence[object]] | None) -> str:
    """The GPUs the driver's own tool names, one line ("" when none): what the machine has, whether or not torch
    can use it. ``detect_gpus``: nvidia-smi through ``editor.gpus`` unless a test hands in another probe."""
    if detect_gpus is None:
        from editor.gpus import detect_gpus
    try:
        gpus = list(detect_gpus())
    except Exception:  # noqa: BLE001 - a driver tool's surprise is no reason to fail the doctor
        return ""
    return "; ".join(g.describe() if hasattr(g, "describe") else str(g) for g in gpus)


def check_gpu(detect_gpus: Callable[[], Sequence[object]] | None = None, *,
              torch_installed: bool | None = None) -> CheckResult:
    """The GPU generation would use. Without torch (or with a CPU-only torch), the driver's own tool still names
    the card (``editor.gpus``), so the user learns that installing the [gen] extra is worth it."""
    name = "GPU for generation"
    if torch_installed is None:
        torch_installed = importlib.util.find_spec("torch") is not None
    if not torch_installed:
        missing = "PyTorch is not installed: generating shots needs the [gen] extra"
        found = _driver_gpus(detect_gpus)
        # The desktop bundle takes the packages into its gen-packages folder, for its own Python version.
        fix = gen_install_command() if frozen() else ".venv/bin/pip install -e '.[gen]'   (make does this)"
        return CheckResult(name, "warn", f"{found} ({missing})" if found else missing, fix)
    try:
        import torch

        if not torch.cuda.is_available():
            found = _driver_gpus(detect_gpus)
            if found:
                return CheckResult(name, "warn", f"{found}, but torch {torch.__version__} cannot use it (a CPU "
                                   "build?): generation runs on the CPU",
                                   "install torch's CUDA build (https://pytorch.org/get-started/locally/)")
            return CheckResult(name, "warn", f"no CUDA GPU (torch {torch.__version__}): generation runs on the "
                               "CPU, fine for the tiny test models, very slow for real ones")
        props = torch.cuda.get_device_properties(0)
        free, total = torch.cuda.mem_get_info(0)
    except Exception as exc:  # noqa: BLE001 - a broken driver is a finding to report, not a crash of the doctor
        return CheckResult(name, "warn", f"PyTorch cannot use the GPU: {' '.join(str(exc).split())}",
                           "check the NVIDIA driver with nvidia-smi")
    return CheckResult(name, "ok", f"{props.name}, {_gb(total)} memory ({_gb(free)} free), "
                       f"CUDA {torch.version.cuda}, torch {torch.__version__}")


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent: a folder not made yet lives on its parent's disk."""
    path = path.absolute()
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_disk(folders: Sequence[Path] | None = None, low: int = LOW_DISK_BYTES) -> CheckResult:
    """Free space where projects, generated takes and model weights go; each disk once."""
    from generation.paths import models_dir, user_cache_dir

    name = "free disk space"
    places = list(folders) if folders is not None else [Path.cwd(), user_cache_dir(), models_dir()]
    seen: dict[int, tuple[Path, int]] = {}
    for place in places:
        where = _existing(Path(place))
        try:
            device = where.stat().st_dev
            if device not in seen:
                seen[device] = (place, shutil.disk_usage(where).free)
        except OSError:
            continue
    if not seen:
        return CheckResult(name, "warn", "could not read the free space of any folder")
    text = ", ".join(f"{_gb(free)} at {place}" for place, free in seen.values())
    short = [(place, free) for place, free in seen.values() if free < low]
    if short:
        place, _ = short[0]
        return CheckResult(name, "warn", f"under {_gb(low)} free: {text}",
                           f"free some space on the disk of {place} (exports, takes and models need room)")
    return CheckResult(name, "ok", text)


def _apt_ffmpeg() -> str:
    return install_command(["ffmpeg"], as_root=_is_root())


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_checks(folders: Sequence[Path] | None = None, *,
               detect_gpus: Callable[[], Sequence[object]] | None = None) -> list[CheckResult]:
    """Every check, in the order they are printed. ``detect_gpus``: see :func:`check_gpu`."""
    return [check_qt_libraries(), check_display(), check_audio(), check_ffmpeg(), check_text(),
            check_gpu(detect_gpus), check_disk(folders)]

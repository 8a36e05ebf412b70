"""What the ``promptcut`` subcommands share: exit codes, the one-line error, argument types, opening a
document, a progress line and Ctrl+C as a cancel. Standard library only at import time (the command starts
fast)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130


class CliError(Exception):
    """A failure to report as one line."""

    exit_code = EXIT_ERROR


class CliUsageError(CliError):
    """A mistake in what was asked for (a missing file, an unknown model, a script error), found before any
    work: one line and exit code 2, like argparse's own."""

    exit_code = EXIT_USAGE


class _Fraction:
    """A progress value for _ProgressLine."""

    stage = "downloading"

    def __init__(self, fraction: float, eta_s: float | None) -> None:
        self.fraction = fraction
        self.eta_s = eta_s


def _bounded_float(minimum: float, inclusive: bool) -> Callable[[str], float]:
    """An argparse type: a finite number above ``minimum`` (or equal to it when ``inclusive``)."""
    wording = f"{minimum:g} or more" if inclusive else f"more than {minimum:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (value >= minimum if inclusive else value > minimum) or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be {wording}, got {text}")
        return value

    return parse


_positive_float = _bounded_float(0, inclusive=False)
_non_negative_float = _bounded_float(0, inclusive=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"must be in 0..2**63-1, got {text}")
    return value


def _cluster_address(text: str):
    """An argparse type: ``--cluster ADDRESS`` as a ``ClusterConfig`` (``local``, ``local:N``, ``auto``,
    ``ray://HOST:PORT`` or ``HOST:PORT``)."""
    from editor.generate.preferences import parse_cluster

    try:
        return parse_cluster(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_cluster_option(p: argparse.ArgumentParser, what: str = "the shots") -> None:
    p.add_argument("--cluster", type=_cluster_address, metavar="ADDRESS",
                   help=f"generate {what} on a Ray cluster: ray://HOST:10001, auto (the cluster this machine is a "
                   "node of), or local / local:N (a Ray on this machine with N workers); default: "
                   "$PROMPTCUT_RAY_ADDRESS, else this computer. Needs promptcut[cluster]")


def cluster_choice(args: argparse.Namespace, *, used: bool = True, quiet: bool = False):
    """Where this command generates: ``--cluster``, else ``$PROMPTCUT_RAY_ADDRESS``, else None (this computer).
    Checked before any work: ``--cluster`` on a command that generates nothing, an unreadable
    ``$PROMPTCUT_RAY_ADDRESS`` or Ray not installed is one line and exit code 2. ``used``: the command will
    generate (``--generate`` given)."""
    from generation.cluster.config import RAY_ADDRESS_ENV, ray_available, ray_missing_message

    chosen = getattr(args, "cluster", None)
    if chosen is not None and not used:
        raise CliUsageError("--cluster chooses where --generate runs: add --generate")
    if not used:
        return None
    if chosen is None and os.environ.get(RAY_ADDRESS_ENV, "").strip():
        from editor.generate.preferences import GenerationPreferences, cluster_config

        try:
            chosen = cluster_config(GenerationPreferences())
        except ValueError as exc:
            raise CliUsageError(str(exc)) from None
    if chosen is None:
        return None
    if not ray_available():
        raise CliUsageError(ray_missing_message())
    if not quiet:
        print(f"generating on {chosen.describe()}", file=sys.stderr)
    return chosen


# --- helpers -------------------------------------------------------------------------------------------


def _open(path: str):
    from editor.documents import open_document

    if not os.path.exists(path):
        raise CliError(f"no such file: {path}")
    return open_document(path)


def _describe_media(info) -> list[str]:
    lines = [info.path]
    if info.duration is not None:
        lines.append(f"  duration   {float(info.duration):.3f} s")
    if info.is_image:
        lines.append(f"  image      {info.width}x{info.height} {info.pixel_format or ''}".rstrip())
    elif info.has_video:
        rate = f"{float(info.fps):.3f} fps" if info.fps else "unknown rate"
        vfr = " (variable frame rate)" if info.variable_frame_rate else ""
        rot = f", rotated {info.rotation}°" if info.rotation else ""
        hdr = f", HDR ({info.color_transfer})" if info.is_hdr else ""
        lines.append(
            f"  video      {info.video_codec} {info.width}x{info.height} {info.pixel_format} {rate}{vfr}{rot}{hdr}"
        )
    if info.has_audio:
        lines.append(f"  audio      {info.audio_codec} {info.sample_rate} Hz, {info.channels} ch")
    return lines


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CliError(f"size must look like 1080x1920, got {text!r}") from None
    if w <= 0 or h <= 0 or w > 16384 or h > 16384:
        raise CliError(f"size out of range: {text}")
    return w, h


def _refuse_existing(path: str, overwrite: bool) -> None:
    if os.path.exists(path) and not overwrite:
        raise CliError(f"{path} exists (use -y to replace it)")


class _ProgressLine:
    """Percent and ETA on one terminal line; occasional plain lines when stderr is not a terminal."""

    def __init__(self, quiet: bool = False, label: str = "exporting") -> None:
        self.quiet = quiet
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.drawn = False

    def __call__(self, progress) -> None:
        if self.quiet or progress.stage == "checking":
            return
        pct = int(progress.fraction * 100)
        eta = progress.eta_s
        eta_text = f"ETA {int(eta) // 60}:{int(eta) % 60:02d}" if eta is not None else "ETA --:--"
        if self.tty:
            sys.stderr.write(f"\r{self.label} {pct:3d}%  {eta_text}   ")
            sys.stderr.flush()
            self.drawn = True
        elif pct // 10 > self.last_decile:
            self.last_decile = pct // 10
            print(f"{self.label} {pct:3d}%  {eta_text}", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            self.drawn = False


class _sigint_sets:
    """Ctrl+C sets a cancel event (the exporter stops and cleans up) instead of raising mid-write."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.previous: Callable | int | None = None

    def __enter__(self) -> None:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.event.set())

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


# --- models list -----------------------------------------------------------------------------------------------

ABILITY_WORDS = {
    "text_to_video": "text-to-video",
    "image_to_video": "image-to-video",
    "first_last_frame": "first+last frame",
    "keyframes": "keyframes",
    "video_extension": "extend a clip",
    "video_lead_in": "lead into a clip",
    "reference_images": "reference images",
    "audio": "audio (makes its own sound)",
    "unbounded": "unbounded (any length)",
}


def model_abilities(model) -> list[str]:
    """The model's abilities as listed: its pipelines' abilities, then "audio" (it makes its own synchronized
    sound) and "unbounded" (any length in one call)."""
    words = sorted(a.value for a in model.abilities)
    if model.makes_audio:
        words.append("audio")
    if model.unbounded:
        words.append("unbounded")
    return words


def model_entry(row, device: str) -> dict:
    """``promptcut models list --json``: one model with its facts, licence, profiles and expected times."""
    from generation.shot_timing import profile_rows

    m = row.model
    return {
        **m.describe(),
        "abilities": model_abilities(m),
        "installed": row.installed,
        "path": str(row.path) if row.path else None,
        "size_bytes": row.size_bytes,
        "device": device,
        "profiles": [p.to_dict() for p in profile_rows(m, device)],
    }


def _licence_line(model) -> str:
    name = model.license or "licence not stated"
    if not model.license_restricted:
        return f"licence: {name}"
    terms = f": {model.license_terms}" if model.license_terms else ""
    where = f" ({model.license_url})" if model.license_url else ""
    return f"licence: {name} — RESTRICTED, read before downloading{terms}{where}"


def _profile_line(p, device: str) -> str:
    r = p.recipe
    parts = [f"{r.steps} steps", f"CFG {r.guidance:g}"]
    if r.lora is not None:
        parts.append(f"LoRA {r.lora.name}")
    if r.cache:
        parts.append(f"{r.cache.replace('_', ' ')} cache")
    time = p.estimate.text() if p.estimate is not None else "not measured yet"
    return f"{p.label:<9} {', '.join(parts):<44}  5 s shot on {device}: {time}"


def model_lines(row, device: str, width: int) -> list[str]:
    """``promptcut models list``: the model's first line (id, state, size, name), then its facts indented."""
    from generation.shot_timing import profile_rows

    m = row.model
    pad = " " * (width + 2)
    sizes = ", ".join(str(s) for s in m.sizes)
    window = "any length in one call" if m.unbounded else f"window {m.window} frames"
    vram = (
        f"VRAM {m.vram.minimum_gb:g} GB with offload, {m.vram.comfortable_gb:g} GB comfortable"
        if m.vram is not None
        else ("VRAM any (runs on the CPU)" if m.is_test_model else "VRAM unknown")
    )
    params = f", {m.params_b:g}B parameters" if m.params_b else ""
    words = [ABILITY_WORDS.get(a, a) for a in model_abilities(m)]
    lines = [
        f"{m.id:<{width}}  {row.state:<13}  {row.size_text:<18}  {m.label}",
        f"{pad}family {m.family}{params}; {', '.join(words)}",
        f"{pad}{sizes} at {m.fps} fps; {m.frames.describe()} frames, {window}; {vram}",
        f"{pad}{_licence_line(m)}",
    ]
    lines.extend(f"{pad}{_profile_line(p, device)}" for p in profile_rows(m, device))
    return lines


# --- sound models in `promptcut models list` --------------------------------------------------------------

_SOUND_KIND = {"speech": "voice", "sound": "sound", "transcript": "speech-to-text"}


def sound_model_entry(info) -> dict:
    """``promptcut models list --sound --json``: one voice, sound or speech-to-text model."""
    from editor.generate.audio_catalog import is_installed

    return {
        "id": info.id, "name": info.name, "kind": _SOUND_KIND[info.kind], "library": info.library,
        "repo": info.repo, "installed": is_installed(info), "built_in": info.builtin,
        "download_gb": info.size_gb or None, "license": info.license, "license_restricted": info.license_restricted,
        "license_url": info.license_url or None, "max_seconds": info.max_seconds or None,
        "voices": [{"id": v.id, "name": v.name, "language": v.language} for v in info.voices],
        "summary": info.summary,
    }


def sound_model_lines(models) -> list[str]:
    """The text listing of the sound models: a line each, then its licence and what it is for."""
    from editor.generate.audio_catalog import is_installed

    width = max(len(m.id) for m in models)
    lines = ["", "voices, sound and speech-to-text (promptcut models download ID):"]
    for m in models:
        state = "built in" if m.builtin else ("installed" if is_installed(m) else "not installed")
        size = "" if m.builtin else f"~{m.size_gb:g} GB download"
        lines.append(f"{m.id:<{width}}  {_SOUND_KIND[m.kind]:<14} {state:<13} {size}".rstrip())
        lines.append(f"    {m.name}: {m.summary}")
        restricted = " — RESTRICTED, read before downloading" if m.license_restricted else ""
        voices = f"; {len(m.voices)} voices" if m.voices else ""
        lines.append(f"    licence: {m.license or 'not stated'}{restricted}{voices}")
    return lines

"""What the OpenTimelineIO reader and writer share: the promptcut metadata key and schema, the error and result
types, media paths <-> ``target_url``, exact times and rates, and reading loosely typed metadata values."""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.model import MediaKind, Timeline

METADATA_KEY = "promptcut"
METADATA_VERSION = 1
GENERATOR_KIND = "text_to_video"
TAKE_KEY = "take_{}"   # named media references of a generated clip's takes, 1-based

# OTIO's named marker colours and the hex we show for each; ORANGE is our default marker colour.
MARKER_COLORS = {
    "RED": "#e04040",
    "ORANGE": "#e0a030",
    "YELLOW": "#e0e040",
    "GREEN": "#40c040",
    "CYAN": "#40c0c0",
    "BLUE": "#4060e0",
    "PURPLE": "#8040c0",
    "MAGENTA": "#e040e0",
    "PINK": "#f08cb4",
    "BLACK": "#000000",
    "WHITE": "#ffffff",
}

_NTSC_RATES = tuple(Fraction(n * 1000, 1001) for n in (24, 30, 48, 60, 120))
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")


class InterchangeError(Exception):
    """The file cannot be imported or written. The message is one line naming the file and the problem."""


@dataclass
class ImportResult:
    """A timeline read from OTIO, with what did not come across exactly (one line per problem)."""

    timeline: Timeline
    warnings: list[str] = field(default_factory=list)
    name: str = ""
    length: int = 0   # frames the file's timeline lasts, trailing gaps included (the timeline's duration)
    # True when the file said nothing of its picture size (another tool's file without a size we can read):
    # the canvas is a default, and the documents layer sets it from the media once they are probed.
    canvas_guessed: bool = False


# --- paths and URLs ---------------------------------------------------------------------------------------


def path_to_url(path: str) -> str:
    """The ``target_url`` we write for a media path.

    Absolute paths (POSIX, Windows drive, UNC) become percent-encoded ``file://`` URLs; relative paths stay
    plain relative paths, as OTIO's ``url_from_filepath`` writes them ("./" is put in front of one that would
    otherwise look like a URL scheme). :func:`url_to_path` inverts it exactly for POSIX paths.
    """
    if DRIVE_PATH.match(path):
        return "file:///" + _quote(path.replace("\\", "/"), safe="/:")
    if path.startswith("\\\\"):
        return "file:" + _quote(path.replace("\\", "/"), safe="/")
    if os.path.isabs(path):
        return "file://" + _quote(path, safe="/")
    if URL_SCHEME.match(path):
        return "./" + path
    return path


def url_to_path(url: str) -> str:
    """A media path from a ``target_url``: decodes ``file:`` URLs; anything else is taken as a plain path."""
    if url.lower().startswith("file:"):
        parsed = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parsed.path, errors="surrogateescape")
        if parsed.netloc and parsed.netloc.lower() != "localhost":
            return "//" + parsed.netloc + path   # UNC: file://host/share/x
        if re.match(r"^/[A-Za-z]:/", path):
            path = path[1:]
            return path.replace("/", "\\") if os.name == "nt" else path
        return path
    if url.startswith("./") and URL_SCHEME.match(url[2:]):
        return url[2:]
    return url


def _quote(text: str, safe: str) -> str:
    return urllib.parse.quote(text, safe=safe, encoding="utf-8", errors="surrogateescape")


def nowhere_path(name: str) -> str:
    """The path of media an OTIO file names but does not locate (a ``MissingReference``, an empty URL): its
    name under the null device, a path no file can have. A bare name would be relative, and be found in
    whatever folder the project is saved or opened from."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return os.path.join(os.devnull, base if base.strip(".") else "missing media")


def is_nowhere(path: str) -> bool:
    return os.path.dirname(path) == os.devnull


def file_exists(path: str) -> bool:
    try:
        return os.path.exists(path)
    except (ValueError, OSError):
        return False


# --- small conversions --------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """OTIO metadata (AnyDictionary/AnyVector) as plain dicts and lists. Call while the owner is alive."""
    if isinstance(value, (dict, otio._otio.AnyDictionary)):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, otio._otio.AnyVector)):
        return [plain(v) for v in value]
    return value


def our_meta(obj: Any) -> dict[str, Any]:
    meta = plain(obj.metadata).get(METADATA_KEY)
    return meta if isinstance(meta, dict) else {}


def float_text(value: float) -> str:
    return repr(float(value))


def read_float(value: Any, default: float) -> float:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def read_volume(value: Any) -> float:
    volume = read_float(value, 1.0)
    return volume if math.isfinite(volume) and volume >= 0 else 1.0


def read_fraction(value: Any) -> Fraction | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and (len(value) > 100 or "e" in value.lower()):
        return None   # Fraction("1e100000000") never returns (otio_guard refuses such text first, too)
    try:
        if isinstance(value, float):
            return Fraction(repr(value))
        return Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError):
        return None


def snap_rate(rate: float) -> Fraction:
    """An exact rate for an OTIO float rate: 29.97 and 29.97002997 -> 30000/1001, 30.0 -> 30."""
    if not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
        raise ValueError(f"bad rate {rate!r}")
    for ntsc in _NTSC_RATES:
        if abs(rate - float(ntsc)) < 5e-3:   # 23.976, 23.98 and 24000/1001 alike; 24 is 0.024 away
            return ntsc
    nearest = round(rate)
    if nearest > 0 and abs(rate - nearest) < 1e-9 * max(1.0, rate):
        return Fraction(nearest)
    return Fraction(repr(float(rate)))


def to_seconds(rt: otio.opentime.RationalTime) -> Fraction:
    value = rt.value
    exact = Fraction(int(value)) if float(value).is_integer() else Fraction(repr(float(value)))
    return exact / snap_rate(rt.rate)


def rational_time(frames: int | Fraction, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(float(frames) if isinstance(frames, Fraction) else frames, rate)



def media_reference(timeline: Timeline, media_id: str, rate: float) -> otio.core.MediaReference:
    media = timeline.media.get(media_id)
    if media is None or is_nowhere(media.path):
        missing = otio.schema.MissingReference(metadata={METADATA_KEY: {"media_id": media_id}})
        missing.name = "" if media is None else media.name
        return missing
    available = None
    if media.duration is not None and media.kind is not MediaKind.IMAGE:
        available = otio.opentime.TimeRange(rational_time(0, rate), rational_time(media.duration * timeline.fps, rate))
    reference = otio.schema.ExternalReference(
        target_url=path_to_url(media.path),
        available_range=available,
        metadata={METADATA_KEY: {"media_id": media_id}},
    )
    reference.name = media.name
    return reference


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "..."

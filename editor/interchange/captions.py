"""Caption files: SubRip (.srt) and WebVTT (.vtt) in and out, and cues to timeline frames.

Pure Python (stdlib only), so the CLI, the importer and the tests share it without Qt.

Decisions a caller can rely on:

- Times are exact ``Fraction`` seconds. Reading keeps the file's digits exactly ("1,5" is 1.5 s: the digits after
  the separator are a decimal fraction); writing rounds half up to whole milliseconds.
- A cue's text is normalised the same way on reading and on writing: each line trimmed of spaces and tabs, blank
  lines dropped, lines joined by "\\n". So ``parse_srt(format_srt(cues)) == cues`` for normalised text at ms times.
- SRT: formatting tags (<i> <b> <u> <s> <font ...>) and ASS overrides ({\\an8}) are removed; everything else is
  literal (a "<3" that is not a tag stays). VTT: every <...> tag is removed (voices, classes, timestamps) and the
  character references are decoded, so a literal "<" in VTT must be written "&lt;" (the writer does).
- A cue whose end is not after its start is an error naming its line (a zero-length caption is never shown, and a
  backwards one means the file is damaged); a cue with no text left after the tags go is dropped silently.
- Cues come back sorted by start (stable: file order among equal starts). Overlaps are kept; ``non_overlapping``
  makes them fit one caption track.
- Every problem with a file is a ``CaptionError`` whose message is one line naming the file and, where there is
  one, the line: "subs.srt line 12: '00:00:01,000 -> 00:00:02' is not a cue time".
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from generation.leftovers import write_atomically

__all__ = [
    "MAX_BYTES",
    "MAX_CUES",
    "CaptionError",
    "Cue",
    "cues_to_frames",
    "format_srt",
    "format_vtt",
    "frames_to_cue",
    "non_overlapping",
    "parse_srt",
    "parse_vtt",
    "read_captions",
    "write_srt",
    "write_vtt",
]

# A feature film's captions are well under 1 MB and 2,000 cues; these bounds only stop hostile or wrong files
# from eating memory and time in the GUI.
MAX_BYTES = 20 * 1024 * 1024
MAX_CUES = 100_000


class CaptionError(ValueError):
    """A caption file could not be read or written; the message is one line naming the file (and line)."""


@dataclass(frozen=True)
class Cue:
    start: Fraction  # seconds
    end: Fraction  # seconds, exclusive
    text: str  # may hold "\n"


# --- times ----------------------------------------------------------------------------------------------------

# ASCII digits only: \d would accept Arabic-Indic digits, and int() would happily read them.
_TIME = r"(?:([0-9]{1,9}):)?([0-9]{1,2}):([0-9]{1,2})(?:[,.]([0-9]{1,3}))?"
_TIMING = re.compile(rf"{_TIME}[ \t]*-->[ \t]*{_TIME}(?:[ \t].*)?")
_INDEX = re.compile(r"[0-9]{1,9}")
# A line that was meant to be a cue time but is broken ("00:00:01,000 -> 00:00:02"): reported, not taken as text.
_TIMEISH = re.compile(r"[0-9]{1,9}:[0-9]{1,2}\S*[ \t]*(?:-+>|=+>|[\u2013\u2014]|-[ \t])")


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> Fraction | None:
    m, s = int(minutes), int(seconds)
    if m > 59 or s > 59:
        return None
    whole = (int(hours) if hours else 0) * 3600 + m * 60 + s
    return Fraction(whole) + (Fraction(int(fraction), 10 ** len(fraction)) if fraction else 0)


def _timing(line: str) -> tuple[Fraction, Fraction] | None:
    match = _TIMING.fullmatch(line)
    if match is None:
        return None
    groups = match.groups()
    start, end = _seconds(*groups[:4]), _seconds(*groups[4:])
    if start is None or end is None:
        return None
    return start, end


def _looks_like_timing(line: str) -> bool:
    return "-->" in line or _TIMEISH.match(line) is not None


def _millis(seconds: Fraction) -> int:
    return math.floor(Fraction(seconds) * 1000 + Fraction(1, 2))


def _format_time(millis: int, separator: str) -> str:
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


# --- text -----------------------------------------------------------------------------------------------------

_SRT_TAG = re.compile(r"</?(?:i|b|u|s|font)(?:[ \t][^<>]*)?>", re.IGNORECASE)
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_VTT_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|nbsp|lrm|rlm|quot|apos)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00a0", "lrm": "\u200e", "rlm": "\u200f", "quot": '"',
          "apos": "'"}


def _decode_entity(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    # A reference to NUL, a surrogate or beyond Unicode cannot become text; keep it as written.
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)
    return chr(code)


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line for line in (raw.strip(" \t") for raw in text.split("\n")) if line)


def _clean_srt(lines: Iterable[str]) -> str:
    return _normalise("\n".join(_ASS_OVERRIDE.sub("", _SRT_TAG.sub("", line)) for line in lines))


def _clean_vtt(lines: Iterable[str]) -> str:
    # Tags go before references are decoded, so "&lt;i&gt;" stays the literal text "<i>".
    return _normalise("\n".join(_ENTITY.sub(_decode_entity, _VTT_TAG.sub("", line)) for line in lines))


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- parsing --------------------------------------------------------------------------------------------------


def _printable(text: str) -> str:
    """A name or a line fit for a one-line message (a file may be called "a\\nb.srt")."""
    return text if text.isprintable() else repr(text)[1:-1]


def _quote(line: str) -> str:
    line = line.strip()
    shown = line if len(line) <= 60 else line[:57] + "..."
    return "'" + _printable(shown).replace("'", "\\'") + "'"


class _Cues:
    """Cues being collected from one file: text lines per cue, then cleaned, checked, sorted."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pending: list[tuple[int, Fraction, Fraction, list[str]]] = []

    def error(self, line_no: int | None, reason: str) -> CaptionError:
        where = f"{self.source} line {line_no}" if line_no is not None else self.source
        return CaptionError(f"{where}: {reason}")

    def start(self, line_no: int, raw: str, times: tuple[Fraction, Fraction]) -> list[str]:
        start, end = times
        if end <= start:
            verb = "ends when it starts" if end == start else "ends before it starts"
            raise self.error(line_no, f"{_quote(raw)}: the cue {verb}")
        if len(self.pending) >= MAX_CUES:
            raise self.error(line_no, f"more than {MAX_CUES} cues; not a caption file this editor will read")
        text: list[str] = []
        self.pending.append((line_no, start, end, text))
        return text

    def finish(self, clean: Callable[[list[str]], str]) -> list[Cue]:
        result = [Cue(start, end, text) for _, start, end, lines in self.pending if (text := clean(lines))]
        if not result:
            raise self.error(None, "no captions found")
        result.sort(key=lambda cue: cue.start)
        return result


def _prepare(text: str, source: str) -> list[str]:
    if "\x00" in text:
        raise CaptionError(f"{source}: holds NUL bytes; binary data, not a caption file")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blank(line: str) -> bool:
    return not line.strip(" \t")


def parse_srt(text: str, *, source: str = "captions") -> list[Cue]:
    """Cues of SubRip text. ``source`` names the file in error messages.

    Tolerated: missing or wrong index numbers, a missing blank line between cues, "." for ",", 1-3 fraction
    digits, no fraction, hours over 99, MM:SS times, coordinates after the times, blank lines inside a cue's text
    (the block after the blank line has no time, so it continues the cue before).
    """
    source = _printable(source)
    lines = _prepare(text, source)
    cues = _Cues(source)
    current: list[str] | None = None
    at_block_start = True
    i = 0
    while i < len(lines):
        line_no, stripped = i + 1, lines[i].strip(" \t")
        if not stripped:
            at_block_start = True
            i += 1
            continue
        times = _timing(stripped)
        if times is not None:
            current = cues.start(line_no, stripped, times)
            at_block_start = False
            i += 1
            continue
        following = lines[i + 1].strip(" \t") if i + 1 < len(lines) else ""
        if _INDEX.fullmatch(stripped) and following and _timing(following) is not None:
            i += 1  # the index of the cue whose time follows; its number is not trusted
            continue
        if at_block_start:
            if _INDEX.fullmatch(stripped) and following:
                raise cues.error(line_no + 1, f"{_quote(following)} is not a cue time")
            if _looks_like_timing(stripped) or current is None:
                raise cues.error(line_no, f"{_quote(stripped)} is not a cue time")
            at_block_start = False
        current.append(lines[i])
        i += 1
    return cues.finish(_clean_srt)


_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SNIFF = re.compile(r"\ufeff?WEBVTT(?:[ \t\r\n]|$)")
_VTT_SKIPPED = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")


def parse_vtt(text: str, *, source: str = "captions") -> list[Cue]:
    """Cues of WebVTT text. ``source`` names the file in error messages.

    The header block, NOTE, STYLE and REGION blocks and cue identifiers are skipped; cue settings after the times
    are ignored; MM:SS.mmm times are accepted.
    """
    source = _printable(source)
    lines = _prepare(text, source)
    cues = _Cues(source)
    if not _VTT_HEADER.fullmatch(lines[0].rstrip()):
        raise cues.error(1, f"{_quote(lines[0])} is not a WEBVTT header")
    i = 1
    # Header lines (Kind:, Language:, ...) run to the first blank line; a cue time ends them too.
    while i < len(lines) and not _blank(lines[i]) and _timing(lines[i].strip(" \t")) is None:
        i += 1
    current: list[str] | None = None
    at_block_start = True
    while i < len(lines):
        line_no, stripped = i + 1, lines[i].strip(" \t")
        if not stripped:
            at_block_start = True
            i += 1
            continue
        times = _timing(stripped)
        if times is not None:
            current = cues.start(line_no, stripped, times)
            at_block_start = False
            i += 1
            continue
        if at_block_start and _VTT_SKIPPED.fullmatch(stripped):
            while i < len(lines) and not _blank(lines[i]):
                i += 1
            current = None  # text after a NOTE block cannot continue the cue before it
            continue
        if "-->" in stripped:
            raise cues.error(line_no, f"{_quote(stripped)} is not a cue time")
        following = lines[i + 1].strip(" \t") if i + 1 < len(lines) else ""
        if at_block_start:
            if following and _timing(following) is not None:
                i += 1  # a cue identifier
                continue
            if following and _looks_like_timing(following):
                raise cues.error(line_no + 1, f"{_quote(following)} is not a cue time")
            if _looks_like_timing(stripped) or current is None:
                raise cues.error(line_no, f"{_quote(stripped)} is not a cue time")
            at_block_start = False
        current.append(lines[i])
        i += 1
    return cues.finish(_clean_vtt)


# --- files ----------------------------------------------------------------------------------------------------

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as error:
                where = error.start + len(bom)
                raise CaptionError(f"{source}: not valid {encoding.upper()} text (byte {where})") from None
    if b"\x00" in data:
        raise CaptionError(f"{source}: holds NUL bytes; binary data (or UTF-16 without a byte-order mark)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Old SRTs from Windows tools are cp1252; latin-1 takes the five bytes cp1252 leaves undefined.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _os_reason(error: OSError) -> str:
    return _printable(error.strerror or str(error))


def read_captions(path: str | os.PathLike[str]) -> list[Cue]:
    """Cues of an .srt or .vtt file. A file whose text starts with WEBVTT is read as WebVTT whatever its name;
    any other file is read as SubRip except a .vtt, which then lacks its header."""
    path = Path(path)
    source = _printable(path.name or str(path))
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise CaptionError(f"{source}: is a folder, not a caption file")
        if not stat.S_ISREG(info.st_mode):
            raise CaptionError(f"{source}: is not a regular file")
        if info.st_size > MAX_BYTES:
            raise CaptionError(f"{source}: {info.st_size / 1e6:.1f} MB is over the {MAX_BYTES // 2**20} MB limit for "
                               "caption files")
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise CaptionError(f"{source}: {_os_reason(error)}") from None
    if len(data) > MAX_BYTES:
        raise CaptionError(f"{source}: over the {MAX_BYTES // 2**20} MB limit for caption files")
    text = _decode(data, source)
    if _VTT_SNIFF.match(text) or path.suffix.lower() == ".vtt":
        return parse_vtt(text, source=source)
    return parse_srt(text, source=source)


def _writable(cues: Sequence[Cue]) -> list[tuple[int, int, str]]:
    """Cues as (start ms, end ms, normalised text), sorted; cues without text are left out."""
    result = []
    for number, cue in enumerate(sorted(cues, key=lambda c: c.start), start=1):
        start, end = _millis(cue.start), _millis(cue.end)
        if start < 0:
            raise CaptionError(f"cue {number}: starts before zero ({float(cue.start):.3f} s)")
        if end <= start:
            raise CaptionError(f"cue {number}: ends at or before its start at millisecond precision")
        text = _normalise(cue.text)
        if text:
            result.append((start, end, text))
    return result


def format_srt(cues: Sequence[Cue]) -> str:
    """SubRip text: numbered 1..n in start order, times rounded half up to milliseconds, "\\n" line endings."""
    blocks = []
    for number, (start, end, text) in enumerate(_writable(cues), start=1):
        for line in text.split("\n"):
            if _timing(line) is not None:
                # SRT has no escape: such a line would read back as the start of another cue.
                raise CaptionError(f"cue {number}: the text line {_quote(line)} would read as a cue time in SRT")
        blocks.append(f"{number}\n{_format_time(start, ',')} --> {_format_time(end, ',')}\n{text}\n")
    return "\n".join(blocks)


def format_vtt(cues: Sequence[Cue]) -> str:
    """WebVTT text: cue identifiers 1..n, times rounded half up to milliseconds, & < > escaped."""
    blocks = ["WEBVTT\n"]
    for number, (start, end, text) in enumerate(_writable(cues), start=1):
        blocks.append(f"{number}\n{_format_time(start, '.')} --> {_format_time(end, '.')}\n{_escape_vtt(text)}\n")
    return "\n".join(blocks)


def _write_atomic(path: str | os.PathLike[str], text: str) -> None:
    path = Path(path)
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise CaptionError(f"{_printable(path.name or str(path))}: {_os_reason(error)}") from None


def write_srt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """Write ``format_srt(cues)`` as UTF-8 (no BOM), atomically: the old file stays whole until the new one is."""
    _write_atomic(path, format_srt(cues))


def write_vtt(cues: Sequence[Cue], path: str | os.PathLike[str]) -> None:
    """Write ``format_vtt(cues)`` as UTF-8 (no BOM), atomically."""
    _write_atomic(path, format_vtt(cues))


# --- one track, frames ----------------------------------------------------------------------------------------


def non_overlapping(cues: Iterable[Cue]) -> list[Cue]:
    """Cues that fit one caption track: sorted, each ending at the latest where the next starts.

    Cues that start together are merged into one (texts joined by a newline, the later end kept), since either
    would otherwise be trimmed to nothing. A cue inside a longer one cuts the longer one short; its tail is lost.
    """
    merged: list[Cue] = []
    for cue in sorted(cues, key=lambda c: c.start):
        if merged and merged[-1].start == cue.start:
            last = merged[-1]
            merged[-1] = Cue(last.start, max(last.end, cue.end), f"{last.text}\n{cue.text}")
        else:
            merged.append(cue)
    result = []
    for index, cue in enumerate(merged):
        if index + 1 < len(merged) and merged[index + 1].start < cue.end:
            cue = Cue(cue.start, merged[index + 1].start, cue.text)
        result.append(cue)
    return result


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def _rate(fps: Fraction | int) -> Fraction:
    rate = Fraction(fps)
    if rate <= 0:
        raise ValueError(f"frame rate must be positive, not {rate}")
    return rate


def cues_to_frames(cues: Iterable[Cue], fps: Fraction | int) -> list[tuple[int, int, str]]:
    """(start frame, end frame exclusive, text) per cue, in the given order: each time rounded half up to the
    nearest frame, and at least one frame long (a short cue between two frames still shows)."""
    rate = _rate(fps)
    result = []
    for cue in cues:
        start = _round_half_up(Fraction(cue.start) * rate)
        end = max(_round_half_up(Fraction(cue.end) * rate), start + 1)
        result.append((start, end, cue.text))
    return result


def frames_to_cue(start: int, end: int, fps: Fraction | int, text: str) -> Cue:
    """The cue of frames [start, end) at ``fps``: exact, so ``cues_to_frames`` gives the frames back."""
    rate = _rate(fps)
    if end <= start:
        raise ValueError(f"a cue needs at least one frame, not [{start}, {end})")
    return Cue(Fraction(start) / rate, Fraction(end) / rate, text)

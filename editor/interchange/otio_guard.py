"""The checks a document must pass before its text reaches OTIO's C++ deserializer.

OpenTimelineIO 0.18's core reads JSON with its own parser and builds objects from the type registry; some
documents make it abort the whole process instead of raising (found by running every registered schema name
in every position in a child process; ``tests/editor/interchange/test_otio_hardening.py`` keeps the proof):

- an object whose schema is ``UnknownSchema.N`` anywhere (top level, a child, a media reference, metadata):
  "Fatal error: UnknownSchema should not be created from type registry", exit status 255;
- the same hidden behind a duplicated key: ``{"OTIO_SCHEMA": "UnknownSchema.1", "OTIO_SCHEMA": "Timeline.1"}``
  is a Timeline to Python's json (the last key wins) and the abort to OTIO's reader (the first wins), so a
  document with one key twice in an object is refused: the two readers would not agree on what it says.

Other unknown names ("Wibble.1") become OTIO's UnknownSchema placeholder or a ValueError, which the caller
turns into one line. Plugin objects (``Adapter``, ``MediaLinker``, ``HookScript``, ``SchemaDef``,
``PluginManifest``) name Python files to import: a timeline has no business holding one, so they are refused.

Besides those, this module refuses with one clear line: a missing, empty, special (FIFO, device: see
``editor.safe_io``), oversized, zipped, non-UTF-8 or non-JSON file; JSON nested deeper than
:data:`MAX_DEPTH`; an integer too long to be a number; a number written as text whose exact value explodes
(``"1e100000000"``: ``Fraction`` of it computes a hundred-million-digit integer and never returns, and
the importer reads rates and durations from text in PromptCut's metadata); JSON that is not an OTIO object;
and a schema newer than this OpenTimelineIO reads.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import InterchangeError
from editor.safe_io import FileRefused, read_regular_file

__all__ = ["MAX_DEPTH", "REFUSED_SCHEMAS", "checked_document", "checked_text"]

# Objects and lists inside each other. A real timeline goes about 12 deep (a rate in a range in a reference in
# a clip in a track in a stack), nested stacks and vendor metadata a few dozen more; the importer walks nested
# stacks recursively, so a bound well under Python's recursion limit keeps it from running out of stack.
MAX_DEPTH = 200

# Schemas refused wherever they appear (see the module notes): the one that aborts the C++ core, the plugin
# objects that point at Python files, and OTIO's own test object (its C++ side prints to stdout).
REFUSED_SCHEMAS = frozenset({"UnknownSchema", "Adapter", "MediaLinker", "HookScript", "SchemaDef", "PluginManifest",
                             "Test"})

# OTIO's value types and their fields. A value type holding any other key that (at any depth) holds an OTIO
# object crashes the C++ core (SIGSEGV: {"OTIO_SCHEMA": "RationalTime.1", "value": 1, "rate": 24, "x":
# {"OTIO_SCHEMA": "Gap.1"}}), so their shape is checked exactly.
VALUE_TYPE_FIELDS = {
    "RationalTime": frozenset({"OTIO_SCHEMA", "value", "rate"}),
    "TimeRange": frozenset({"OTIO_SCHEMA", "start_time", "duration"}),
    "TimeTransform": frozenset({"OTIO_SCHEMA", "offset", "scale", "rate"}),
}

# A number written as text with an exponent or a length no real value has ("1e400" is already past a double).
# Possessive quantifiers: a million digits followed by a letter fails in one pass, without backtracking.
_NUMBER_TEXT = re.compile(r"\s*+[+-]?+(?:\d++(?:\.\d*+)?+|\.\d++)(?:[eE][+-]?+\d++)?+\s*+(?:/\s*+[+-]?+\d++\s*+)?+")
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")
_MAX_EXPONENT = 400
_MAX_NUMBER_TEXT = 400


class _DuplicateKey(ValueError):
    pass


def checked_document(path: str | os.PathLike) -> tuple[Path, str, str]:
    """The file at ``path``, its text and its top-level OTIO_SCHEMA, once the text is known to be OTIO JSON.

    Only a regular file of sane size is read (``safe_io.read_regular_file``): a FIFO, a device or a link to
    one is refused, never waited on. Raises :class:`InterchangeError` (one line: the file and what is wrong).
    """
    target = Path(path)
    try:
        data = read_regular_file(target)
    except FileRefused as exc:
        raise InterchangeError(f"{target}: not an .otio file: it {exc}") from None
    except FileNotFoundError:
        raise InterchangeError(f"{target}: no such file") from None
    except IsADirectoryError:
        raise InterchangeError(f"{target}: is a folder, not an .otio file") from None
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:   # a path with a NUL in it
        raise InterchangeError(f"{target}: cannot read ({exc})") from None
    return (target, *checked_text(data, str(target)))


def checked_text(data: bytes, shown: str) -> tuple[str, str]:
    """``data`` (an .otio document's bytes, from a file or an adapter run elsewhere) as text and its top-level
    OTIO_SCHEMA, once it is known to be OTIO JSON that OTIO's core can be handed safely; InterchangeError
    naming ``shown`` otherwise."""
    if not data.strip():
        raise InterchangeError(f"{shown}: empty file")
    if data.startswith(b"PK\x03\x04"):
        raise InterchangeError(f"{shown}: a zip archive, not .otio JSON (an OTIO bundle? name it .otioz)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(f"{shown}: not UTF-8 text, so not an .otio file") from None
    try:
        parsed = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"{shown}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InterchangeError(f"{shown}: JSON nested too deeply") from None
    except _DuplicateKey as exc:
        raise InterchangeError(f"{shown}: {exc}") from None
    except ValueError as exc:   # an integer of more than 4300 digits
        raise InterchangeError(f"{shown}: not readable JSON ({_short(str(exc))})") from None
    if not isinstance(parsed, dict) or "OTIO_SCHEMA" not in parsed:
        raise InterchangeError(f"{shown}: JSON but not OpenTimelineIO (no OTIO_SCHEMA at the top)")
    problem = _first_problem(parsed)
    if problem is not None:
        raise InterchangeError(f"{shown}: {problem}")
    return text, str(parsed["OTIO_SCHEMA"])


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"holds the key {_short(repr(key))} twice in one object (ambiguous JSON)")
        out[key] = value
    return out


def _first_problem(document: Any) -> str | None:
    """The first reason ``document`` must not reach OTIO's core, as a phrase, or None. Walks the whole
    document once, without recursion, so any depth the JSON parser accepted is measured safely."""
    known = otio.core.type_version_map()
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                return f"JSON nested too deeply (more than {MAX_DEPTH} levels)"
            if "OTIO_SCHEMA" in node:
                problem = (_schema_problem(node["OTIO_SCHEMA"], known) or _value_type_problem(node)
                           or _timeline_problem(node))
                if problem is not None:
                    return problem
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                return f"JSON nested too deeply (more than {MAX_DEPTH} levels)"
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str):
            problem = _number_text_problem(node)
            if problem is not None:
                return problem
    return None


def _schema_problem(schema: Any, known: dict[str, int]) -> str | None:
    if not isinstance(schema, str):
        return f"an OTIO_SCHEMA that is not a name ({_short(repr(schema))})"
    name, _, version = schema.rpartition(".")
    # UnknownSchema by substring: however OTIO splits a strange name, it must not find that one in it.
    if "UnknownSchema" in schema or name.strip() in REFUSED_SCHEMAS:
        return (f"holds an object of schema {_short(repr(schema))}, which has no place in a timeline "
                "(OpenTimelineIO cannot read it safely)")
    if name in known and version.isdigit() and len(version) < 10 and int(version) > known[name]:
        return f"written by a newer OpenTimelineIO ({schema}; this one reads up to {name}.{known[name]})"
    return None


def _value_type_problem(node: dict[str, Any]) -> str | None:
    schema = node["OTIO_SCHEMA"]
    allowed = VALUE_TYPE_FIELDS.get(schema.rpartition(".")[0].strip()) if isinstance(schema, str) else None
    extra = sorted(set(node) - allowed) if allowed is not None else []
    if extra:
        return f"a malformed {_short(schema)} (it has no field {_short(repr(extra[0]))})"
    return None


def _timeline_problem(node: dict[str, Any]) -> str | None:
    """A Timeline must hold its tracks as a Stack: OTIO reads ``"tracks": null`` as a timeline without a
    stack, which every reader of ``timeline.tracks`` then trips over."""
    schema = node["OTIO_SCHEMA"]
    if not (isinstance(schema, str) and schema.rpartition(".")[0].strip() == "Timeline"):
        return None
    tracks = node.get("tracks")
    held = tracks.get("OTIO_SCHEMA") if isinstance(tracks, dict) else None
    if not (isinstance(held, str) and held.rpartition(".")[0].strip() == "Stack"):
        return "a Timeline without its tracks (no Stack under 'tracks')"
    return None


def _number_text_problem(text: str) -> str | None:
    """A phrase when ``text`` is a number written as text whose exact value is out of all proportion."""
    if text[:1].strip(" \t\r\n+-.0123456789") != "" or not _NUMBER_TEXT.fullmatch(text):
        return None   # the first test is cheap and turns away nearly every string that is not a number
    digits = sum(ch.isdigit() for ch in text)
    exponent = _EXPONENT.search(text)
    too_long = digits > _MAX_NUMBER_TEXT
    if exponent is not None:
        power = exponent.group(1).lstrip("+-").lstrip("0")
        too_long = too_long or len(power) > 3 or int(power or "0") > _MAX_EXPONENT
    if too_long:
        return f"holds the number {_short(repr(text))}, too large to read exactly"
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."

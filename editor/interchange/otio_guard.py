"""The checks a file must pass before its text reaches OTIO's C++ deserializer: a missing, empty, zipped,
non-UTF-8, non-JSON or too deeply nested file, or JSON that is not an OTIO object, is refused here with one
clear line instead of whatever the C++ core would make of it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import InterchangeError


def checked_document(path: str | os.PathLike) -> tuple[Path, str, str]:
    """The file at ``path``, its text and its top-level OTIO_SCHEMA, once the text is known to be OTIO JSON.

    Raises :class:`InterchangeError` (one line: the file and what is wrong) otherwise.
    """
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise InterchangeError(f"{target}: no such file") from None
    except IsADirectoryError:
        raise InterchangeError(f"{target}: is a folder, not an .otio file") from None
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot read ({exc.strerror or exc})") from None
    return (target, *checked_text(data, str(target)))


def checked_text(data: bytes, shown: str) -> tuple[str, str]:
    """``data`` (an .otio document's bytes, from a file or an adapter run elsewhere) as text and its top-level
    OTIO_SCHEMA, once it is known to be OTIO JSON; InterchangeError naming ``shown`` otherwise."""
    if not data.strip():
        raise InterchangeError(f"{shown}: empty file")
    if data.startswith(b"PK\x03\x04"):
        raise InterchangeError(f"{shown}: a zip archive (.otioz bundles are not supported; unzip it first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(f"{shown}: not UTF-8 text, so not an .otio file") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"{shown}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise InterchangeError(f"{shown}: JSON nested too deeply") from None
    if not isinstance(parsed, dict) or "OTIO_SCHEMA" not in parsed:
        raise InterchangeError(f"{shown}: JSON but not OpenTimelineIO (no OTIO_SCHEMA at the top)")
    schema = str(parsed["OTIO_SCHEMA"])
    newer = _newer_schema(parsed)
    if newer is not None:
        raise InterchangeError(f"{shown}: written by a newer OpenTimelineIO ({newer})")
    return text, schema


def _newer_schema(document: Any) -> str | None:
    """The first ``Name.N`` in ``document`` whose version is above the one this OpenTimelineIO reads, as a
    phrase ("Clip.3; this one reads up to Clip.2"), or None. Unknown names are left to the caller."""
    known = otio.core.type_version_map()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            schema = node.get("OTIO_SCHEMA")
            if isinstance(schema, str):
                name, _, version = schema.rpartition(".")
                if name in known and version.isdigit() and len(version) < 10 and int(version) > known[name]:
                    return f"{schema}; this one reads up to {name}.{known[name]}"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None

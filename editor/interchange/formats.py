"""Timeline interchange formats by extension: which file kinds PromptCut reads and writes, and the one door
(``read_timeline`` / ``write_timeline``) the CLI, the documents layer and the window use.

STUB (foundation): the formats helper fills this in. The signatures below are the contract.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from editor.interchange.otio_common import ImportResult
from editor.model import Timeline


@dataclass(frozen=True)
class TimelineFormat:
    key: str                      # the OTIO adapter name ("fcp_xml", "cmx_3600", ...) or "otio_json"
    label: str                    # for people and file dialogs: "Premiere Pro / Final Cut Pro 7 XML"
    suffixes: tuple[str, ...]     # lower case, with the dot: (".xml",)
    reads: bool
    writes: bool


FORMATS: tuple[TimelineFormat, ...] = ()


def format_for(path: str | os.PathLike[str], *, writing: bool) -> TimelineFormat:
    """The format ``path``'s extension names; InterchangeError naming the extension otherwise."""
    raise NotImplementedError


def is_timeline_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path``'s extension is an interchange format (.otio included), not a PromptCut project."""
    raise NotImplementedError


def read_timeline(path: str | os.PathLike[str]) -> ImportResult:
    """Any readable interchange file into our timeline (warnings in the result). InterchangeError, one line."""
    raise NotImplementedError


def write_timeline(timeline: Timeline, path: str | os.PathLike[str], *, name: str | None = None) -> list[str]:
    """Write ``timeline`` in the format ``path``'s extension names, atomically; returns notes on what the format
    could not carry. InterchangeError (one line, e.g. "EDL export needs a single video track") when refused."""
    raise NotImplementedError


def file_dialog_filter(*, writing: bool) -> str:
    """A Qt-style name filter string (plain text, no Qt): "All timelines (*.otio *.xml …);;OpenTimelineIO
    (*.otio);;…" listing the formats that read (or write)."""
    raise NotImplementedError

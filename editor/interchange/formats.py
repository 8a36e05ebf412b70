"""Timeline interchange formats by extension: which file kinds PromptCut reads and writes, and the one door
(``read_timeline`` / ``write_timeline``) the CLI, the documents layer and the window use.

- ``.otio``: our own OTIO reader and writer (``otio``), in process (``otio_guard`` checks the text before
  OTIO's C++ core sees it).
- ``.otioz`` / ``.otiod``: bundles with their media (``bundles``).
- Other editors' files: the OpenTimelineIO adapter plugins (not parsers of ours). Reads run the adapter in a
  child process (``foreign_read``); writes adapt our timeline to what the format can take, with notes
  (``foreign_write``). Kdenlive is read only: its adapter is deprecated upstream (Kdenlive 25.04+ opens .otio
  itself), so Kdenlive users get .otio.

An unknown extension, or one a format only reads, is refused by name, never handed to a parser that would
complain about JSON.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from editor.interchange.otio_common import ImportResult, InterchangeError
from editor.model import Timeline
from editor.safe_io import FileRefused, check_output_path


@dataclass(frozen=True)
class TimelineFormat:
    key: str                      # the OTIO adapter name ("fcp_xml", "cmx_3600", ...) or "otio_json"
    label: str                    # for people and file dialogs: "Premiere Pro / Final Cut Pro 7 XML"
    suffixes: tuple[str, ...]     # lower case, with the dot: (".xml",)
    reads: bool
    writes: bool


FORMATS: tuple[TimelineFormat, ...] = (
    TimelineFormat("otio_json", "OpenTimelineIO", (".otio",), reads=True, writes=True),
    TimelineFormat("otioz", "OpenTimelineIO bundle (zip with media)", (".otioz",), reads=True, writes=True),
    TimelineFormat("otiod", "OpenTimelineIO bundle folder", (".otiod",), reads=True, writes=True),
    TimelineFormat("fcp_xml", "Premiere Pro / Final Cut Pro 7 XML", (".xml",), reads=True, writes=True),
    TimelineFormat("fcpx_xml", "Final Cut Pro X / DaVinci Resolve FCPXML", (".fcpxml",), reads=True, writes=True),
    TimelineFormat("cmx_3600", "CMX 3600 EDL", (".edl",), reads=True, writes=True),
    TimelineFormat("AAF", "AAF (Avid Media Composer)", (".aaf",), reads=True, writes=True),
    TimelineFormat("kdenlive", "Kdenlive project", (".kdenlive",), reads=True, writes=False),
)

# The pip package that brings each adapter plugin, for the line that says what to install.
ADAPTER_PACKAGES = {
    "fcp_xml": "otio-fcp-adapter",
    "fcpx_xml": "otio-fcpx-xml-adapter",
    "cmx_3600": "otio-cmx3600-adapter",
    "AAF": "otio-aaf-adapter",
    "kdenlive": "otio-kdenlive-adapter",
}
PROJECT_SUFFIX = ".promptcut"
_BUNDLES = ("otioz", "otiod")


def _suffix(path: str | os.PathLike[str]) -> str:
    return Path(os.fspath(path).rstrip("/\\")).suffix.lower()   # "x.otiod/" names a bundle folder too


def _by_suffix() -> dict[str, TimelineFormat]:
    return {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}


def _listing(*, writing: bool) -> str:
    return ", ".join(s for fmt in FORMATS if (fmt.writes if writing else fmt.reads) for s in fmt.suffixes)


def format_for(path: str | os.PathLike[str], *, writing: bool) -> TimelineFormat:
    """The format ``path``'s extension names; InterchangeError naming the extension otherwise."""
    name = Path(os.fspath(path).rstrip("/\\")).name or os.fspath(path)
    suffix = _suffix(path)
    verb = "writes" if writing else "reads"
    fmt = _by_suffix().get(suffix)
    if fmt is None:
        if suffix == PROJECT_SUFFIX:
            raise InterchangeError(f"{name}: a PromptCut project, not a timeline file (it {verb} "
                                   f"{_listing(writing=writing)})")
        what = f"{suffix} is not a timeline file PromptCut {verb}" if suffix else "has no extension, so no format"
        raise InterchangeError(f"{name}: {what} (it {verb} {_listing(writing=writing)})")
    if writing and not fmt.writes:
        raise InterchangeError(f"{name}: {fmt.label.split(' ')[0]} export is not supported: write .otio or .xml")
    return fmt


def is_timeline_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path``'s extension is an interchange format (.otio included), not a PromptCut project."""
    return _suffix(path) in _by_suffix()


def read_timeline(path: str | os.PathLike[str]) -> ImportResult:
    """Any readable interchange file into our timeline (warnings in the result). InterchangeError, one line."""
    fmt = format_for(path, writing=False)
    if fmt.key == "otio_json":
        from editor.interchange.otio import read_otio

        return read_otio(path)
    if fmt.key in _BUNDLES:
        from editor.interchange.bundles import read_bundle

        return read_bundle(path)
    _need_adapter(fmt, path)
    from editor.interchange.foreign_read import read_foreign

    return read_foreign(path, fmt.key, label=fmt.label)


def write_timeline(timeline: Timeline, path: str | os.PathLike[str], *, name: str | None = None) -> list[str]:
    """Write ``timeline`` in the format ``path``'s extension names, atomically; returns notes on what the format
    could not carry. InterchangeError (one line, e.g. "EDL export needs a single video track") when refused."""
    fmt = format_for(path, writing=True)
    target = Path(path)
    if fmt.key in _BUNDLES:   # checks its own target: an .otiod is a folder, and may replace an earlier bundle
        from editor.interchange.bundles import write_bundle

        return write_bundle(timeline, target, name=name)
    try:
        check_output_path(target)
    except FileRefused as exc:
        raise InterchangeError(f"{target}: {exc}") from None
    if fmt.key == "otio_json":
        from editor.interchange.otio import write_otio

        write_otio(timeline, target, name=name)
        return []
    _need_adapter(fmt, path)
    from editor.interchange.foreign_write import write_foreign

    try:
        return write_foreign(timeline, target, fmt.key, label=fmt.label, suffix=fmt.suffixes[0], name=name)
    except InterchangeError as exc:
        message = str(exc)
        raise InterchangeError(message if message.startswith(str(target)) else f"{target}: {message}") from None


def _need_adapter(fmt: TimelineFormat, path: str | os.PathLike[str]) -> None:
    import opentimelineio as otio

    if fmt.key not in otio.adapters.available_adapter_names():
        package = ADAPTER_PACKAGES.get(fmt.key, "its OpenTimelineIO adapter")
        raise InterchangeError(f"{path}: {fmt.label} needs the {package} package (pip install {package})")


def file_dialog_filter(*, writing: bool) -> str:
    """A Qt-style name filter string (plain text, no Qt): "All timelines (*.otio *.xml …);;OpenTimelineIO
    (*.otio);;…" listing the formats that read (or write)."""
    chosen = [fmt for fmt in FORMATS if (fmt.writes if writing else fmt.reads)]
    if writing:   # a folder bundle cannot be picked as a file name in a save dialog's list; typing it works
        chosen = [fmt for fmt in chosen if fmt.key != "otiod"]
    patterns = " ".join(f"*{s}" for fmt in chosen for s in fmt.suffixes)
    parts = [f"All timelines ({patterns})"] if not writing else []
    parts += [f"{fmt.label} ({' '.join('*' + s for s in fmt.suffixes)})" for fmt in chosen]
    return ";;".join(parts)

"""Interchange with other editors: OpenTimelineIO import/export (later FCPXML/EDL through OTIO adapters)."""

from editor.interchange.otio import (
    ImportResult,
    InterchangeError,
    read_otio,
    timeline_from_otio,
    timeline_to_otio,
    write_otio,
)

__all__ = ["ImportResult", "InterchangeError", "read_otio", "timeline_from_otio", "timeline_to_otio", "write_otio"]

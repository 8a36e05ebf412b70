"""The timeline model: pure Python, no Qt, no I/O. Edits are the commands in ``editor.model.commands``."""

from editor.model.clips import Clip, Fit, GeneratedClip, GenerationSpec, MediaClip, Take, TextClip
from editor.model.commands import Command, EditError, Group, History
from editor.model.media import MediaKind, MediaSource
from editor.model.time import parse_rate
from editor.model.timeline import (
    Change,
    InvariantError,
    Marker,
    Settings,
    Timeline,
    Track,
    TrackKind,
    new_id,
)

__all__ = [
    "Change", "Clip", "Command", "EditError", "Fit", "GeneratedClip", "GenerationSpec", "Group", "History",
    "InvariantError", "Marker", "MediaClip", "MediaKind", "MediaSource", "Settings", "Take", "TextClip", "Timeline",
    "Track", "TrackKind", "new_id", "parse_rate",
]

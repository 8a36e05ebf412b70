"""The exporter (ffmpeg graphs, presets, encoders, progress, cancel) and the layout rules the viewer shares."""

from editor.render.encoders import available_encoders, choose_encoder
from editor.render.export import (
    ExportCancelled,
    ExportError,
    ExportResult,
    ExportSettings,
    Progress,
    export,
    resolve_settings,
)
from editor.render.layout import Placement, place
from editor.render.presets import PRESETS, Preset, get_preset

__all__ = [
    "PRESETS", "ExportCancelled", "ExportError", "ExportResult", "ExportSettings", "Placement", "Preset",
    "Progress", "available_encoders", "choose_encoder", "export", "get_preset", "place", "resolve_settings",
]

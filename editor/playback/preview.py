"""Preview resolution: the size the viewer composites at, a fraction of the canvas."""

from __future__ import annotations

from editor.model import Settings

SCALES = {"Full": 1.0, "Half": 0.5, "Quarter": 0.25}
DEFAULT_SCALE = "Half"


def preview_size(settings: Settings, scale: float) -> tuple[int, int]:
    """The canvas at ``scale``, in even pixels (4:2:0 pictures are placed on even positions), at least 2x2."""
    w = max(2, int(settings.width * scale) // 2 * 2)
    h = max(2, int(settings.height * scale) // 2 * 2)
    return w, h

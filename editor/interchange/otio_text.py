"""Text clips (titles and caption cues) in OpenTimelineIO.

A ``TextClip`` becomes a ``Clip`` whose media reference is a ``GeneratorReference(generator_kind="text",
parameters={"text": ..., "style": TextStyle.to_dict()})``, as generated shots travel (``otio_generated``), so
another tool sees a text generator. The style also rides in the clip's promptcut metadata as JSON text, exact
to the bit (OTIO's JSON reader can lose the last bit of a double); an import prefers it and falls back to the
parameters. A caption track is a video track whose ``metadata["promptcut"]["captions"]`` is true.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import plain
from editor.model import Clip, TextClip, Track, TrackKind
from editor.model.text import TextStyle

TEXT_KIND = "text"


def text_reference(clip: TextClip, meta: dict[str, Any]) -> otio.schema.GeneratorReference:
    """The generator reference of ``clip``; the clip's promptcut ``meta`` gets its kind and exact style."""
    style = clip.style.to_dict()
    meta["kind"] = "text"
    meta["style"] = json.dumps(style, separators=(",", ":"), ensure_ascii=False)
    return otio.schema.GeneratorReference(
        name=" ".join(clip.text.split())[:60], generator_kind=TEXT_KIND, parameters={"text": clip.text, "style": style}
    )


def read_text_clip(
    ref: otio.schema.GeneratorReference,
    meta: dict[str, Any],
    track: Track,
    common: dict[str, Any],
    where: str,
    warn: Callable[[str], None],
) -> Clip | None:
    """The text clip a "text" generator describes, or None (left out, with a warning)."""
    if track.kind is not TrackKind.VIDEO:
        warn(f"{where}: a text clip on an audio track; left out")
        return None
    params = plain(ref.parameters)
    text = params.get("text")
    if not isinstance(text, str):
        warn(f"{where}: text generator without text; left as a gap")
        return None
    style = _style(meta.get("style"), params.get("style"), where, warn)
    return TextClip(**common, source_in=0, text=text, style=style)


def _style(exact: Any, loose: Any, where: str, warn: Callable[[str], None]) -> TextStyle:
    if isinstance(exact, str):
        try:
            return TextStyle.from_dict(json.loads(exact))
        except (ValueError, TypeError, RecursionError):
            pass   # edited by another tool: the generator's parameters are the next best thing
    if loose is None:
        return TextStyle()
    try:
        style = dict(loose) if isinstance(loose, dict) else loose
        if isinstance(style, dict) and isinstance(style.get("shadow_offset"), list):
            style["shadow_offset"] = tuple(style["shadow_offset"])
        return TextStyle.from_dict(style)
    except (ValueError, TypeError) as exc:
        warn(f"{where}: unreadable text style ({str(exc)[:120]}); the default style is used")
        return TextStyle()

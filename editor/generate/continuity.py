"""Continuity with neighbours: a generated shot whose neighbours changed under its conditioning frames.

A shot conditioned on its neighbours records where each frame came from (``first_source`` / ``last_source``,
see ``editor.generate.frames.source_descriptor``). After an edit the shot queue asks ``neighbours_changed``:
when the clip now before (after) it shows another picture at its edge (moved, trimmed, replaced, deleted), the
frames are extracted again (``replanned_conditioning``) and the clip's spec is set to the new ones in one undo
step, "Neighbours changed: re-plan shot": a pending shot is then planned again, a ready one is stale
("Neighbours changed: regenerate?"). Only sides the shot was conditioned on count; specs written before
descriptors were recorded (empty) are left alone.
"""

from __future__ import annotations

import os
from dataclasses import replace

from editor.model import GeneratedClip, GenerationSpec, Timeline, Track

from .frames import conditioning_frames, source_descriptor
from .pending import PendingSegment, neighbours

REPLAN_LABEL = "Neighbours changed: re-plan shot"
# The fields a neighbour's change touches: a stale shot differing from its take only in these is stale
# because of its neighbours, not its prompt.
CONDITIONING_FIELDS = ("first_image", "last_image", "first_source", "last_source", "color_reference")


def current_sources(tl: Timeline, track: Track, clip: GeneratedClip) -> tuple[str, str]:
    """(first, last) descriptors of what the neighbours show at the clip's edges now ("" where none)."""
    prev, nxt = neighbours(tl, track, clip.start, clip.end)
    first = source_descriptor(tl, prev, clip.start - 1) if prev is not None else ""
    last = source_descriptor(tl, nxt, clip.end) if nxt is not None else ""
    return first, last


def neighbours_changed(tl: Timeline, track: Track, clip: GeneratedClip) -> bool:
    spec = clip.spec
    if not (spec.first_source or spec.last_source):
        return False
    first, last = current_sources(tl, track, clip)
    return bool((spec.first_source and first != spec.first_source)
                or (spec.last_source and last != spec.last_source))


def replanned_conditioning(tl: Timeline, track: Track, clip: GeneratedClip, cache_dir: str | os.PathLike[str],
                           model: str | None = None) -> tuple[GenerationSpec, list[str]]:
    """``clip``'s spec with its conditioning frames taken again from its neighbours as they are now, for the
    sides it was conditioned on; a side whose neighbour is gone loses its frame."""
    spec = clip.spec
    prev, nxt = neighbours(tl, track, clip.start, clip.end)
    got = conditioning_frames(tl, PendingSegment(track.id, clip, False, prev if spec.first_source else None,
                                                 nxt if spec.last_source else None), cache_dir,
                              model=model or spec.model or None)
    # The sources say what the neighbours show now even where a frame could not be read (it is not asked again
    # on every edit then; the note says why the frame is missing).
    first, last = current_sources(tl, track, clip)
    new = spec
    if spec.first_source:
        new = replace(new, first_image=str(got.first) if got.first else None, first_source=first)
    if spec.last_source:
        new = replace(new, last_image=str(got.last) if got.last else None, last_source=last)
    if spec.match_colors:
        new = replace(new, color_reference=new.first_image or new.last_image)
    return new, got.notes


def stale_for_neighbours(take_spec: GenerationSpec | None, spec: GenerationSpec) -> bool:
    """The clip's spec differs from its take's only in what the neighbours gave (and does differ)."""
    if take_spec is None or take_spec == spec:
        return False
    plain = {f: None for f in CONDITIONING_FIELDS}
    return replace(take_spec, **plain) == replace(spec, **plain)

"""Generative extend: the frames a recorded clip does not have, generated after its tail or before its head.

``plan_extension`` builds the generated segment (a :class:`GeneratedClip`, so it is queued, regenerated and
given takes like any generated shot) for ``frames`` timeline frames after the clip's end (``side="tail"``) or
before its start (``"head"``), conditioned on the clip as the canvas shows it:

* a model that can continue a video (``VIDEO_EXTENSION``, tail) or end where one begins (``VIDEO_LEAD_IN``,
  head) gets about one second of the clip's last (first) frames as a short lossless video
  (``spec.prefix_video`` / ``spec.suffix_video``), sampled at the model's frame rate and size;
* otherwise a model that can start from an image (tail) or end on one (head: ``KEYFRAMES``) gets the clip's
  edge frame (``spec.first_image`` / ``spec.last_image``), with a note saying the motion is not carried over;
* a model that can do neither is refused in one line, as is a range already occupied on the track.

The frames are drawn by the preview's compositor from a timeline holding that clip alone (its fit, transform
and opacity, without its fades and transition: the extension continues the picture, not a fade to black), at
the canvas aspect, then centre-cropped to the model's native size: what the clip shows on the canvas. The
files are named by their pixels, so asking again gives the same file and the same job (a cache hit).

The take holds only the new frames (the backend leaves the conditioning frames out), so the segment plays
it from its first frame. The segment records where its conditioning came from in ``first_source`` (tail) or
``last_source`` (head), ``<media id>@<source frame>/<fit>``; it is not put in the clip's link group: link
groups hold at most one clip per track (``editor.model.commands.linking``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np

from editor.generate.places import GenerationPlaces
from editor.model import Clip, GeneratedClip, GenerationSpec, MediaClip, Timeline, new_id
from editor.model.time import timecode
from generation.leftovers import replacing, sweep_stale
from generation.models import Ability, ModelInfo, get_model, list_models, native_size

Side = Literal["tail", "head"]
CONDITIONING_SECONDS = Fraction(1)  # about one model window's worth of lead-in: motion, not the whole clip
TAIL_PROMPT = "the same shot continues: same scene, subject, lighting and camera motion"
HEAD_PROMPT = "the same shot, just before: same scene, subject, lighting and camera motion"


class ExtendError(Exception):
    """An extension that cannot be made; one line saying why."""


@dataclass(frozen=True)
class Extension:
    """A planned extension: the segment to place on ``track_id`` and why it is conditioned as it is."""

    track_id: str
    clip: GeneratedClip
    source_id: str  # the recorded clip it extends
    side: Side
    mode: Ability  # VIDEO_EXTENSION / VIDEO_LEAD_IN, or the IMAGE_TO_VIDEO / KEYFRAMES fallback
    conditioning: Path  # the video (or, for a fallback, the image) the model is given
    notes: tuple[str, ...] = ()

    def request(self, queue: Any, on_done: Callable[[GeneratedClip | None, str], None] | None = None) -> bool:
        """Queue it on a :class:`~editor.generate.shots.ShotQueue` (placed in one undo step when planned)."""
        return queue.request_clip(self.track_id, self.clip, first=False, last=False, on_done=on_done)


def extension_mode(model: ModelInfo, side: Side) -> tuple[Ability | None, str]:
    """How ``model`` extends that side: (mode, note for a fallback), or (None, why it cannot)."""
    if side == "tail":
        if model.can(Ability.VIDEO_EXTENSION):
            return Ability.VIDEO_EXTENSION, ""
        if model.can(Ability.IMAGE_TO_VIDEO):
            return Ability.IMAGE_TO_VIDEO, (
                f"{model.display_name} cannot continue a video: it starts from the "
                "clip's last frame, so the motion may not carry on"
            )
        return None, f"{model.display_name} can neither continue a video nor start from a frame"
    if model.can(Ability.VIDEO_LEAD_IN):
        return Ability.VIDEO_LEAD_IN, ""
    if model.can(Ability.KEYFRAMES):
        return Ability.KEYFRAMES, (
            f"{model.display_name} cannot lead into a video: it ends on the clip's "
            "first frame, so the motion may not match"
        )
    return None, f"{model.display_name} can neither lead into a video nor end on a given frame"


def extend_label(model: ModelInfo, side: Side) -> str:
    """A model as the extend offer lists it: its name, and how it extends when that is a fallback."""
    mode, _ = extension_mode(model, side)
    how = (
        ""
        if mode in (Ability.VIDEO_EXTENSION, Ability.VIDEO_LEAD_IN)
        else (" (from the last frame)" if side == "tail" else " (ending on the first frame)")
    )
    test = " (test model: makes noise)" if model.is_test_model else ""
    return f"{model.display_name}{how}{test}"


def extension_models(side: Side, models: Iterable[ModelInfo] | None = None) -> list[ModelInfo]:
    """The models that can extend ``side``: those that take a video first, then the image fallbacks, in the
    given order otherwise (default: the whole registry, test models included)."""
    pool = list(list_models(include_test=True) if models is None else models)
    native = Ability.VIDEO_EXTENSION if side == "tail" else Ability.VIDEO_LEAD_IN
    able = [m for m in pool if extension_mode(m, side)[0] is not None]
    return [m for m in able if m.can(native)] + [m for m in able if not m.can(native)]


def plan_extension(
    timeline: Timeline,
    clip_id: str,
    side: Side,
    frames: int,
    model: str | ModelInfo,
    places: GenerationPlaces,
    *,
    prompt: str = "",
) -> Extension:
    """The extension of recorded clip ``clip_id`` by ``frames`` timeline frames on ``side`` with ``model``
    (see the module doc). Writes the conditioning file into ``places.frames_dir``. ExtendError (one line)
    when it cannot be made."""
    if side not in ("tail", "head"):
        raise ExtendError(f"a clip extends at its 'tail' or its 'head', not {side!r}")
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        raise ExtendError("an extension needs at least one frame")
    try:
        track, clip = timeline.find(clip_id)
    except KeyError:
        raise ExtendError(f"there is no clip {clip_id!r} to extend") from None
    if not isinstance(clip, MediaClip) or timeline.is_still(clip):
        raise ExtendError("only recorded video clips can be extended")
    media = timeline.media.get(clip.media)
    if media is None or not media.online or not media.has_video:
        raise ExtendError(f"{_name(timeline, clip)} has no picture to continue (its media is offline)")
    try:
        info = get_model(model) if isinstance(model, str) else model
    except KeyError as exc:
        raise ExtendError(str(exc).strip("'\"")) from None
    mode, note = extension_mode(info, side)
    if mode is None:
        raise ExtendError(f"Cannot extend {_name(timeline, clip)}: {note}")

    fps = timeline.fps
    start = clip.end if side == "tail" else clip.start - frames
    if start < 0:
        raise ExtendError(
            f"{_name(timeline, clip)} starts at {timecode(clip.start, fps)}: there are only "
            f"{clip.start} frames before it"
        )
    busy = track.clips_in(start, start + frames)
    if busy:
        raise ExtendError(
            f"Cannot extend {_name(timeline, clip)}: {_name(timeline, busy[0])} is in the way at "
            f"{timecode(max(start, busy[0].start), fps)}"
        )

    native = mode in (Ability.VIDEO_EXTENSION, Ability.VIDEO_LEAD_IN)
    size = native_size(info, (timeline.settings.width, timeline.settings.height))
    shown = conditioning_frames(
        timeline, clip, side, info.fps, count=_conditioning_count(info, clip, fps) if native else 1
    )
    pictures = canvas_pictures(timeline, clip, shown, (size.width, size.height))
    folder = places.frames_dir
    if native:
        path = write_video(pictures, info.fps, folder)
    else:
        path = write_image(pictures[-1] if side == "tail" else pictures[0], folder)

    edge = clip.end - 1 if side == "tail" else clip.start
    source = f"{clip.media}@{math.floor(clip.source_frame(edge - clip.start))}/{clip.fit.value}"
    spec = GenerationSpec(
        prompt=prompt.strip() or (TAIL_PROMPT if side == "tail" else HEAD_PROMPT),
        model=info.id,
        prefix_video=str(path) if mode is Ability.VIDEO_EXTENSION else None,
        suffix_video=str(path) if mode is Ability.VIDEO_LEAD_IN else None,
        first_image=str(path) if mode is Ability.IMAGE_TO_VIDEO else None,
        last_image=str(path) if mode is Ability.KEYFRAMES else None,
        first_source=source if side == "tail" else "",
        last_source=source if side == "head" else "",
    )
    name = f"Extension of {_name(timeline, clip, quoted=False)}"
    segment = GeneratedClip(new_id("g"), start, frames, spec=spec, name=name, fit=clip.fit)
    return Extension(track.id, segment, clip.id, side, mode, path, (note,) if note else ())


# --- the frames -------------------------------------------------------------------------------------------


def _conditioning_count(model: ModelInfo, clip: Clip, fps: Fraction) -> int:
    """Frames of conditioning video at the model's rate: about a second, no more than the clip has, and a
    count the model's frame rule accepts where one fits (LTX: 8k+1)."""
    have = int((clip.duration - 1) * Fraction(model.fps) / fps) + 1
    want = max(1, min(have, math.floor(CONDITIONING_SECONDS * model.fps)))
    for n in range(want, 0, -1):
        if model.frames.is_valid(n, bounded=False):
            return n
    return want


def conditioning_frames(timeline: Timeline, clip: Clip, side: Side, model_fps: int, *, count: int) -> list[int]:
    """The timeline frames (inside the clip) sampled at ``model_fps``: the last ``count`` ending on the clip's
    last frame (tail), or the first ``count`` from its first frame (head)."""
    step = timeline.fps / Fraction(model_fps)  # timeline frames per model frame
    if side == "tail":
        picked = [clip.end - 1 - round((count - 1 - k) * step) for k in range(count)]
    else:
        picked = [clip.start + round(k * step) for k in range(count)]
    return [min(clip.end - 1, max(clip.start, f)) for f in picked]


def solo_timeline(timeline: Timeline, clip: Clip) -> Timeline:
    """A timeline with the canvas of ``timeline`` and ``clip`` alone on it (no fades, no transition)."""
    solo = Timeline.empty(timeline.settings, video_tracks=1, audio_tracks=0)
    media_id = clip.media_id()
    if media_id is not None:
        solo.media[media_id] = timeline.media[media_id]
    solo.video_tracks[0].add(clip.moved(fade_in=0, fade_out=0, transition=None, link=None))
    return solo


def canvas_pictures(timeline: Timeline, clip: Clip, at: list[int], size: tuple[int, int]) -> list[np.ndarray]:
    """What the canvas shows of ``clip`` alone at timeline frames ``at``, centre-cropped to ``size``'s aspect
    and scaled to it (uint8 RGB, height x width x 3)."""
    from editor.render.compositor import Compositor

    width, height = size
    cw, ch = timeline.settings.width, timeline.settings.height
    scale = max(width / cw, height / ch)
    rw, rh = max(width, math.ceil(cw * scale - 1e-9)), max(height, math.ceil(ch * scale - 1e-9))
    compositor = Compositor(solo_timeline(timeline, clip))
    try:
        out = []
        for frame in at:
            rgb = compositor.frame(frame, rw, rh)
            x, y = (rw - width) // 2, (rh - height) // 2
            out.append(np.ascontiguousarray(rgb[y : y + height, x : x + width]))
        return out
    finally:
        compositor.close()


def _digest(pictures: list[np.ndarray], extra: str) -> str:
    h = hashlib.sha256(extra.encode())
    for pic in pictures:
        h.update(str(pic.shape).encode())
        h.update(pic.tobytes())
    return h.hexdigest()[:24]


def write_video(pictures: list[np.ndarray], fps: int, folder: Path) -> Path:
    """``pictures`` as a lossless RGB H.264 (libx264rgb, qp 0) MP4 at ``fps`` in ``folder``, named by its
    pixels (an existing one is reused: the same bytes, the same job hash)."""
    import av

    out = Path(folder) / f"extend-{_digest(pictures, f'video:{fps}')}.mp4"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    height, width = pictures[0].shape[:2]
    sweep_stale(out.parent)
    with replacing(out, ".partial.mp4") as temp, av.open(str(temp), "w", format="mp4") as container:
        stream = container.add_stream("libx264rgb", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "rgb24"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        for pic in pictures:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pic, format="rgb24")))
        container.mux(stream.encode(None))
    return out


def write_image(picture: np.ndarray, folder: Path) -> Path:
    """One picture as a PNG in ``folder``, named by its pixels."""
    from editor.generate.frames import _write_png

    out = Path(folder) / f"extend-{_digest([picture], 'png')}.png"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        _write_png(picture, out)
    return out


def _name(timeline: Timeline, clip: Clip, *, quoted: bool = True) -> str:
    media = timeline.media.get(clip.media_id() or "")
    name = clip.name or (Path(media.path).name if media is not None else "") or clip.id
    if isinstance(clip, GeneratedClip) and not clip.name:
        name = clip.spec.prompt[:30] or clip.id
    return repr(name) if quoted else name

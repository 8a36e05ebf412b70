"""The project file format: a versioned JSON document, written and read here (no pickle, no I/O but stat).

Format 2, field by field (``docs/project-format.md`` has the same with an example)::

    {
      "format": "promptcut-project",            # identifies the file
      "format_version": 2,                      # bumped on any incompatible change; see migrations.py
      "app_version": "0.1.0",                   # the PromptCut that wrote it (information only)
      "settings": {"width": 1080, "height": 1920, "fps": "30000/1001", "sample_rate": 48000},
      "media": [                                # the pool
        {"id": "m1", "path": "media/clip.mp4", "kind": "video",          # video | audio | image
         "duration": "1001/500",                # exact seconds as "num/den" or "n"; null for stills
         "has_video": true, "has_audio": true, "width": 1920, "height": 1080,
         "content_hash": "5e0c..."}            # optional: editor.media.probe.content_hash, when known
      ],
      "tracks": [                               # video tracks bottom layer first, then audio tracks
        {"id": "v1", "kind": "video", "name": "V1", "hidden": false, "muted": false, "locked": false,
         "volume": 1.0, "clips": [
           {"type": "media", "id": "c1", "start": 0, "duration": 60, "source_in": 0, "name": "",
            "fit": "fill", "volume": 1.0, "media": "m1"},
           {"type": "generated", "id": "g1", "start": 60, "duration": 48, "source_in": 0, "name": "",
            "fit": "fill", "volume": 1.0,
            "spec": {"prompt": "a red kite", "seed": 7, ...},       # GenerationSpec fields; unset ones left out
            "takes": [{"media": "m2", "spec_hash": "3f2a..."}], "active_take": 0}
        ]}
      ],
      "markers": [{"frame": 30, "name": "drop", "color": "#e0a030"}],
      "master_volume": 1.0,                     # format 2: the whole mix's level (linear)
      "length": 90,                             # optional: frames the timeline lasts at least (a trailing gap)
      # Format 2 added, each written only when it differs from its default (so plain clips read as before):
      #   clip "speed": "2" | "1/2" | "0" (freeze), "reverse": true, "interpolation": "blend" | "flow",
      #   "fade_in"/"fade_out": frames, "gain": dB as a number or {"value": v, "keys": [[frame, v, ease]]},
      #   "transform": {"x"|"y"|"scale"|"rotation"|"opacity"|"crop_left"|...: number or keyed as gain},
      #   "transition": {"kind": "dissolve" | "dip_black" | "dip_white", "before": frames, "after": frames};
      #   clip "type": "text" with "text" and "style" (editor.model.text.TextStyle.to_dict());
      #   track "solo" and "captions" (a caption track: its text clips are the cues).
      # Added within format 2, written only when set: top-level "length" (frames, the end of a trailing gap an
      # imported timeline kept) and track "gap_names" ({"30": "slug"}: a gap's name keyed by the frame where
      # the gap starts, in canonical decimal). A PromptCut that predates them warns "ignored unknown field".
      "metadata": {}                            # free-form JSON object kept for the caller
    }

Positions and lengths are integer frames at ``settings.fps``; rates and durations are exact fractions
written as strings. Media paths inside the project file's folder (or below it) are stored relative to that
folder with forward slashes, so a project folder moved or copied with its media keeps working; other paths
are stored absolute. Paths in a generation spec (``first_image``/``last_image``) are stored verbatim: they
are part of the spec's hash. Whether a media file is online is not stored; the loader checks.

A media entry's ``content_hash`` (size + first and last MiB, hex; relink confirms a same-named file by it)
is written only when known and may be absent or null. It was added within format 1 without a version bump:
a PromptCut that predates it reads such a file with an "ignored unknown field" warning (and drops the hash
on its next save) instead of refusing it, and files without it load with no hash.

Reading is strict about types and values and says exactly where a file is wrong ("tracks[0].clips[2].start:
expected a whole number, got '12'"); fields with a model default may be left out; unknown fields are
ignored with a warning (they do not survive the next save).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from pathlib import Path, PureWindowsPath
from typing import Any

import editor
from editor.model.clips import Clip, Fit, GeneratedClip, GenerationSpec, MediaClip, Take, TextClip
from editor.model.effects import IDENTITY, Transform, Transition, speed_problem
from editor.model.keyframes import Curve
from editor.model.media import MediaKind, MediaSource
from editor.model.time import format_rate
from editor.model.timeline import Marker, Settings, Timeline, Track, TrackKind
from editor.project.errors import ProjectError
from editor.project.fields import (
    Bad,
    Reader,
    as_bool,
    as_count,
    as_dict,
    as_fraction,
    as_int,
    as_list,
    as_nonempty_str,
    as_number,
    as_opt_fraction,
    as_opt_hash,
    as_opt_int,
    as_opt_link,
    as_opt_real,
    as_opt_str,
    as_str,
    as_str_tuple,
    choice,
    choice_of,
    describe,
    parsed,
)
from editor.project.format_story import read_story, story_to_dict
from editor.project.migrations import MigrationError, migrate
from editor.project.sanity import timeline_problems

FORMAT_NAME = "promptcut-project"
FORMAT_VERSION = 2
PROJECT_SUFFIX = ".promptcut"

_TOP_KEYS = ("format", "format_version", "app_version", "settings", "media", "tracks", "markers", "master_volume",
             "length", "story", "metadata")


@dataclass
class LoadedProject:
    """What loading gives: the timeline, the media that is offline, and anything worth telling the user."""

    timeline: Timeline
    path: Path | None = None
    offline: list[MediaSource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION   # as found in the file, before any migration
    app_version: str | None = None         # the PromptCut that wrote the file, if it said

    @property
    def migrated(self) -> bool:
        return self.format_version < FORMAT_VERSION


# --- writing -------------------------------------------------------------------------------------------


def to_dict(timeline: Timeline, base_dir: str | os.PathLike[str] | None = None,
            metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready document for ``timeline``. With ``base_dir`` (the project file's folder), media paths
    inside it are made relative; without, paths are written as they are. Raises ValueError for what the
    format cannot hold (a clip type it does not know)."""
    base = None if base_dir is None else os.path.abspath(base_dir)
    s = timeline.settings
    story = {} if timeline.story.empty else {"story": story_to_dict(timeline.story, store_path, base)}
    length = {"length": timeline.length} if timeline.length else {}   # only when set: older files read as before
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": editor.__version__,
        "settings": {"width": s.width, "height": s.height, "fps": format_rate(s.fps), "sample_rate": s.sample_rate},
        "media": [_media_to_dict(m, base) for m in timeline.media.values()],
        "tracks": [_track_to_dict(t) for t in timeline.tracks],
        "markers": [{"frame": m.frame, "name": m.name, "color": m.color} for m in timeline.markers],
        "master_volume": timeline.master_volume,
        **length,
        **story,
        "metadata": dict(metadata or {}),
    }


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _media_to_dict(media: MediaSource, base: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": media.id,
        "path": store_path(media.path, base),
        "kind": media.kind.value,
        "duration": None if media.duration is None else _fraction_text(Fraction(media.duration)),
        "has_video": media.has_video,
        "has_audio": media.has_audio,
        "width": media.width,
        "height": media.height,
    }
    if media.content_hash is not None:   # optional in format 1: left out when unknown (see the module notes)
        out["content_hash"] = media.content_hash
    return out


def _track_to_dict(track: Track) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": track.id, "kind": track.kind.value, "name": track.name,
        "hidden": track.hidden, "muted": track.muted, "locked": track.locked, "volume": track.volume,
        "solo": track.solo, "captions": track.captions,
    }
    if track.gap_names:   # only when set, like the other fields added within format 2
        out["gap_names"] = {str(frame): name for frame, name in sorted(track.gap_names.items())}
    out["clips"] = [_clip_to_dict(c) for c in track.clips]
    return out


def _take_to_dict(take: Take) -> dict[str, Any]:
    out: dict[str, Any] = {"media": take.media_id, "spec_hash": take.spec_hash}
    if take.spec is not None:
        out["spec"] = _spec_to_dict(take.spec)
    return out


def _clip_to_dict(clip: Clip) -> dict[str, Any]:
    common = {"id": clip.id, "start": clip.start, "duration": clip.duration, "source_in": clip.source_in,
              "name": clip.name, "fit": Fit(clip.fit).value, "volume": clip.volume}
    # Written only when set, so files without links stay as they were (and older versions read them).
    if clip.link is not None:
        common["link"] = clip.link
    if clip.sound_detached:
        common["sound_detached"] = True
    if not clip.enabled:
        common["enabled"] = False
    common.update(_effects_to_dict(clip))
    if isinstance(clip, TextClip):
        text = {"type": "text", **common, "text": clip.text, "style": clip.style.to_dict()}
        if clip.words:
            text["words"] = [list(w) for w in clip.words]
        return text
    if isinstance(clip, MediaClip):
        return {"type": "media", **common, "media": clip.media}
    if isinstance(clip, GeneratedClip):
        return {"type": "generated", **common, "spec": _spec_to_dict(clip.spec),
                "takes": [_take_to_dict(t) for t in clip.takes],
                "active_take": clip.active_take}
    raise ValueError(f"clip {clip.id} is a {type(clip).__name__}, which a project file cannot hold")


def _effects_to_dict(clip: Clip) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if clip.speed != 1:
        out["speed"] = _fraction_text(clip.speed)
    if clip.reverse:
        out["reverse"] = True
    if clip.interpolation:
        out["interpolation"] = clip.interpolation
    if clip.fade_in:
        out["fade_in"] = clip.fade_in
    if clip.fade_out:
        out["fade_out"] = clip.fade_out
    if clip.gain != Curve(0.0):
        out["gain"] = clip.gain.to_json()
    if clip.transform != IDENTITY:
        out["transform"] = clip.transform.to_json()
    if clip.transition is not None:
        out["transition"] = clip.transition.to_json()
    return out


def _spec_to_dict(spec: GenerationSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"prompt": spec.prompt}
    for f in fields(spec):
        value = getattr(spec, f.name)
        if f.name != "prompt" and value is not None and value != f.default and value != ():
            out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def store_path(path: str, base: str | os.PathLike[str] | None) -> str:
    """How a media path is written: relative with '/' when inside ``base`` (or below), else absolute."""
    if base is None:
        return path
    absolute = os.path.abspath(path)
    base = os.path.abspath(base)
    for candidate_base, candidate in ((base, absolute), (os.path.realpath(base), os.path.realpath(absolute))):
        try:
            rel = os.path.relpath(candidate, candidate_base)
        except ValueError:  # another drive on Windows
            continue
        parts = Path(rel).parts
        if rel != os.curdir and not os.path.isabs(rel) and parts and os.pardir not in parts:
            return "/".join(parts)
    return absolute


def _is_absolute(path: str) -> bool:
    return os.path.isabs(path) or path.startswith(("/", "\\")) or PureWindowsPath(path).is_absolute()


def resolve_path(stored: str, base: str | os.PathLike[str] | None) -> str:
    """The inverse of ``store_path``: relative paths are joined to ``base``."""
    if base is None or _is_absolute(stored):
        return stored
    return os.path.normpath(os.path.join(os.path.abspath(base), *stored.split("/")))


# --- reading -------------------------------------------------------------------------------------------


def from_dict(data: Any, base_dir: str | os.PathLike[str] | None = None, *, source: str = "project data",
              check_media: bool = False) -> LoadedProject:
    """Build the timeline a document describes. Migrates older formats, refuses newer ones, checks every
    field and then the timeline's own rules. ``base_dir`` resolves relative media paths; ``check_media``
    marks media whose file is missing as offline. Raises ProjectError (one line, naming ``source``)."""
    if not isinstance(data, dict):
        raise ProjectError(source, f"not a PromptCut project (the file holds {describe(data)}, not an object)")
    if "format" not in data:
        raise ProjectError(source, "not a PromptCut project (no 'format' field)")
    if data["format"] != FORMAT_NAME:
        raise ProjectError(source, f"not a PromptCut project (format is {describe(data['format'])})")
    version = data.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ProjectError(source, f"damaged project: format_version is {describe(version)}, not a version number")
    app_version = data.get("app_version")
    if version > FORMAT_VERSION:
        by = f"PromptCut {app_version}" if isinstance(app_version, str) and app_version else "a newer PromptCut"
        raise ProjectError(source, f"was saved by {by}, a newer version (format {version}; "
                                   f"this version reads up to {FORMAT_VERSION}): update PromptCut to open it")
    try:
        data, steps = migrate(data, FORMAT_VERSION)
    except MigrationError as exc:
        raise ProjectError(source, f"cannot read this older project (format {version}): {exc}") from None
    warnings: list[str] = []
    if steps:
        warnings.append(f"converted from project format {version} to {FORMAT_VERSION}; saving writes the new "
                        "format and keeps a copy of the old file")
    try:
        timeline, metadata = _read_document(data, base_dir, warnings)
    except Bad as exc:
        raise ProjectError(source, f"damaged project: {exc}") from None
    problems = timeline.problems() or timeline_problems(timeline)   # the bounds: editor.project.sanity
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ProjectError(source, f"inconsistent project: {problems[0]}{more}")
    offline: list[MediaSource] = []
    if check_media:
        for media_id, media in list(timeline.media.items()):
            if not os.path.isfile(media.path):
                timeline.media[media_id] = media = replace(media, online=False)
                offline.append(media)
                warnings.append(f"media {media.name!r} is offline: {media.path} was not found")
    else:
        offline = timeline.offline_media()
    return LoadedProject(timeline=timeline, path=None, offline=offline, warnings=warnings, metadata=metadata,
                         format_version=version, app_version=app_version if isinstance(app_version, str) else None)


def _read_document(data: dict[str, Any], base_dir: str | os.PathLike[str] | None,
                   warnings: list[str]) -> tuple[Timeline, dict[str, Any]]:
    top = Reader(data, "", warnings)
    top.seen.update(("format", "format_version"))
    top.get("app_version", as_opt_str, None)
    settings = _read_settings(top.get("settings", as_dict), warnings)
    timeline = Timeline(settings=settings)
    for i, item in enumerate(top.get("media", as_list)):
        media = _read_media(item, f"media[{i}]", base_dir, warnings)
        if media.id in timeline.media:
            raise Bad(f"media[{i}].id: duplicate media id {media.id!r}")
        timeline.media[media.id] = media
    for i, item in enumerate(top.get("tracks", as_list)):
        track = _read_track(item, f"tracks[{i}]", warnings)
        (timeline.video_tracks if track.kind is TrackKind.VIDEO else timeline.audio_tracks).append(track)
    for i, item in enumerate(top.get("markers", as_list, [])):
        r = Reader(item, f"markers[{i}]", warnings)
        timeline.markers.append(Marker(frame=r.get("frame", as_int), name=r.get("name", as_str, ""),
                                       color=r.get("color", as_str, "#e0a030")))
        r.done()
    timeline.master_volume = top.get("master_volume", _volume, 1.0)
    timeline.length = top.get("length", as_count, 0)
    raw_story = top.get("story", as_dict, None)
    if raw_story is not None:
        timeline.story = read_story(raw_story, "story", base_dir, resolve_path, warnings)
    metadata = top.get("metadata", as_dict, {})
    top.done()
    return timeline, metadata


def _read_settings(value: dict[str, Any], warnings: list[str]) -> Settings:
    r = Reader(value, "settings", warnings)
    defaults = Settings()
    width = r.get("width", as_int, defaults.width)
    height = r.get("height", as_int, defaults.height)
    fps = r.get("fps", as_fraction)
    if fps == 0:
        raise Bad("settings.fps: must be more than zero")
    sample_rate = r.get("sample_rate", as_int, defaults.sample_rate)
    r.done()
    try:
        return Settings(width=width, height=height, fps=fps, sample_rate=sample_rate)
    except ValueError as exc:
        raise Bad(f"settings: {exc}") from None


def _read_media(value: Any, where: str, base_dir: str | os.PathLike[str] | None, warnings: list[str]) -> MediaSource:
    r = Reader(value, where, warnings)
    media = MediaSource(
        id=r.get("id", as_nonempty_str),
        path=resolve_path(r.get("path", as_nonempty_str), base_dir),
        kind=r.get("kind", choice(MediaKind)),
        duration=r.get("duration", as_opt_fraction),
        has_video=r.get("has_video", as_bool),
        has_audio=r.get("has_audio", as_bool),
        width=r.get("width", as_count, 0),
        height=r.get("height", as_count, 0),
        content_hash=r.get("content_hash", as_opt_hash, None),
    )
    r.done()
    return media


def _read_track(value: Any, where: str, warnings: list[str]) -> Track:
    r = Reader(value, where, warnings)
    track = Track(
        id=r.get("id", as_nonempty_str),
        kind=r.get("kind", choice(TrackKind)),
        name=r.get("name", as_str, ""),
        hidden=r.get("hidden", as_bool, False),
        muted=r.get("muted", as_bool, False),
        locked=r.get("locked", as_bool, False),
        volume=r.get("volume", as_number, 1.0),
        solo=r.get("solo", as_bool, False),
        captions=r.get("captions", as_bool, False),
        gap_names=r.get("gap_names", _gap_names, {}),
    )
    clips = [_read_clip(item, f"{where}.clips[{i}]", warnings) for i, item in enumerate(r.get("clips", as_list, []))]
    track.clips = sorted(clips, key=lambda c: c.start)  # a hand-edited file need not keep them in order
    r.done()
    return track


def _read_clip(value: Any, where: str, warnings: list[str]) -> Clip:
    r = Reader(value, where, warnings)
    kind = r.get("type", as_str)
    common = {
        "id": r.get("id", as_nonempty_str),
        "start": r.get("start", as_int),
        "duration": r.get("duration", as_int),
        "source_in": r.get("source_in", as_int, 0),
        "name": r.get("name", as_str, ""),
        "fit": r.get("fit", choice(Fit), Fit.FILL),
        "volume": r.get("volume", as_number, 1.0),
        "link": r.get("link", as_opt_link, None),
        "sound_detached": r.get("sound_detached", as_bool, False),
        "enabled": r.get("enabled", as_bool, True),
        "speed": r.get("speed", _speed, Fraction(1)),
        "reverse": r.get("reverse", as_bool, False),
        "interpolation": r.get("interpolation", _interpolation, ""),
        "fade_in": r.get("fade_in", as_count, 0),
        "fade_out": r.get("fade_out", as_count, 0),
        "gain": r.get("gain", parsed(Curve.from_json), Curve(0.0)),
        "transform": r.get("transform", parsed(Transform.from_json), IDENTITY),
        "transition": r.get("transition", parsed(Transition.from_json), None),
    }
    if kind == "text":
        from editor.model.text import TextStyle
        clip: Clip = TextClip(**common, text=r.get("text", as_str, ""),
                              style=r.get("style", parsed(lambda v, where: _style(TextStyle, v, where)), TextStyle()),
                              words=r.get("words", _words, ()))
    elif kind == "media":
        clip = MediaClip(**common, media=r.get("media", as_nonempty_str))
    elif kind == "generated":
        takes = []
        for i, item in enumerate(r.get("takes", as_list, [])):
            t = Reader(item, f"{where}.takes[{i}]", warnings)
            raw_spec = t.get("spec", as_dict, None)
            take_spec = None if raw_spec is None else _read_spec(raw_spec, f"{where}.takes[{i}].spec", warnings)
            takes.append(Take(media_id=t.get("media", as_nonempty_str), spec_hash=t.get("spec_hash", as_str),
                              spec=take_spec))
            t.done()
        clip = GeneratedClip(**common, spec=_read_spec(r.get("spec", as_dict), f"{where}.spec", warnings),
                             takes=tuple(takes), active_take=r.get("active_take", as_opt_int, None))
    else:
        raise Bad(f"{where}.type: unknown clip type {describe(kind)} (expected 'media', 'generated' or 'text')")
    r.done()
    return clip


def _words(value: Any, where: str) -> tuple[tuple[str, int, int], ...]:
    out = []
    for i, item in enumerate(as_list(value, where)):
        if (not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str)
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in item[1:]) or item[2] < item[1]):
            raise Bad(f"{where}[{i}]: a word is [text, first frame, end frame], got {describe(item)}")
        out.append((item[0], item[1], item[2]))
    return tuple(out)


def _gap_names(value: Any, where: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for key, name in as_dict(value, where).items():
        # Canonical decimal only ("30", not "030" or "+30"), so two keys can never name the same frame.
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 15
                and key == str(int(key))):
            raise Bad(f"{where}: a gap is named at a frame number, got the key {describe(key)}")
        out[int(key)] = as_str(name, f"{where}.{key}")
    return out


def _speed(value: Any, where: str) -> Fraction:
    speed = as_fraction(value, where)
    problem = speed_problem(speed)
    if problem:
        raise Bad(f"{where}: {problem}")
    return speed


def _volume(value: Any, where: str) -> float:
    volume = as_number(value, where)
    if volume < 0:
        raise Bad(f"{where}: a volume is 0 or more, got {describe(value)}")
    return volume


def _interpolation(value: Any, where: str) -> str:
    if value not in ("", "blend", "flow"):
        raise Bad(f"{where}: expected '', 'blend' or 'flow', got {describe(value)}")
    return value


def _style(kind: Any, value: Any, where: str) -> Any:
    try:
        return kind.from_dict(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


# How each GenerationSpec field is checked; a field added to the model without an entry here is read as text.
_SPEC_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "prompt": as_str, "negative_prompt": as_str, "model": as_str, "seed": as_opt_int, "steps": as_opt_int,
    "guidance": as_opt_real, "width": as_opt_int, "height": as_opt_int, "first_image": as_opt_str,
    "last_image": as_opt_str, "profile": choice_of("draft", "standard", "final", ""),
    "prefix_video": as_opt_str, "suffix_video": as_opt_str, "reference_images": as_str_tuple,
    "match_colors": as_bool, "color_reference": as_opt_str, "first_source": as_str, "last_source": as_str,
    "kind": choice_of("", "speech", "sound"), "voice": as_str, "voice_speed": as_opt_real, "pitch": as_opt_real,
}


def _read_spec(value: dict[str, Any], where: str, warnings: list[str]) -> GenerationSpec:
    r = Reader(value, where, warnings)
    values: dict[str, Any] = {}
    for f in fields(GenerationSpec):
        check = _SPEC_CHECKS.get(f.name, as_opt_str)
        if f.name == "prompt" or f.name in value:
            values[f.name] = r.get(f.name, check)
    r.done()
    return GenerationSpec(**values)

"""Opening and saving what the user works on, by extension: a PromptCut project (``.promptcut``) or a timeline
file (.otio, bundles, and other editors' XML, FCPXML, EDL, AAF, Kdenlive: ``interchange.formats`` is the door).

Sits above media, project and interchange: after loading, it probes every online media file so the pool
carries facts read from the files themselves (an .otio made elsewhere often lacks durations), and it
marks files that cannot be read as offline instead of failing the whole document.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from editor.media.info import MediaError
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaSource, Timeline

PROJECT_SUFFIX = ".promptcut"


class DocumentError(Exception):
    """A document that cannot be opened or saved; the message is one line and names the file."""


@dataclass
class Document:
    timeline: Timeline
    path: Path | None
    warnings: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)   # the project file's free-form metadata, kept on save

    @property
    def offline(self) -> list[MediaSource]:
        return self.timeline.offline_media()


def is_timeline(path: str | os.PathLike[str]) -> bool:
    """True for a timeline file (any interchange format, .otio included); False for a project."""
    from editor.interchange.formats import is_timeline_file

    return is_timeline_file(path)


is_otio = is_timeline   # the older name: every interchange format is opened the way .otio is


def open_document(path: str | os.PathLike[str], *, refresh_media: bool = True) -> Document:
    """Load a project or a timeline file; never fails over missing media (those clips come back offline)."""
    from editor.interchange.formats import read_timeline
    from editor.interchange.otio import InterchangeError
    from editor.project import ProjectError, load_project

    path = Path(path)
    timeline_file = is_timeline(path)
    try:
        loaded = read_timeline(path) if timeline_file else load_project(path)
    except InterchangeError as exc:
        raise DocumentError(str(exc)) from None
    except ProjectError as exc:
        # Only where the reader found no project at all: a damaged or newer project keeps its own line.
        named = _not_a_project(path) if "not a PromptCut project" in str(exc) else None
        raise DocumentError(named or str(exc)) from None
    doc = Document(loaded.timeline, path, list(loaded.warnings), dict(getattr(loaded, "metadata", {}) or {}))
    if timeline_file and getattr(loaded, "name", ""):
        doc.metadata.setdefault("name", loaded.name)   # the timeline's own name travels through convert
    if refresh_media:
        doc.warnings.extend(refresh_media_facts(doc.timeline))
        doc.warnings.extend(fit_clips_to_media(doc.timeline))
        if getattr(loaded, "canvas_guessed", False):
            doc.warnings.extend(canvas_from_media(doc.timeline))
    return doc


def canvas_from_media(timeline: Timeline) -> list[str]:
    """A timeline file that does not record its picture size (an EDL, most AAFs) gets the size most of its
    video clips' media have (a 1920x1080 Premiere cut stays landscape), with a note; unchanged when no online
    video says."""
    from collections import Counter

    from editor.model.clips import MediaClip

    sizes: Counter[tuple[int, int]] = Counter()
    for track in timeline.video_tracks:
        for clip in track.clips:
            media = timeline.media.get(clip.media) if isinstance(clip, MediaClip) else None
            if media is not None and media.online and media.has_video and media.width and media.height:
                sizes[(media.width - media.width % 2, media.height - media.height % 2)] += clip.duration
    if not sizes:
        return []
    (width, height), _ = sizes.most_common(1)[0]
    if (width, height) == (timeline.settings.width, timeline.settings.height) or not (
            16 <= width <= 16384 and 16 <= height <= 16384):
        return []
    timeline.settings = replace(timeline.settings, width=width, height=height)
    return [f"the file does not record its picture size: the canvas is {width}x{height}, as most of its media"]


def fit_clips_to_media(timeline: Timeline) -> list[str]:
    """One rule for a clip that asks for more of its file than the file holds (the file is shorter than the
    project or the interchange file recorded): it is trimmed to what the file holds, with a note naming both;
    export and convert both open documents here, so they agree. A clip that starts past the file's end keeps
    one frame (the file's last), so nothing is silently dropped."""
    import math

    from editor.model.clips import MediaClip
    from editor.model.commands.base import settled

    notes: list[str] = []
    fps = timeline.fps
    for track in timeline.tracks:
        trimmed = False
        for i, clip in enumerate(track.clips):
            if not isinstance(clip, MediaClip) or clip.speed == 0:
                continue
            have = timeline.media_frames(clip)
            if have is None or clip.source_in + clip.source_frames <= have:
                continue
            media = timeline.media[clip.media]
            source_in = min(clip.source_in, max(0, have - 1))
            duration = max(1, math.floor((have - source_in) / clip.speed))
            while duration > 1 and source_in + math.ceil(duration * clip.speed) > have:
                duration -= 1
            track.clips[i] = clip.moved(source_in=source_in, duration=duration,
                                        fade_in=min(clip.fade_in, duration),
                                        fade_out=min(clip.fade_out, max(0, duration - min(clip.fade_in, duration))))
            asked = (clip.source_in + clip.source_frames) / fps
            name = clip.name or Path(media.path).name
            notes.append(f"clip {name!r} asks for {float(asked):.2f} s of {Path(media.path).name!r}, which holds "
                         f"{float(have / fps):.2f} s: trimmed")
            trimmed = True
        if trimmed:   # a transition into a trimmed clip's successor no longer has a clip ending where it starts
            track.clips = settled(track.clips)
    return notes


def refresh_media_facts(timeline: Timeline) -> list[str]:
    """Re-probe each online file of the pool; unreadable ones go offline with a warning naming them."""
    warnings: list[str] = []
    for media_id, source in list(timeline.media.items()):
        if not source.online:
            continue
        try:
            info = probe(source.path)
        except MediaError as exc:
            timeline.media[media_id] = replace(source, online=False)
            warnings.append(str(exc))
            continue
        fresh = media_source_from_info(info, media_id)
        timeline.media[media_id] = replace(fresh, path=source.path, content_hash=source.content_hash)
    return warnings


def _not_a_project(path: Path) -> str | None:
    """For a file the project reader refused whose extension is neither a project's nor a timeline's (a video,
    a picture, a typo): the line that names the extension, instead of the JSON reader's complaint."""
    suffix = path.suffix.lower()
    if suffix == PROJECT_SUFFIX or not path.is_file():
        return None
    from editor.interchange.formats import FORMATS

    reads = ", ".join(s for fmt in FORMATS if fmt.reads for s in fmt.suffixes)
    what = f"{suffix} is not" if suffix else "a name without an extension is not"
    return f"{path}: {what} a file PromptCut opens (projects are {PROJECT_SUFFIX}; timelines {reads})"


def save_document(timeline: Timeline, path: str | os.PathLike[str], metadata: dict | None = None) -> list[str]:
    """Save as a project, or as the timeline format the extension names; returns notes on what a timeline
    format could not carry, and for a project on generated takes that could not be copied into it."""
    from editor.archive.collect import adopt_cached_takes
    from editor.interchange.formats import write_timeline
    from editor.interchange.otio import InterchangeError
    from editor.project import ProjectError, save_project

    try:
        if is_timeline(path):
            return write_timeline(timeline, Path(path), name=(metadata or {}).get("name") or None)
        # Takes made before the project had a file get the project's own link or copy in NAME.media/generated
        # first (the cache keeps its file), so the project is written pointing inside itself (relative paths).
        notes = adopt_cached_takes(timeline, path)
        save_project(timeline, Path(path), metadata=metadata)
        return notes
    except (InterchangeError, ProjectError) as exc:
        raise DocumentError(str(exc)) from None

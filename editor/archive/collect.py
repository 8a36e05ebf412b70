"""A project that holds its own files: the first save gives the project its own copy of the generated takes
in the user cache, and Collect Project copies every other file the project uses into it.

Both work on ``NAME.media/`` beside ``NAME.promptcut`` (``editor.generate.places.media_folder``): takes go to
``NAME.media/generated/`` keeping the cache's content-addressed layout (``<hash[:2]>/<hash>.mp4`` and its
``.json`` sidecar), so the project's own job store finds them as cached takes; collected files go to
``NAME.media/collected/``. The project format writes paths inside the project's folder relative to it
(``editor.project.format.store_path``), so a project folder moved or copied whole keeps working.

No user file is ever overwritten: a name already taken by other content gets ``-2``, ``-3``...; the same
content (byte for byte) is copied once and reused, also across runs, so collecting twice copies nothing.

Neither ever removes a source: a take in the user cache may still be used by another project, another window,
the input of a ``promptcut convert`` or an Undo that points the pool back at it, so the first save hard-links it
into the project (a copy across filesystems) and the cache keeps its file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from editor.archive.files import (
    copy_atomically,
    file_digest,
    is_inside,
    is_regular_file,
    link_or_copy,
    prepare_folder,
    same_content,
    used_files,
)
from editor.model import Change, Command, GeneratedClip, Group, Timeline
from editor.model.commands import EditError, ReplaceMedia
from editor.model.commands.story import set_cast
from generation.paths import user_cache_dir

COLLECTED = "collected"
GENERATED = "generated"
SIDECAR_SUFFIX = ".json"   # generation.writer.sidecar_path: a take's JSON sits beside it with this suffix


@dataclass
class CollectResult:
    copied: list[Path] = field(default_factory=list)     # files copied into the project's media folder
    notes: list[str] = field(default_factory=list)       # one line each: what could not be collected, and why
    # Where each collected file now has its copy: the path the project held (absolute) -> the copy. This, not
    # a command, is what a collect made from a snapshot hands back: :func:`relink_command` turns it into the
    # relink against the live timeline, so edits made while the copying ran are kept.
    relinked: dict[str, Path] = field(default_factory=dict)
    # With ``apply=True``: the relink, already applied to the timeline (one undo step); None when nothing was
    # relinked. The UI puts it on its undo stack; undoing points the project back at the originals (the copies
    # stay on disk).
    command: Command | None = None


# --- where things live ---------------------------------------------------------------------------------------
# editor.generate.places (above this room) takes media_folder from here; a test holds generated_folder to agree
# with its places_for.


def media_folder(project_path: str | os.PathLike[str]) -> Path:
    """``cut.media`` beside ``cut.promptcut``."""
    path = Path(project_path).absolute()
    return path.with_name(f"{path.stem}.media")


def generated_folder(project_path: str | os.PathLike[str] | None) -> Path:
    """Where takes live: ``NAME.media/generated`` for a project, the user cache's for none."""
    return user_cache_dir() / GENERATED if project_path is None else media_folder(project_path) / GENERATED


# --- the first save: takes out of the user cache ----------------------------------------------------------


def _relative_to(path: Path, folder: Path) -> Path | None:
    for candidate, base in ((path, folder), (Path(os.path.realpath(path)), Path(os.path.realpath(folder)))):
        try:
            return candidate.relative_to(base)
        except ValueError:
            continue
    return None


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def adopt_cached_takes(timeline: Timeline, project_path: str | os.PathLike[str]) -> list[str]:
    """Give the project its own file of each generated take that lives in the user cache (made before the
    project had a file): hard-linked (copied across filesystems) into ``NAME.media/generated/`` with its
    sidecar, and the pool pointed at it (in place). Returns notes. Called on save.

    The cache keeps its file: another project, another window, a ``promptcut convert`` input or an Undo that
    re-adds the old pool entry may still point there, and every one of them keeps playing."""
    cache = generated_folder(None)
    home = generated_folder(project_path)
    if is_inside(home, cache) or is_inside(cache, home):
        return []   # a project saved inside the cache (or the reverse): nothing to adopt, and it would loop
    notes: list[str] = []
    adopted: dict[str, Path] = {}   # the cache file (resolved) -> the project's file: two entries, one file
    for media_id, media in list(timeline.media.items()):
        old = Path(os.path.abspath(media.path))
        relative = _relative_to(old, cache) if is_inside(old, cache) else None
        if relative is None:
            continue
        key = os.path.realpath(old)
        new = adopted.get(key)
        if new is None:
            new = _adopt_one(old, home / relative, notes)
            if new is None:
                continue
            adopted[key] = new
        timeline.media[media_id] = replace(media, path=str(new))
    if adopted:
        # Not an undoable command: it is part of saving (an Undo after it may point back at the cache, whose
        # file is still there, and the next save adopts it again as the same file).
        timeline.emit(Change("Take generated takes into the project", media=True))
    return notes


def _adopt_one(old: Path, wanted: Path, notes: list[str]) -> Path | None:
    """The project's file for the take ``old`` (and its sidecar): ``wanted`` or a free name beside it, linked or
    copied; None (with a note) when that fails (the pool then keeps pointing at the cache)."""
    if not is_regular_file(old):
        notes.append(f"generated take {old.name} is no longer in the user cache: it stays offline")
        return None
    target = wanted
    n = 1
    while target.exists() or target.with_suffix(SIDECAR_SUFFIX).exists():
        if target.exists() and same_content(old, target):
            # Already in the project (an earlier save, or the same take made twice): use that file.
            _copy_sidecar(old, target, notes, put=link_or_copy)
            return target
        n += 1
        target = wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")
    try:
        prepare_folder(target.parent)
        link_or_copy(old, target)
    except OSError as exc:
        notes.append(f"generated take {old.name} could not be copied into the project ({_why(exc)}): the project "
                     "still uses it in the user cache")
        return None
    # After the video: a sidecar beside a video says the take is complete.
    _copy_sidecar(old, target, notes, put=link_or_copy)
    return target


# --- Collect Project ---------------------------------------------------------------------------------------


class _Collector:
    """Copies into one folder, each content once: by source file, then by content, then by what the folder
    already holds under that name (an earlier collect)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_source: dict[str, Path] = {}
        self.by_content: dict[tuple[int, str], Path] = {}
        self.chosen: set[str] = set()       # names given out in this run (casefolded)
        self.copied: list[Path] = []
        self.prepared = False

    def place(self, source: Path) -> Path:
        key = os.path.realpath(source)
        if key in self.by_source:
            return self.by_source[key]
        content = (os.path.getsize(source), file_digest(source))
        copy = self.by_content.get(content) or self._store(source, content)
        self.by_source[key] = self.by_content[content] = copy
        return copy

    def _store(self, source: Path, content: tuple[int, str]) -> Path:
        stem, suffix = os.path.splitext(source.name)
        n = 1
        candidate = self.folder / source.name
        while True:
            if candidate.name.casefold() not in self.chosen:
                if not candidate.exists() and not candidate.is_symlink():
                    break
                if (candidate.is_file() and os.path.getsize(candidate) == content[0]
                        and file_digest(candidate) == content[1]):
                    self.chosen.add(candidate.name.casefold())
                    return candidate    # collected before: reuse, copy nothing
            n += 1
            candidate = self.folder / f"{stem}-{n}{suffix}"
        if not self.prepared:
            prepare_folder(self.folder)
            self.prepared = True
        self.chosen.add(candidate.name.casefold())
        copy_atomically(source, candidate)
        self.copied.append(candidate)
        return candidate


def collect_project(timeline: Timeline, project_path: str | os.PathLike[str], *, apply: bool = True) -> CollectResult:
    """Copy every media file the project uses that lives outside ``NAME.media/`` into it and relink (in
    place: the caller saves). ``apply=False``: nothing on ``timeline`` changes and no command is made; the
    caller relinks its own timeline with :func:`relink_command` (the window collects from a snapshot beside
    the GUI thread, then relinks the live timeline as one undo step)."""
    root = media_folder(project_path)
    collector = _Collector(root / COLLECTED)
    result = CollectResult()
    takes = {t.media_id for _, clip in timeline.clips() if isinstance(clip, GeneratedClip) for t in clip.takes}
    for used in used_files(timeline):
        if is_inside(used.path, root) or str(used.path) in result.relinked:
            continue
        if (used.media is not None and not used.media.online) or not is_regular_file(used.path):
            result.notes.append(f"{used.label} {used.path.name} is offline ({used.path}): not collected; relink it "
                                "and collect again")
            continue
        try:
            copy = collector.place(used.path)
        except OSError as exc:
            result.notes.append(f"{used.label} {used.path.name} could not be copied ({_why(exc)}): the project "
                                "still uses it where it is")
            continue
        result.relinked[str(used.path)] = copy
        if used.media is not None and used.media.id in takes:
            _copy_sidecar(used.path, copy, result.notes)
    result.copied = list(collector.copied)
    if apply:
        command = relink_command(timeline, result)
        if command is not None:
            try:
                command.apply(timeline)
            except EditError as exc:   # the copies are identical files: a refusal here would be a bug, one line
                result.notes.append(f"the project could not be relinked to the collected files: {exc}")
            else:
                result.command = command
    return result


def relink_command(timeline: Timeline, result: CollectResult) -> Command | None:
    """The relink to ``result``'s copies as one undoable command, made against ``timeline`` as it is now (not
    applied): a pool entry or cast picture moves to its copy only where it still points at the file that was
    copied, and everything else (names, new cast members, other edits made while the copying ran) is kept.
    None when nothing is left to relink."""
    def copy_of(path: str) -> Path | None:
        return result.relinked.get(os.path.abspath(path))

    parts: list[Command] = []
    for media in timeline.media.values():
        copy = copy_of(media.path)
        if copy is not None:
            parts.append(ReplaceMedia(replace(media, path=str(copy))))
    cast = timeline.story.cast
    relinked_cast = tuple(replace(m, image=str(copy_of(m.image))) if m.image and copy_of(m.image) else m
                          for m in cast)
    if relinked_cast != cast:
        parts.append(set_cast(timeline, relinked_cast, "Collect cast pictures"))
    return Group("Collect project", parts) if parts else None


def _copy_sidecar(source: Path, copy: Path, notes: list[str],
                  put: Callable[[Path, Path], Path] = copy_atomically) -> None:
    """A take's JSON notes travel with it (what made it: model, seed, timings), put beside ``copy`` by ``put``
    unless one is there already; a failure is a note, the take itself is in place."""
    sidecar, target = source.with_suffix(SIDECAR_SUFFIX), copy.with_suffix(SIDECAR_SUFFIX)
    if not is_regular_file(sidecar) or target.exists():
        return
    try:
        put(sidecar, target)
    except OSError as exc:
        notes.append(f"the notes file of generated take {source.name} could not be copied ({_why(exc)})")

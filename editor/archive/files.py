"""The file work Collect, Archive and the first save share: which files a project uses, copying and linking
them without leaving half a file where a user's file should be, and telling same content from a name clash.

A copy goes to a recognisable temporary beside its target (``generation.leftovers.replacing``: a killed
copy is swept by the next writer in that folder) and is renamed over the target only once complete, so a
project never points at half a file. Plain Python: the archive room sits above media and project, below the UI.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from editor.model import MediaSource, Timeline
from generation.leftovers import replacing, sweep_stale

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class UsedFile:
    """One file a project points at: a pool entry (media, generated take) or a cast member's picture.

    ``media`` is the pool entry (None for a cast picture, whose member id is ``cast_id``); ``path`` is the
    path the project holds, absolute."""

    path: Path
    media: MediaSource | None = None
    cast_id: str | None = None

    @property
    def label(self) -> str:
        return "cast picture" if self.media is None else "media"


def used_files(timeline: Timeline) -> Iterator[UsedFile]:
    """Every file the project points at, in pool order then cast order (a path may appear more than once)."""
    for media in timeline.media.values():
        yield UsedFile(Path(os.path.abspath(media.path)), media=media)
    for member in timeline.story.cast:
        if member.image:
            yield UsedFile(Path(os.path.abspath(member.image)), cast_id=member.id)


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` lies in ``folder`` or below it (as written or with links resolved)."""
    pairs = ((os.path.abspath(path), os.path.abspath(folder)), (os.path.realpath(path), os.path.realpath(folder)))
    for candidate, base in pairs:
        try:
            if os.path.commonpath([candidate, base]) == base:
                return True
        except ValueError:   # different drives on Windows
            continue
    return False


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """A regular file (or a link to one): never copy a FIFO (it blocks) or a device (it never ends)."""
    try:
        return Path(path).is_file()
    except OSError:
        return False


def file_digest(path: str | os.PathLike[str]) -> str:
    """sha256 of the whole file: what "the same content" means here (a clash is only reused when identical)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def same_content(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Byte-identical files (sizes first, so most clashes cost one stat)."""
    try:
        if os.path.samefile(a, b):
            return True
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        return file_digest(a) == file_digest(b)
    except OSError:
        return False


def free_name(folder: Path, name: str, taken: set[str]) -> Path:
    """``folder/name``, or ``stem-2.ext``, ``stem-3.ext``... when that name is on disk or in ``taken``
    (case-insensitively: the project may move to a disk that ignores case)."""
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while candidate.casefold() in taken or (folder / candidate).exists():
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return folder / candidate


def prepare_folder(folder: Path) -> Path:
    """Make ``folder`` and remove the temporaries a killed copy left in it."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep_stale(folder)
    return folder


def copy_atomically(source: str | os.PathLike[str], target: Path) -> Path:
    """Copy ``source`` to ``target`` through a temporary beside it, keeping its times; OSError on failure (the
    temporary removed, ``target`` untouched). Callers sweep the folder's stale temporaries once
    (:func:`prepare_folder`), not once per file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target, ".partial") as tmp:
        with open(tmp, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(source, tmp)
    return target


def link_or_copy(source: Path, target: Path) -> Path:
    """Give ``target`` (not there yet) the content of ``source``, which stays where it is: a hard link when both
    are on one filesystem (no second copy on disk, and the project holds its own name for the file), else a
    complete copy (:func:`copy_atomically`). Either way ``target`` appears whole or not at all. OSError on
    failure; FileExistsError when ``target`` exists (never replaced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(target):
        raise FileExistsError(17, "File exists", str(target))
    try:
        os.link(source, target, follow_symlinks=True)
        return target
    except FileExistsError:
        raise
    except (OSError, NotImplementedError):
        pass   # another disk (EXDEV), or a filesystem without hard links (FAT, some network shares): copy
    copy_atomically(source, target)
    return target

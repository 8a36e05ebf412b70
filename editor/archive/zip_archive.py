"""Archive Project: one zip holding the project, every file it uses, its generated takes and the fonts its
titles are drawn with; and opening such an archive without trusting it.

Inside the zip (all names relative, forward slashes; a backslash in a name, legal on Linux and macOS, is written
as ``_`` because zip readers take it for a folder separator)::

    promptcut-archive.json        the manifest: format, the project's name, every file with its size and role
    NAME.promptcut                the project, its paths relative to the zip's top
    NAME.media/...                the files the project had inside its folder keep their place (takes in
    footage/...                   NAME.media/generated/ with their JSON sidecars)
    NAME.media/collected/...      files from outside the project's folder (a clash of names gets -2, -3...)
    fonts/...                     the font files the titles use and their licence files

The zip is written to a recognisable temporary beside the output and renamed over it only when complete (a
killed archive leaves no half zip under the user's name; the next one sweeps the temporary). Offline media
cannot be carried: the project in the archive keeps pointing where it was, and a note says so.

Opening refuses anything but a zip holding our manifest, and unpacks with ``editor.safe_io.extract_zip``
(no ``..``, absolute names, links or special files; size and count capped) into a fresh folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import editor
from editor.archive.collect import COLLECTED, SIDECAR_SUFFIX, media_folder
from editor.archive.files import is_inside, is_regular_file, used_files
from editor.archive.fonts import font_files
from editor.model import GeneratedClip, Timeline
from editor.project import PROJECT_SUFFIX, ProjectError, encode, from_dict, to_dict
from editor.safe_io import (
    ARCHIVE_MAX_BYTES,
    ARCHIVE_MAX_FILES,
    FileRefused,
    check_free_space,
    check_output_path,
    extract_zip,
    safe_member_name,
)
from generation.leftovers import replacing, sweep_stale

ARCHIVE_SUFFIX = ".zip"
MANIFEST = "promptcut-archive.json"
ARCHIVE_FORMAT = "promptcut-archive"
ARCHIVE_VERSION = 1
FONTS = "fonts"
# Caps for opening (module-level so a test can lower them): see editor.safe_io.
MAX_BYTES = ARCHIVE_MAX_BYTES
MAX_FILES = ARCHIVE_MAX_FILES
_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
# Media is compressed already: storing it costs no space and saves the CPU a pointless deflate.
_DEFLATED_ROLES = frozenset({"project", "manifest", "sidecar", "font", "licence"})


class ArchiveError(Exception):
    """One line: why an archive cannot be written or opened."""


@dataclass(frozen=True)
class _Member:
    name: str          # the name inside the zip
    source: Path       # the file on disk
    role: str          # project, media, take, sidecar, cast picture, font, licence


def _zip_name(name: str) -> str:
    """``name`` (one file or folder name, or a relative path with ``/``) as written in the zip: ``\\`` is a
    folder separator to unzip tools and to ``safe_io.extract_zip``, so a backslash a Linux or macOS name holds
    becomes ``_``."""
    return name.replace("\\", "_")


class _Names:
    """Names inside the zip, each given once (case-insensitively: the archive may open on such a disk)."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.taken = {n.casefold() for n in reserved}

    def claim(self, name: str) -> bool:
        if name.casefold() in self.taken:
            return False
        self.taken.add(name.casefold())
        return True

    def free(self, folder: str, filename: str) -> str:
        stem, suffix = os.path.splitext(_zip_name(filename))
        candidate, n = f"{folder}/{stem}{suffix}", 1
        while not self.claim(candidate):
            n += 1
            candidate = f"{folder}/{stem}-{n}{suffix}"
        return candidate


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


# --- writing -------------------------------------------------------------------------------------------------


def write_archive(timeline: Timeline, project_path: str | os.PathLike[str], archive_path: str | os.PathLike[str],
                  metadata: dict | None = None) -> list[str]:
    """One zip: the project, every media file it uses, its generated takes and the fonts its titles use,
    with relative paths inside. Returns notes (what was left out and why). ArchiveError, one line."""
    project = Path(os.path.abspath(project_path))
    archive = Path(os.path.abspath(archive_path))
    shown = archive.name
    try:
        check_output_path(archive)
    except FileRefused as exc:
        raise ArchiveError(f"{shown} {exc}") from None
    if not archive.parent.is_dir():
        raise ArchiveError(f"{shown} not written: the folder {archive.parent} does not exist")
    name = _zip_name(project.stem) + PROJECT_SUFFIX
    notes: list[str] = []
    if name != project.name:
        notes.append(f"{project.name} is {name} in the archive (a backslash reads as a folder separator there)")
    members, packed = _plan_files(timeline, project, name, notes)
    if _replaces_any(archive, [project, *(m.source for m in members)]):
        raise ArchiveError(f"{shown} not written: that is the project or a file it uses")
    try:
        fonts = font_files(timeline)
    except FileNotFoundError as exc:
        notes.append(f"the titles' fonts are not in the archive: {exc}")
        fonts = []
    names = _Names(m.name for m in members)
    for font in fonts:
        members.append(_Member(names.free(FONTS, font.name), font, "licence" if font.suffix == ".txt" else "font"))
    blob = _project_blob(packed, project, metadata, shown)
    manifest = _manifest(name, blob, members, notes)
    _write_zip(archive, [(MANIFEST, manifest, "manifest"), (name, blob, "project")], members)
    return notes


def _replaces_any(archive: Path, sources: list[Path]) -> bool:
    if not is_regular_file(archive):
        return False
    for source in sources:
        with contextlib.suppress(OSError):
            if os.path.samefile(archive, source):
                return True
    return False


def _plan_files(timeline: Timeline, project: Path, name: str, notes: list[str]) -> tuple[list[_Member], Timeline]:
    """What goes in the zip, and a copy of the timeline pointing at where each file will be (under the project's
    folder, so the format writes them relative)."""
    base = project.parent
    names = _Names([MANIFEST, name, FONTS])
    takes = {t.media_id for _, clip in timeline.clips() if isinstance(clip, GeneratedClip) for t in clip.takes}
    placed: dict[str, str] = {}       # a file on disk (resolved) -> its name in the zip
    members: list[_Member] = []
    used = list(used_files(timeline))
    usable = []
    for item in used:
        if (item.media is not None and not item.media.online) or not is_regular_file(item.path):
            notes.append(f"{item.label} {item.path.name} is offline ({item.path}): not in the archive; the project "
                         "in it still points there")
            continue
        usable.append(item)
    # Files inside the project's folder first: they keep their place, so a collected name never takes it.
    usable.sort(key=lambda item: not is_inside(item.path, base))
    collected = f"{_zip_name(media_folder(project).name)}/{COLLECTED}"   # follows the project's name in the zip
    for item in usable:
        key = os.path.realpath(item.path)
        if key in placed:
            continue
        inner = _inside_name(item.path, base)
        if inner is None or not names.claim(inner):
            inner = names.free(collected, item.path.name)
        placed[key] = inner
        role = "take" if item.media is not None and item.media.id in takes else item.label
        members.append(_Member(inner, item.path, role))
        sidecar = item.path.with_suffix(SIDECAR_SUFFIX)
        if role == "take" and is_regular_file(sidecar):
            sidecar_name = str(PurePosixPath(inner).with_suffix(SIDECAR_SUFFIX))
            if names.claim(sidecar_name):
                members.append(_Member(sidecar_name, sidecar, "sidecar"))
    packed = timeline.copy()
    for item in usable:
        where = str(base.joinpath(*placed[os.path.realpath(item.path)].split("/")))
        if item.media is not None:
            packed.media[item.media.id] = replace(item.media, path=where)
    images = {item.cast_id: str(base.joinpath(*placed[os.path.realpath(item.path)].split("/")))
              for item in usable if item.cast_id is not None}
    if images:
        cast = tuple(replace(m, image=images.get(m.id, m.image)) for m in packed.story.cast)
        packed.story = replace(packed.story, cast=cast)
    return members, packed


def _inside_name(path: Path, base: Path) -> str | None:
    """``path`` relative to ``base`` as a zip name, or None when it is not inside (or not a safe name). Each
    part goes through :func:`_zip_name` as the project's name does, so ``NAME.media/`` stays the media folder
    of the project the zip holds."""
    for candidate, folder in ((os.path.abspath(path), os.path.abspath(base)),
                              (os.path.realpath(path), os.path.realpath(base))):
        if not is_inside(candidate, folder):
            continue
        relative = "/".join(_zip_name(part) for part in os.path.relpath(candidate, folder).split(os.sep))
        try:
            return safe_member_name(relative).as_posix()
        except FileRefused:
            return None
    return None


def _project_blob(packed: Timeline, project: Path, metadata: dict | None, shown: str) -> bytes:
    """The project document, checked to reopen: the writer refuses what the reader would."""
    try:
        document = to_dict(packed, project.parent, metadata)
        blob = encode(document)
        from_dict(json.loads(blob), project.parent, source=project.name)
    except (TypeError, ValueError, ProjectError) as exc:
        raise ArchiveError(f"{shown} not written: the project cannot be written ({_why(exc)})") from None
    return blob


def _manifest(name: str, blob: bytes, members: list[_Member], notes: list[str]) -> bytes:
    files: list[dict[str, Any]] = [{"path": name, "size": len(blob), "role": "project"}]
    for m in members:
        try:
            size = os.path.getsize(m.source)
        except OSError:
            size = None
        files.append({"path": m.name, "size": size, "role": m.role})
    data = {"format": ARCHIVE_FORMAT, "format_version": ARCHIVE_VERSION, "app_version": editor.__version__,
            "project": name, "files": files, "notes": notes}
    return (json.dumps(data, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def _write_zip(archive: Path, blobs: list[tuple[str, bytes, str]], members: list[_Member]) -> None:
    sweep_stale(archive.parent)
    try:
        with replacing(archive, ".partial.zip") as tmp:
            with zipfile.ZipFile(tmp, "w", allowZip64=True) as book:
                for name, blob, _role in blobs:
                    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    book.writestr(info, blob, compress_type=zipfile.ZIP_DEFLATED)
                for m in members:
                    kind = zipfile.ZIP_DEFLATED if m.role in _DEFLATED_ROLES else zipfile.ZIP_STORED
                    book.write(m.source, m.name, compress_type=kind)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
    except (OSError, zipfile.LargeZipFile, ValueError) as exc:
        raise ArchiveError(f"{archive.name} not written: {_why(exc)}") from None


# --- reading ---------------------------------------------------------------------------------------------


def _regular(path: Path, shown: str) -> None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ArchiveError(f"{shown}: no such file") from None
    except OSError as exc:
        raise ArchiveError(f"{shown} cannot be read ({_why(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, a device or a socket)"
        raise ArchiveError(f"{shown} is {what}, not a project archive")


def _read_manifest(archive: Path, shown: str) -> tuple[str, int]:
    """The project's name inside the archive and the bytes it unpacks to, from a checked manifest."""
    try:
        with zipfile.ZipFile(archive) as book:
            try:
                info = book.getinfo(MANIFEST)
            except KeyError:
                raise ArchiveError(f"{shown} is not a PromptCut project archive (it holds no {MANIFEST})") from None
            if info.file_size > _MANIFEST_MAX_BYTES:
                raise ArchiveError(f"{shown} is damaged: its manifest is too large")
            with book.open(info) as f:
                raw = f.read(_MANIFEST_MAX_BYTES + 1)
            names = set(book.namelist())
            total = sum(m.file_size for m in book.infolist())
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{shown} is not a readable zip archive ({_why(exc)})") from None
    except (OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ArchiveError(f"{shown} cannot be read ({_why(exc)})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ArchiveError(f"{shown} is damaged: its manifest is not valid JSON") from None
    if not isinstance(data, dict) or data.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(f"{shown} is not a PromptCut project archive (its manifest says otherwise)")
    version = data.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ArchiveError(f"{shown} is damaged: its manifest has no format version")
    if version > ARCHIVE_VERSION:
        raise ArchiveError(f"{shown} was written by a newer PromptCut (archive format {version}; this version "
                           f"reads up to {ARCHIVE_VERSION}): update PromptCut to open it")
    project = data.get("project")
    if not isinstance(project, str) or not project.endswith(PROJECT_SUFFIX) or project not in names:
        raise ArchiveError(f"{shown} is damaged: the project its manifest names is not in it")
    try:
        safe_member_name(project)
    except FileRefused as exc:
        raise ArchiveError(f"{shown} {exc}") from None
    return project, total


def is_project_archive(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a zip written by ``write_archive`` (it holds our manifest)."""
    candidate = Path(path)
    try:
        _regular(candidate, candidate.name)
        _read_manifest(candidate, candidate.name)
    except ArchiveError:
        return False
    return True


def _fresh_folder(archive: Path) -> Path:
    stem = archive.name[: -len(ARCHIVE_SUFFIX)] if archive.name.lower().endswith(ARCHIVE_SUFFIX) else archive.stem
    candidate, n = archive.with_name(stem), 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = archive.with_name(f"{stem}-{n}")
    return candidate


def open_archive(archive_path: str | os.PathLike[str], destination: str | os.PathLike[str] | None = None) -> Path:
    """Unpack an archive safely (``editor.safe_io.extract_zip``) into ``destination`` (default: a new folder
    beside the archive named after it) and return the project file inside. ArchiveError, one line."""
    archive = Path(os.path.abspath(archive_path))
    shown = archive.name
    _regular(archive, shown)
    project, total = _read_manifest(archive, shown)
    dest = Path(os.path.abspath(destination)) if destination is not None else _fresh_folder(archive)
    if dest.exists() and not dest.is_dir():
        raise ArchiveError(f"{shown} cannot be unpacked into {dest.name}: that is a file, not a folder")
    try:
        check_free_space(dest, total)
        extract_zip(archive, dest, max_bytes=MAX_BYTES, max_files=MAX_FILES)
    except FileRefused as exc:
        raise ArchiveError(f"{shown} {exc}") from None
    except OSError as exc:
        raise ArchiveError(f"{shown} cannot be unpacked into {dest.name} ({_why(exc)})") from None
    inside = dest.joinpath(*PurePosixPath(project).parts)
    if not inside.is_file():
        raise ArchiveError(f"{shown} is damaged: {project} did not unpack")
    return inside

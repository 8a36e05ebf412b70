"""Opening an ``.otioz`` bundle safely: its member names checked, its ``content.otio`` read from the zip (size
capped), and its media unpacked into ``NAME.otioz-files/`` beside it, or that folder reused when it already
holds the same files. Nothing the user has is ever overwritten: a folder of that name holding other files
refuses the bundle with a line saying so.

``content.otio`` itself is read from the zip, not from the folder, so a bundle written again over the one it
was opened from (same media, new cut) reopens with its new cut while the folder's media are reused.
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Generic, TypeVar

from editor.interchange.otio_common import InterchangeError, one_line
from editor.safe_io import DOCUMENT_MAX_BYTES, FileRefused, check_free_space, checked_members, copy_member
from generation.leftovers import mkdtemp_beside, sweep_stale

CONTENT = "content.otio"            # file_bundle_utils.BUNDLE_PLAYLIST_PATH
VERSION_FILE = "version.txt"        # file_bundle_utils.BUNDLE_VERSION_FILE
READ_VERSION = 1                    # the bundle format's major version this reader knows (OTIO writes 1.0.0)
UNPACKED_SUFFIX = "-files"          # cut.otioz unpacks to cut.otioz-files/
_OURS = frozenset({CONTENT, VERSION_FILE})   # read from the zip, never compared with what the folder holds
_CHUNK = 1024 * 1024
T = TypeVar("T")


@dataclass
class OpenedZip(Generic[T]):
    """What :func:`open_otioz` found: the parsed content, warnings, and the folder the media now lie in."""

    content: T
    folder: Path
    warnings: list[str]


def unpacked_folder(bundle: Path) -> Path:
    """Where ``bundle``'s files are unpacked: ``NAME.otioz-files`` beside it."""
    return bundle.with_name(bundle.name + UNPACKED_SUFFIX)


def open_otioz(bundle: Path, parse: Callable[[bytes], T]) -> OpenedZip[T]:
    """Check ``bundle``, read its ``content.otio`` and ``parse`` it, then have its media unpacked beside it (see
    the module's note): a bundle whose content is refused costs no disk. InterchangeError, one line naming the
    bundle, for anything that is not a sane bundle (``parse`` raises its own)."""
    try:
        info = os.stat(bundle)
    except FileNotFoundError:
        raise InterchangeError(f"{bundle}: no such file") from None
    except OSError as exc:
        raise InterchangeError(f"{bundle}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InterchangeError(f"{bundle}: is a folder, not an .otioz file (a folder bundle is named .otiod)")
    if not stat.S_ISREG(info.st_mode):
        raise InterchangeError(f"{bundle}: is not a regular file (a FIFO, device or socket)")
    try:
        book = zipfile.ZipFile(bundle)
    except zipfile.BadZipFile:
        raise InterchangeError(f"{bundle}: not a zip archive, so not an .otioz bundle") from None
    except OSError as exc:
        raise InterchangeError(f"{bundle}: cannot read ({exc.strerror or exc})") from None
    with book:
        members = _checked_members(bundle, book)
        content_member = members.get(PurePosixPath(CONTENT))
        if content_member is None:
            raise InterchangeError(f"{bundle}: not an OTIO bundle (no {CONTENT} inside)")
        content = parse(_read_member(bundle, book, content_member, DOCUMENT_MAX_BYTES))
        warnings = _version_warnings(bundle, book, members.get(PurePosixPath(VERSION_FILE)))
        folder = unpacked_folder(bundle)
        _unpack_or_reuse(bundle, book, folder, members)
    return OpenedZip(content=content, folder=folder, warnings=warnings)


def _checked_members(bundle: Path, book: zipfile.ZipFile) -> dict[PurePosixPath, zipfile.ZipInfo]:
    """Every file member by its safe relative name; a hostile name, a link or special file, a name twice, too
    many or too large refuse the whole bundle before anything is written (:func:`safe_io.checked_members`, the
    rules every zip PromptCut opens meets)."""
    try:
        checked = checked_members(book)
    except FileRefused as exc:
        raise InterchangeError(f"{bundle}: {exc}") from None
    return {relative: member for member, relative in checked if not member.is_dir()}


def _read_member(bundle: Path, book: zipfile.ZipFile, member: zipfile.ZipInfo, cap: int) -> bytes:
    """A member's bytes, at most ``cap`` of them whatever its header claims (a lying header cannot make us
    inflate gigabytes into memory)."""
    if member.file_size > cap:
        raise InterchangeError(f"{bundle}: its {member.filename} is too large ({member.file_size / 1e6:.0f} MB)")
    try:
        with book.open(member) as handle:
            data = handle.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error) as exc:
        raise InterchangeError(f"{bundle}: its {member.filename} cannot be unpacked ({exc})") from None
    if len(data) > cap:
        raise InterchangeError(f"{bundle}: its {member.filename} inflates past {cap / 1e6:.0f} MB")
    return data


def _version_warnings(bundle: Path, book: zipfile.ZipFile, member: zipfile.ZipInfo | None) -> list[str]:
    if member is None:
        return []
    text = _read_member(bundle, book, member, 64).decode("utf-8", "replace").strip()
    major = text.split(".", 1)[0]
    if major.isdigit() and len(major) < 6 and int(major) > READ_VERSION:
        return [f"the bundle's format version is {text}; read as version {READ_VERSION}"]
    return []


# --- the folder the media lie in -------------------------------------------------------------------------


def _unpack_or_reuse(
    bundle: Path, book: zipfile.ZipFile, folder: Path, members: dict[PurePosixPath, zipfile.ZipInfo]
) -> None:
    if not os.path.lexists(folder):
        _need_space(bundle, folder.parent, sum(m.file_size for m in members.values()))
        sweep_stale(folder.parent)
        try:
            work = mkdtemp_beside(folder, ".unpack")
        except OSError as exc:
            raise InterchangeError(f"{bundle}: cannot unpack beside it ({exc.strerror or exc})") from None
        try:
            _extract(bundle, book, members, work)
            try:
                os.rename(work, folder)   # whole or nothing: a killed unpack leaves a recognisable temporary
                return
            except OSError:
                if not os.path.lexists(folder):
                    raise
        except OSError as exc:
            raise InterchangeError(f"{bundle}: cannot unpack beside it ({exc.strerror or exc})") from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
    # Someone (another window, an earlier open) made the folder: reuse it only if it holds the same files.
    missing = _compare(bundle, folder, members)
    if missing:
        _add_missing(bundle, book, folder, members, missing)


def _compare(bundle: Path, folder: Path, members: dict[PurePosixPath, zipfile.ZipInfo]) -> list[PurePosixPath]:
    """The members the folder lacks; InterchangeError when it holds a different file under a member's name,
    or is not a plain folder."""
    shown = folder.name
    if folder.is_symlink() or not folder.is_dir():
        raise InterchangeError(f"{bundle}: {shown} is there and is not a folder; move it away to open this bundle")
    missing: list[PurePosixPath] = []
    for relative, member in members.items():
        if relative.as_posix() in _OURS:
            continue
        on_disk = folder.joinpath(*relative.parts)
        state = _file_state(folder, relative)
        if state == "missing":
            missing.append(relative)
            continue
        if state != "file" or on_disk.stat().st_size != member.file_size or _crc(on_disk) != member.CRC:
            raise InterchangeError(
                f"{bundle}: {shown} already holds other files ({relative.as_posix()} differs from the bundle's);"
                " move or rename that folder to open this bundle"
            )
    return missing


def _file_state(folder: Path, relative: PurePosixPath) -> str:
    """"file", "missing" or "other" for ``relative`` under ``folder``, never following a link on the way (a
    link planted in the folder must not lead an unpack or a comparison outside it)."""
    current = folder
    for part in relative.parts:
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "other"
        if stat.S_ISLNK(info.st_mode):
            return "other"
    return "file" if stat.S_ISREG(info.st_mode) else "other"


def _crc(path: Path) -> int:
    value = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                value = zlib.crc32(chunk, value)
    except OSError:
        return -1
    return value


def _add_missing(bundle: Path, book: zipfile.ZipFile, folder: Path, members: dict[PurePosixPath, zipfile.ZipInfo],
                 missing: list[PurePosixPath]) -> None:
    """Put the files the reused folder lacks (a bundle written again with new media) into it: unpacked into a
    temporary beside it, then moved in one by one, never over a file that is there."""
    _need_space(bundle, folder.parent, sum(members[m].file_size for m in missing))
    try:
        work = mkdtemp_beside(folder, ".unpack")
    except OSError as exc:
        raise InterchangeError(f"{bundle}: cannot unpack beside it ({exc.strerror or exc})") from None
    try:
        _extract(bundle, book, {m: members[m] for m in missing}, work)
        for relative in missing:
            target = folder.joinpath(*relative.parts)
            for parent in reversed(target.relative_to(folder).parents):
                if parent == Path("."):
                    continue
                where = folder / parent
                if os.path.lexists(where) and (where.is_symlink() or not where.is_dir()):
                    raise InterchangeError(f"{bundle}: {folder.name}/{parent.as_posix()} is not a folder")
                where.mkdir(exist_ok=True)
            if os.path.lexists(target):   # appeared since the comparison: never replace it
                continue
            os.rename(work.joinpath(*relative.parts), target)
    except OSError as exc:
        raise InterchangeError(f"{bundle}: cannot unpack beside it ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract(bundle: Path, book: zipfile.ZipFile, members: dict[PurePosixPath, zipfile.ZipInfo], dest: Path) -> None:
    """Write ``members`` (checked names) under the empty folder ``dest``. A member that inflates past its
    declared size, or whose data does not match its CRC, refuses the bundle (the caller removes ``dest``)."""
    for relative, member in members.items():
        target = dest.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            copy_member(book, member, target)
        except FileRefused as exc:
            raise InterchangeError(f"{bundle}: {exc}") from None
        except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as exc:
            raise InterchangeError(f"{bundle}: {member.filename!r} cannot be unpacked ({one_line(exc)})") from None


def _need_space(bundle: Path, where: Path, needed: int) -> None:
    """Refuse before writing when the disk cannot hold what the bundle unpacks to (a bomb's claim included)."""
    try:
        check_free_space(where, needed)
    except FileRefused as exc:
        raise InterchangeError(f"{bundle}: {exc}") from None

"""Reading and writing the user's documents without trusting what sits at a path.

A document path may name a FIFO (reading it blocks forever), a device (``/dev/zero`` never ends, a disk is
huge), a socket, or a symlink to any of them; an output path may name a device node that a rename would
replace. Every loader reads through :func:`read_regular_file` and every writer asks :func:`check_output_path`
first, so each refuses those with one line instead of hanging or clobbering.

:func:`extract_zip` unpacks an archive (a ``.otioz`` bundle, a project archive) without letting a hostile one
write outside its folder: names with ``..``, absolute names, drive letters, links and special files are
refused, and the total size and file count are capped before anything is written.

Errors are :class:`FileRefused`, a one-line reason without the path (the caller names the file its own way).
Plain Python: the project, interchange and render rooms all use it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

__all__ = [
    "ARCHIVE_MAX_BYTES",
    "ARCHIVE_MAX_FILES",
    "DOCUMENT_MAX_BYTES",
    "FileRefused",
    "check_free_space",
    "check_output_path",
    "checked_members",
    "copy_member",
    "extract_zip",
    "read_regular_file",
    "safe_member_name",
]

DOCUMENT_MAX_BYTES = 256 * 1024 * 1024      # a project or timeline file; real ones are kilobytes to a few MB
ARCHIVE_MAX_BYTES = 200 * 1024 ** 3          # everything an archive unpacks to (media included)
ARCHIVE_MAX_FILES = 100_000
_CHUNK = 1024 * 1024


class FileRefused(Exception):
    """A path that is not a sane regular file to read, or not a safe place to write; one line, no path."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular_file(path: str | os.PathLike[str], *, max_bytes: int = DOCUMENT_MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink to one is fine), at most ``max_bytes`` of them.

    Raises :class:`FileRefused` for a FIFO, device, socket or folder (or a link to one), a file over the
    cap, and :class:`FileNotFoundError` / other ``OSError`` as ``open`` raises them (callers word those).
    """
    info = os.stat(path)   # follows links: a link to a FIFO is a FIFO
    if not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        raise FileRefused(f"is {_kind(info.st_mode)}, not a file")
    if info.st_size > max_bytes:
        raise FileRefused(f"is too large ({info.st_size / 1e6:.0f} MB; at most {max_bytes / 1e6:.0f} MB)")
    # O_NONBLOCK: if a FIFO was swapped in after the stat, opening it must not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise FileRefused(f"is {_kind(opened.st_mode)}, not a file")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise FileRefused(f"is too large (over {max_bytes / 1e6:.0f} MB)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_output_path(path: str | os.PathLike[str]) -> None:
    """Refuse to write to ``path`` when something other than a regular file (or nothing) is there.

    A FIFO, a device, a socket or a folder, or a symlink to one, would be replaced by the atomic rename (or
    block the writer); writing a new file or replacing a regular one is fine. A dangling link is fine too
    (the writer replaces the link's target path as it would a new file).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileRefused(f"cannot be written ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"is {_kind(info.st_mode)}: choose a file name to write to")


def check_free_space(folder: str | os.PathLike[str], needed_bytes: int) -> None:
    """Refuse, before anything is written, to unpack ``needed_bytes`` into ``folder`` (made later, so the
    nearest folder that exists is asked) when its disk has less free. Where the free space cannot be told,
    nothing is refused: the writing itself will say if the disk fills."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if needed_bytes > free:
        raise FileRefused(f"unpacks to {needed_bytes / 1e6:.0f} MB and the disk has {free / 1e6:.0f} MB free")


def safe_member_name(name: str) -> PurePosixPath:
    """``name`` (a zip member) as a relative path that stays inside its folder; :class:`FileRefused` for an
    absolute name, a drive letter, ``..`` or an empty name."""
    cleaned = name.replace("\\", "/")
    if not cleaned or cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise FileRefused(f"holds an absolute path ({name!r})")
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise FileRefused(f"holds a path that leaves its folder ({name!r})")
    if not parts or "\x00" in cleaned:
        raise FileRefused(f"holds an unusable name ({name!r})")
    return PurePosixPath(*parts)


def _member_is_link_or_special(member: zipfile.ZipInfo) -> bool:
    # Only the file-type bits count: zipfile.writestr (OTIO's otioz adapter, most Python tools) records
    # permissions without a type (0o600 << 16), which is a plain file, not a special one.
    return stat.S_IFMT(member.external_attr >> 16) not in (0, stat.S_IFREG, stat.S_IFDIR)


def checked_members(book: zipfile.ZipFile, *, max_bytes: int = ARCHIVE_MAX_BYTES,
                    max_files: int = ARCHIVE_MAX_FILES) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every member of ``book`` with its safe relative name (:func:`safe_member_name`), checked before anything
    is written: a hostile name, a link or special file, a file name twice (case-folded: one file on some
    disks), more than ``max_files`` members or more than ``max_bytes`` uncompressed raise :class:`FileRefused`."""
    members = book.infolist()
    if len(members) > max_files:
        raise FileRefused(f"holds {len(members)} files (at most {max_files})")
    planned: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    total = 0
    seen: set[str] = set()
    for member in members:
        relative = safe_member_name(member.filename)
        if _member_is_link_or_special(member):
            raise FileRefused(f"holds a link or special file ({member.filename!r})")
        key = relative.as_posix().casefold()
        if key in seen and not member.is_dir():
            raise FileRefused(f"holds {member.filename!r} twice")
        seen.add(key)
        total += member.file_size
        if total > max_bytes:
            raise FileRefused(f"unpacks to over {max_bytes / 1e9:.1f} GB")
        planned.append((member, relative))
    return planned


def copy_member(book: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """Write ``member``'s data to the new file ``target`` (never over one that is there). A member that inflates
    past its declared size raises :class:`FileRefused` (a lying header cannot fill the disk); a damaged one
    raises zipfile's or zlib's error. The caller removes what was written."""
    with book.open(member) as source, open(target, "xb") as out:
        left = member.file_size
        while chunk := source.read(_CHUNK):
            left -= len(chunk)
            if left < 0:
                raise FileRefused(f"{member.filename!r} inflates past its declared size")
            out.write(chunk)


def extract_zip(archive: str | os.PathLike[str], destination: str | os.PathLike[str], *,
                max_bytes: int = ARCHIVE_MAX_BYTES, max_files: int = ARCHIVE_MAX_FILES) -> list[Path]:
    """Unpack ``archive`` into ``destination`` (created; it must be empty or absent) and return the files
    written. Every member is checked before anything is written: a hostile name, a link or special file,
    more than ``max_files`` members or more than ``max_bytes`` uncompressed refuses the whole archive with
    :class:`FileRefused`. While writing, a member that inflates past its declared size is refused too (and
    what was written is removed), so a lying header cannot fill the disk.

    On failure only what this call made goes: the folders it created, or the contents of an empty
    ``destination`` the caller gave (that folder itself stays).
    """
    dest = Path(destination)
    try:
        book = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"is not a readable zip archive ({exc})") from None
    with book:
        planned = checked_members(book, max_bytes=max_bytes, max_files=max_files)
        if dest.exists() and any(dest.iterdir()):
            raise FileRefused(f"cannot be unpacked into {dest.name}: that folder is not empty")
        made = _first_missing(dest)   # the outermost folder this call creates (None: dest was there, empty)
        dest.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            for member, relative in planned:
                target = dest.joinpath(*relative.parts)
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                copy_member(book, member, target)
                written.append(target)
        except (FileRefused, zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error) as exc:
            _remove_made(made, dest)
            if isinstance(exc, FileRefused):
                raise
            raise FileRefused(f"could not be unpacked ({exc})") from None
        return written


def _first_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that does not exist yet (what ``mkdir(parents=True)``
    creates first), or None when ``folder`` exists."""
    missing = None
    probe = folder.absolute()
    while not os.path.lexists(probe):
        missing = probe
        if probe.parent == probe:
            break
        probe = probe.parent
    return missing


def _remove_made(made: Path | None, dest: Path) -> None:
    """Undo a failed unpack: the folders it created, or only the contents of the (empty) folder it was given."""
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        return
    for entry in list(dest.iterdir()) if dest.is_dir() else []:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()

"""Saving and loading project files: atomic writes, a backup of the previous save, one-line errors.

A save never leaves a half-written project behind:

1. the new document is written to a temporary file in the same folder
   (``.NAME.promptcut-tmp-HOST-PID-XXXX.tmp``, see ``generation.leftovers``), flushed and fsynced; stale
   temporaries a killed save left in that folder (its process gone, or a day old from another machine) are
   removed first, never one of a save running now;
2. the file it replaces is copied, the same way, to ``NAME.bak`` beside it (the previous save, replaced at
   each save); when that file was in an older format, a copy also goes to ``NAME.vN.bak`` once and is
   never overwritten, so a migration can always be undone;
3. the temporary file is renamed over the project (``os.replace``, atomic on POSIX and Windows) and, on
   POSIX, the folder is fsynced so the rename survives a power cut.

If any step fails, the temporary file is removed, the project on disk is untouched and ``ProjectError``
says why in one line. Loading never writes anything.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from editor.model.timeline import Timeline
from editor.project.errors import ProjectError
from editor.project.fields import MAX_INT
from editor.project.format import FORMAT_VERSION, LoadedProject, from_dict, to_dict
from editor.project.sanity import timeline_problems
from editor.safe_io import FileRefused, check_output_path, read_regular_file
from generation.leftovers import replacing, sweep_stale

BACKUP_SUFFIX = ".bak"
# Objects and lists inside each other: a real project goes about 8 deep (a keyframe in a transform in a clip);
# free-form metadata gets room to spare. Past this a file is hand-made, and a save would have to recurse as
# deep to write it back.
MAX_DEPTH = 100


def backup_path(path: str | os.PathLike[str], version: int | None = None) -> Path:
    """Where the previous save of ``path`` is kept: ``NAME.bak``; ``NAME.vN.bak`` for a pre-migration copy."""
    path = Path(path)
    middle = "" if version is None else f".v{version}"
    return path.with_name(f"{path.name}{middle}{BACKUP_SUFFIX}")


def encode(data: Mapping[str, Any]) -> bytes:
    """The bytes of a project document: UTF-8 JSON, indented, with a final newline."""
    try:
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
        blob = text.encode("utf-8")
    except UnicodeEncodeError:
        # A path the OS handed over as undecodable bytes (surrogate escapes): write \\u escapes instead,
        # which read back to the very same string.
        blob = json.dumps(data, indent=1, ensure_ascii=True, allow_nan=False).encode("ascii")
    return blob + b"\n"


def save_project(timeline: Timeline, path: str | os.PathLike[str], *,
                 metadata: Mapping[str, Any] | None = None, backup: bool = True) -> Path:
    """Write ``timeline`` to ``path`` atomically, keeping the previous file as ``NAME.bak``.

    Returns the path written. Raises ProjectError (one line) and leaves any existing file untouched when the
    timeline is inconsistent, cannot be encoded, or the disk refuses.
    """
    shown = os.fspath(path)
    target = Path(os.path.abspath(shown))
    try:
        if target.is_symlink():
            target = Path(os.path.realpath(target))  # write through the link, keep the link
    except OSError as exc:  # a name too long for the disk, say
        raise ProjectError(shown, f"not saved: {_why(exc)}") from None
    problems = timeline.problems()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ProjectError(shown, f"not saved: the timeline is inconsistent: {problems[0]}{more}")
    _refuse_out_of_bounds(timeline, shown, "not saved")
    try:
        blob = encode(to_dict(timeline, target.parent, metadata))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ProjectError(shown, f"not saved: {_short(str(exc)) or type(exc).__name__}") from None
    _refuse_what_would_not_reopen(blob, target, shown)
    if target.is_dir():
        raise ProjectError(shown, "not saved: that is a folder")
    try:
        check_output_path(target)
    except FileRefused as exc:
        raise ProjectError(shown, f"not saved: {exc}") from None
    if not target.parent.is_dir():
        raise ProjectError(shown, f"not saved: the folder {target.parent} does not exist")

    old: bytes | None = None
    old_mode: int | None = None
    try:
        if target.exists():
            old_mode = stat.S_IMODE(target.stat().st_mode)
            old = target.read_bytes() if backup else None
    except OSError as exc:
        raise ProjectError(shown, f"not saved: cannot read the existing file to back it up ({_why(exc)})") from None
    unchanged = "the file on disk is unchanged" if old_mode is not None else "nothing was written"
    sweep_leftovers(target)

    try:
        with replacing(target, ".tmp", replace=_replace) as tmp:
            _write_synced(tmp, blob, old_mode if old_mode is not None else _default_mode())
            if old is not None:
                _write_backups(target, old)   # before the rename: a failed backup leaves the project as it was
        _fsync_dir(target.parent)
    except OSError as exc:
        raise ProjectError(shown, f"not saved: {_why(exc)} ({unchanged})") from None
    return target


def load_project(path: str | os.PathLike[str], *, check_media: bool = True) -> LoadedProject:
    """Read a project file. Media whose files are missing come back offline (listed in ``offline`` and in
    ``warnings``); their clips stay. Raises ProjectError (one line, naming the file) for anything else: only
    a regular file of sane size is read (a FIFO, a device or a link to one is refused, never waited on), and
    what it holds must pass the reader's field checks, the timeline's rules and the bounds of
    ``editor.project.sanity``."""
    shown = os.fspath(path)
    try:
        raw = read_regular_file(shown)
    except FileRefused as exc:
        raise ProjectError(shown, f"not a project file: it {exc}") from None
    except FileNotFoundError:
        raise ProjectError(shown, "no such file") from None
    except IsADirectoryError:
        raise ProjectError(shown, "is a folder, not a project file") from None
    except PermissionError:
        raise ProjectError(shown, "cannot read it (permission denied)") from None
    except (OSError, ValueError) as exc:   # ValueError: a path with a NUL in it
        raise ProjectError(shown, f"cannot read it ({_why(exc) if isinstance(exc, OSError) else exc})") from None
    data = decode(raw, shown)
    base = os.path.dirname(os.path.realpath(shown))  # a linked project file resolves media beside its target
    try:
        loaded = from_dict(data, base, source=shown, check_media=check_media)
    except ProjectError as exc:   # a reason may quote a hand-made id or value thousands of characters long
        if len(exc.reason) <= 500:
            raise
        raise ProjectError(exc.path, exc.reason[:497] + "...") from None
    _refuse_out_of_bounds(loaded.timeline, shown, "damaged project")
    loaded.path = Path(shown)
    if loaded.migrated:
        loaded.warnings[0:1] = [
            f"converted from project format {loaded.format_version} to {FORMAT_VERSION}; the next save writes "
            f"format {FORMAT_VERSION} and keeps the old file as {backup_path(shown, loaded.format_version).name}"
        ]
    return loaded


def decode(raw: bytes, shown: str) -> Any:
    """The JSON a project file's bytes hold; ProjectError (one line naming ``shown``) for empty, non-UTF-8,
    non-JSON or too deeply nested bytes. ``NaN`` and ``Infinity`` are refused: no project field holds them."""
    if not raw.strip():
        raise ProjectError(shown, "file is empty (not a PromptCut project, or a save that never finished)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectError(shown, "not a PromptCut project (not UTF-8 text)") from None
    start = "damaged project" if text.lstrip().startswith("{") else "not a PromptCut project"
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ProjectError(shown, f"{start}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                  f"{exc.msg})") from None
    except RecursionError:
        raise ProjectError(shown, f"{start}: not valid JSON (nested too deeply)") from None
    except ValueError as exc:   # NaN/Infinity (_refuse_constant), or an integer of more than 4300 digits
        raise ProjectError(shown, f"{start}: not valid JSON ({_short(str(exc))})") from None
    if nesting_depth(data) > MAX_DEPTH:
        raise ProjectError(shown, f"{start}: JSON nested too deeply (more than {MAX_DEPTH} levels)")
    version = data.get("format_version") if isinstance(data, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and not 0 <= version <= MAX_INT:
        # Refused here so that no message goes on to quote a 4000-digit "version".
        raise ProjectError(shown, f"{start}: format_version is not a version number")
    return data


def nesting_depth(data: Any) -> int:
    """How many objects and lists deep ``data`` goes (a number is 0, ``[[]]`` is 2); iterative, so any
    depth the JSON parser managed is measured without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def _refuse_out_of_bounds(timeline: Timeline, shown: str, start: str) -> None:
    problems = timeline_problems(timeline)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ProjectError(shown, f"{start}: {problems[0]}{more}")


# --- the pieces ----------------------------------------------------------------------------------------


def _refuse_what_would_not_reopen(blob: bytes, target: Path, shown: str) -> None:
    """The writer refuses what the reader refuses: ``blob`` is read back exactly as ``load_project`` would
    read it (bytes, JSON, fields, the timeline's rules, the bounds) before anything is written, so a save
    never leaves a file that cannot be opened (metadata nested past ``MAX_DEPTH``, a value out of bounds)."""
    try:
        loaded = from_dict(decode(blob, shown), target.parent, source=shown, check_media=False)
        _refuse_out_of_bounds(loaded.timeline, shown, "damaged project")
    except ProjectError as exc:
        raise ProjectError(shown, f"not saved: it would not reopen ({exc.reason})") from None



def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a project may hold")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _default_mode() -> int:
    if os.name == "nt":
        return 0o666
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def sweep_leftovers(target: str | os.PathLike[str]) -> list[Path]:
    """Remove the stale temporaries killed saves left beside ``target`` (any PromptCut temporary whose process
    is gone; an old-style ``.NAME.XXXXXXXX.tmp`` of this project or its backups once a day old). Returns them."""
    target = Path(target)
    names = "|".join(re.escape(n) for n in (target.name, backup_path(target).name))
    versioned = re.escape(target.name) + r"\.v[0-9]+" + re.escape(BACKUP_SUFFIX)
    legacy = re.compile(rf"\.(?:{names}|{versioned})\.[a-z0-9_]{{8}}\.tmp")
    return sweep_stale(target.parent, legacy=[legacy])


def _write_synced(path: Path, blob: bytes, mode: int) -> None:
    """Fill the temporary at ``path`` with ``blob``, fsynced, with the permissions the file will have."""
    with open(path, "wb") as fh:
        fh.write(blob)
        fh.flush()
        os.fsync(fh.fileno())
    if os.name != "nt":
        os.chmod(path, mode)


def write_atomic(target: str | os.PathLike[str], blob: bytes, mode: int | None = None) -> Path:
    """Replace ``target`` with ``blob`` atomically (a fsynced temporary beside it, then a rename): readers
    see the old file or the whole new one, never a part. ``mode``: the new file's permissions (default: as
    a new file would get under the umask)."""
    target = Path(target)
    _atomic_copy(target, blob, _default_mode() if mode is None else mode)
    _fsync_dir(target.parent)
    return target


def _atomic_copy(target: Path, blob: bytes, mode: int) -> None:
    with replacing(target, ".tmp", replace=_replace) as tmp:
        _write_synced(tmp, blob, mode)


def _write_backups(target: Path, old: bytes) -> None:
    mode = stat.S_IMODE(target.stat().st_mode)
    _atomic_copy(backup_path(target), old, mode)
    version = _format_version_of(old)
    if version is not None and version < FORMAT_VERSION:
        keep = backup_path(target, version)
        if not keep.exists():
            _atomic_copy(keep, old, mode)


def _format_version_of(blob: bytes) -> int | None:
    try:
        data = json.loads(blob.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None
    version = data.get("format_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _replace(tmp: Path, target: Path) -> None:
    """``os.replace``; on Windows, retried briefly while another program holds the target open."""
    for attempt in range(10):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == 9:
                raise
            time.sleep(0.05 * (attempt + 1))


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); where folders cannot be fsynced, nothing to do."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

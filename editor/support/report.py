"""Report a Problem: one zip the user sends with a bug report.

What goes in: the log files of the user log folder (``editor.logs.log_dir()``), ``promptcut doctor``'s findings,
the versions in use and the OS. What never goes in: media of any kind (only files named like logs are read from
the log folder, and nothing else is read from disk). The project document, which holds the prompts, goes in only
when the caller passes it (the dialog does when the user ticks the box); without it, every prompt the log files
visibly carry (``prompt='...'``, ``"prompt": "..."``, a text encoder's truncation warning) is replaced by
``[prompt left out]`` on the way into the zip (``generation.log_files.redact_prompts``, the rule the log files
are written with, applied again to logs an older version wrote).

The zip is written atomically (a recognisable temporary beside the target, renamed over it at the end), so a
failed or cancelled report never leaves half a zip under the user's chosen name; failures are one line
(:class:`ReportError`).
"""

from __future__ import annotations

import datetime
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from editor.safe_io import FileRefused, check_output_path, read_regular_file
from generation.leftovers import replacing, sweep_stale
from generation.log_files import redact_prompts

ROOT = "promptcut-report"
LOG_ENV = "PROMPTCUT_LOG_DIR"
# A rotating log is a few MB; anything far bigger in the log folder is not one of ours and stays out.
LOG_MAX_BYTES = 32 * 1024 * 1024
# app.log, app.log.1, worker.log.3, generator-2.log: the names a rotating handler gives its files.
_LOG_NAME = re.compile(r"^[^/\\]+\.log(\.\d{1,3})?$")


class ReportError(Exception):
    """The report could not be written; the message is one line for the user."""


@dataclass(frozen=True)
class ProjectCopy:
    """The project document as it stands (saved or not), under the file name it goes into the zip with."""
    name: str
    data: bytes


def log_folder() -> Path | None:
    """The user log folder: ``editor.logs.log_dir()`` where that module exists, else the same rule it follows
    (``$PROMPTCUT_LOG_DIR``, else platformdirs' user log folder); None when none can be named."""
    try:
        from editor.logs import log_dir
    except ImportError:
        pass
    else:
        return Path(log_dir())
    if os.environ.get(LOG_ENV):
        return Path(os.environ[LOG_ENV])
    try:
        from platformdirs import user_log_dir
    except ImportError:
        return None
    return Path(user_log_dir("promptcut"))


def log_files(folder: Path | None) -> list[Path]:
    """The log files directly in ``folder`` (regular files named like logs, not links), by name; [] when the
    folder does not exist or cannot be listed."""
    if folder is None:
        return []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found = [Path(e.path) for e in entries
             if _LOG_NAME.match(e.name) and not e.is_symlink() and e.is_file(follow_symlinks=False)]
    return sorted(found, key=lambda p: p.name)


def doctor_text(run_checks: Callable[[], Sequence[object]] | None = None) -> str:
    """``promptcut doctor``'s findings as plain ASCII lines (OK / WARN / FAIL, the check, what was found, the
    fix). A doctor that itself fails is reported as one line rather than stopping the report."""
    if run_checks is None:
        from editor.doctor import run_checks
    try:
        results = list(run_checks())
    except Exception as exc:  # noqa: BLE001 - the report is most wanted exactly when something is broken
        return f"promptcut doctor failed: {type(exc).__name__}: {' '.join(str(exc).split())}\n"
    marks = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
    width = max((len(str(getattr(r, "name", ""))) for r in results), default=0)
    lines = []
    for r in results:
        fix = f"  fix: {r.fix}" if getattr(r, "fix", "") else ""
        lines.append(f"{marks.get(r.level, r.level)} {r.name:<{width}}  {r.detail}{fix}")
    return "\n".join(lines) + "\n"


def project_copy(timeline: object, path: Path | None) -> ProjectCopy:
    """The timeline as a project document, media paths relative to ``path``'s folder as a save would write
    them (absolute for a project never saved). Raises :class:`ReportError` when it cannot be written."""
    from editor.project.format import to_dict
    from editor.project.store import encode

    try:
        data = encode(to_dict(timeline, None if path is None else path.parent))   # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise ReportError(f"The project could not be added to the report: {_line(exc)}") from None
    return ProjectCopy(path.name if path is not None else "untitled.promptcut", data)


def write_report(target: str | os.PathLike[str], *, versions: Sequence[tuple[str, str]], doctor: str,
                 logs: Sequence[Path] = (), project: ProjectCopy | None = None,
                 now: datetime.datetime | None = None) -> Path:
    """Write the report zip at ``target`` and return its path. Raises :class:`ReportError` (one line)."""
    target = Path(target)
    try:
        check_output_path(target)
    except FileRefused as exc:
        raise ReportError(f"{target.name} {exc}") from None
    when = (now or datetime.datetime.now().astimezone()).isoformat(timespec="seconds")
    entries: list[tuple[str, bytes]] = []
    skipped: list[str] = []
    for log in logs:
        try:
            data = read_regular_file(log, max_bytes=LOG_MAX_BYTES)
            entries.append((f"logs/{log.name}", data if project is not None else _without_prompts(data)))
        except FileRefused as exc:
            skipped.append(f"{log.name}: {exc}")
        except OSError as exc:   # rotated away between the listing and the read, unreadable
            skipped.append(f"{log.name}: {exc.strerror or type(exc).__name__}")
    version_text = "".join(f"{name}: {value}\n" for name, value in versions)
    entries += [("versions.txt", version_text.encode()), ("doctor.txt", doctor.encode())]
    if project is not None:
        entries.append((f"project/{_plain_name(project.name)}", project.data))
    readme = _readme(when, [name for name, _ in entries], skipped, project is not None)
    entries.insert(0, ("README.txt", readme.encode()))
    try:
        sweep_stale(target.parent)
        with replacing(target, ".zip") as temp:
            with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as book:
                for name, data in entries:
                    book.writestr(f"{ROOT}/{name}", data)
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
    except OSError as exc:
        raise ReportError(f"The report could not be written to {target.name}: {_line(exc)}") from None
    return target


def _without_prompts(data: bytes) -> bytes:
    # surrogateescape: a log line cut mid-character by rotation comes back byte for byte.
    return redact_prompts(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def _readme(when: str, names: Sequence[str], skipped: Sequence[str], with_project: bool) -> str:
    lines = [f"PromptCut problem report, written {when}.", "",
             "It holds the log files, `promptcut doctor`'s findings, the versions in use and the OS.",
             "It holds no media." + ("" if with_project else " It holds no project and no prompts (in the log "
                                     "files they read [prompt left out])."), "",
             "Files:", *(f"  {name}" for name in names)]
    if with_project:
        lines += ["", "The user chose to include the project document (it holds the prompts)."]
    if skipped:
        lines += ["", "Log files left out:", *(f"  {line}" for line in skipped)]
    return "\n".join(lines) + "\n"


def _plain_name(name: str) -> str:
    """``name`` as one zip member name: no folders, nothing that unzips elsewhere."""
    base = re.split(r"[/\\]", name)[-1].strip().lstrip(".")
    return base or "project.promptcut"


def _line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__

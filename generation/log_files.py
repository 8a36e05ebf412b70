"""The user log folder and rotating log files, for the generator worker (and, through editor.logs, the editor).

One rule decides the folder for every process: ``$PROMPTCUT_LOG_DIR`` if set, else platformdirs' user log folder
for "promptcut" (``~/.local/state/promptcut/log`` on Linux). It lives here, not in the editor, because
``generation`` never imports ``editor``; the editor's ``editor.logs`` reads the same rule from this module.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

LOG_DIR_ENV = "PROMPTCUT_LOG_DIR"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 4   # the live file plus four rotated ones: at most 5 files of 2 MiB per log
FORMAT = "%(asctime)s %(process)d {component} %(levelname)s %(name)s: %(message)s"
LEFT_OUT = "[prompt left out]"

# Prompts are the user's words: log files go into problem reports, so what would carry one is cut. Our own lines
# name a job by its id and model; these catch a spec or request printed whole (``prompt='...'``,
# ``"prompt": "..."``) and the text encoders' truncation warning, which quotes the cut-off end of the prompt.
_QUOTED = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_PROMPT_PATTERNS = (
    # Unquoted (``prompt=a fox, running seed=3``): up to the next ``, key=`` or the end of the line.
    (re.compile(r"(\b(?:negative_)?prompts?\s*=\s*)(?:" + _QUOTED + r"|[^\n]*?(?=,\s*\w+=|$))", re.M),
     r"\1" + LEFT_OUT),
    (re.compile(r"""(['"](?:negative_)?prompts?['"]\s*:\s*)""" + _QUOTED), r"\1" + LEFT_OUT),
    (re.compile(r"(part of your input was truncated because .*?:)[^\n]*"), r"\1 " + LEFT_OUT),
)


def redact_prompts(text: str) -> str:
    """``text`` with every prompt it visibly carries replaced by ``[prompt left out]``."""
    for pattern, replacement in _PROMPT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _PromptlessFormatter(logging.Formatter):
    """Formats as usual, then cuts prompts (see :func:`redact_prompts`); a library's warning that quotes one
    never reaches the file."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_prompts(super().format(record))


def log_dir() -> Path:
    """The user log folder (not created here)."""
    configured = os.environ.get(LOG_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_log_dir

    return Path(user_log_dir("promptcut", appauthor=False))


class _ComponentHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module installed, so setting up again replaces it instead of adding a second."""


def remove_file_handler() -> None:
    """Stop writing the log file this module set up (tests; a process that changes its mind)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _ComponentHandler)]:
        root.removeHandler(handler)
        handler.close()


def install_file_handler(path: Path, component: str, *, level: int = logging.INFO) -> bool:
    """Send this process's log records (``promptcut.*`` from ``level``, everything else from WARNING) to a
    rotating file at ``path``. Setting up again (another component, another folder) replaces the handler.
    False, and nothing installed, where the file cannot be opened: a read-only home must not stop the program."""
    remove_file_handler()
    root = logging.getLogger()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _ComponentHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    except OSError:
        return False
    handler.setFormatter(_PromptlessFormatter(FORMAT.format(component=component)))
    handler.setLevel(level)
    # Third-party libraries log a lot at INFO; only their warnings and errors are worth the user's disk.
    handler.addFilter(lambda record: record.name.startswith("promptcut") or record.levelno >= logging.WARNING)
    root.addHandler(handler)
    # Our own loggers record what happened (INFO); the root keeps its level, so libraries stay at WARNING.
    ours = logging.getLogger("promptcut")
    if ours.level == logging.NOTSET or ours.level > level:
        ours.setLevel(level)
    return True


def setup_worker_logging(component: str = "generator") -> Path:
    """The generator worker's own rotating log, ``generator.log`` in the user log folder (the editor writes
    ``promptcut.log`` there: separate files, so two processes never rotate one file under each other)."""
    path = log_dir() / "generator.log"
    install_file_handler(path, component)
    return path

"""The user log folder and rotating log files, for the generator worker (and, through editor.logs, the editor).

One rule decides the folder for every process: ``$PROMPTCUT_LOG_DIR`` if set, else platformdirs' user log folder
for "promptcut" (``~/.local/state/promptcut/log`` on Linux). It lives here, not in the editor, because
``generation`` never imports ``editor``; the editor's ``editor.logs`` reads the same rule from this module.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

LOG_DIR_ENV = "PROMPTCUT_LOG_DIR"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 4   # the live file plus four rotated ones: at most 5 files of 2 MiB per log
FORMAT = "%(asctime)s %(process)d {component} %(levelname)s %(name)s: %(message)s"
LEFT_OUT = "[prompt left out]"

# Prompts are the user's words: log files go into problem reports, so what would carry one is cut. Our own lines
# name a job by its id and model; these catch a spec or request printed whole (``prompt='...'``,
# ``"prompt": "..."``) and the text encoders' truncation warning, which quotes the cut-off end of the prompt.
# How every log record we write starts (``%(asctime)s ...``), and the mark the job store's worker log puts at
# each worker start: the end of a multi-line record in a file.
_RECORD_START = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|--- generator starting "
_QUOTED = r"""(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_PROMPT_PATTERNS = (
    # Unquoted (``prompt=a fox, running seed=3``): up to the next ``, key=`` or the end of the line.
    (re.compile(r"(\b(?:negative_)?prompts?\s*=\s*)(?:" + _QUOTED + r"|[^\n]*?(?=,\s*\w+=|$))", re.M),
     r"\1" + LEFT_OUT),
    (re.compile(r"""(['"](?:negative_)?prompts?['"]\s*:\s*)""" + _QUOTED), r"\1" + LEFT_OUT),
    # The cut-off text can run over several lines (a pipeline that decodes it to one string keeps the prompt's
    # line breaks): everything up to the next record (a line starting with a timestamp, or the worker log's
    # ``--- generator starting`` mark) goes, so one record, a whole file, or raw stderr are all covered.
    (re.compile(r"(part of your input was truncated because [^\n]*?:)[^\n]*(?:\n(?!" + _RECORD_START + r"|\Z)[^\n]*)*"),
     r"\1 " + LEFT_OUT),
)


def redact_prompts(text: str) -> str:
    """``text`` with every prompt it visibly carries replaced by ``[prompt left out]``."""
    for pattern, replacement in _PROMPT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PromptlessFormatter(logging.Formatter):
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
    handler.setFormatter(PromptlessFormatter(FORMAT.format(component=component)))
    handler.setLevel(level)
    # Third-party libraries log a lot at INFO; only their warnings and errors are worth the user's disk.
    handler.addFilter(lambda record: record.name.startswith("promptcut") or record.levelno >= logging.WARNING)
    root.addHandler(handler)
    # Our own loggers record what happened (INFO); the root keeps its level, so libraries stay at WARNING.
    ours = logging.getLogger("promptcut")
    if ours.level == logging.NOTSET or ours.level > level:
        ours.setLevel(level)
    return True


# Libraries whose loggers keep to themselves: propagate=False and their own handler straight to stderr.
_SELF_LOGGING_LIBRARIES = ("diffusers", "transformers")


def route_library_logs(*, load: bool = False) -> list[str]:
    """Send diffusers' and transformers' records through the root logger's handlers (which cut prompts) instead
    of their own raw stderr handler: their text encoders' truncation warning quotes the end of the prompt, and
    the worker's stderr is a log file too. Only a library already imported is touched, unless ``load`` (the
    worker, once it has imported torch and diffusers anyway): importing diffusers imports torch. Returns the
    libraries routed; a missing or broken one is left alone."""
    routed = []
    for name in _SELF_LOGGING_LIBRARIES:
        if name not in sys.modules:
            try:
                if not load or importlib.util.find_spec(name) is None:
                    continue
            except (ImportError, ValueError):
                continue
        try:
            library_logging = importlib.import_module(f"{name}.utils.logging")
            library_logging.disable_default_handler()
            library_logging.enable_propagation()
        except Exception:  # noqa: BLE001 - a half-installed library must not stop the worker from starting
            continue
        routed.append(name)
    return routed


def setup_worker_logging(component: str = "generator", *, stderr: bool = False) -> Path:
    """The generator worker's own rotating log, ``generator.log`` in the user log folder (the editor writes
    ``promptcut.log`` there: separate files, so two processes never rotate one file under each other).
    Libraries already imported log through it from now on (see :func:`route_library_logs`).

    ``stderr``: the worker's stderr is a file as well (the job store's worker log), so records also go there,
    prompts cut the same way, and so do Python warnings, which would otherwise be printed raw."""
    if stderr:
        to_stderr = logging.StreamHandler(sys.stderr)
        to_stderr.setFormatter(PromptlessFormatter("%(asctime)s worker %(message)s"))
        logging.basicConfig(level=logging.WARNING, handlers=[to_stderr])
        logging.captureWarnings(True)
    path = log_dir() / "generator.log"
    install_file_handler(path, component)
    route_library_logs()
    return path

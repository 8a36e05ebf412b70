"""Silence the Hugging Face libraries' progress bars while we drive them (the worker reports its own progress)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_saved: tuple[bool, bool] | None = None


@contextlib.contextmanager
def quiet_progress_bars() -> Iterator[None]:
    """Turn off diffusers' and transformers' tqdm bars inside the block; restore the caller's choice after."""
    global _depth, _saved
    from diffusers.utils import logging as dlog
    from transformers.utils import logging as tlog

    with _lock:
        if _depth == 0:
            _saved = (dlog.is_progress_bar_enabled(), tlog.is_progress_bar_enabled())
            dlog.disable_progress_bar()
            tlog.disable_progress_bar()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _saved is not None:
                diffusers_on, transformers_on = _saved
                if diffusers_on:
                    dlog.enable_progress_bar()
                if transformers_on:
                    tlog.enable_progress_bar()
                _saved = None

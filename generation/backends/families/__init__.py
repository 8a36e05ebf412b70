"""How each model family is called: its pipeline's keyword arguments for a shot, how step callbacks attach, and
how frames (and sound) are read from its output. One module per calling convention; ``family_for`` picks it
from ``ModelInfo.family``.

A family module subclasses :class:`~generation.backends.families.base.Family` and overrides what differs.
"""

from __future__ import annotations

import importlib

from ...model_types import ModelInfo
from .base import Decoded, Family

__all__ = ["Decoded", "Family", "family_for"]

_MODULES = {
    "wan": "wan",
    "wan-vace": "wan_vace",
    "skyreels-df": "skyreels",
    "ltx": "ltx",
    "ltx2": "ltx2",
    "hunyuan15": "hunyuan",
    "cogvideox": "base",
}
_cache: dict[str, Family] = {}


def family_for(model: ModelInfo) -> Family:
    name = model.family
    if name not in _cache:
        module = importlib.import_module(f"{__name__}.{_MODULES[name]}")
        _cache[name] = module.FAMILY
    return _cache[name]

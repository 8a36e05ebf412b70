"""The model registry's entries, one file per family. ``all_entries`` gathers them in the order lists show them:
tiny twins first, then the families as creators meet them. A family file holds its tiny twins too."""

from __future__ import annotations

from ..model_types import ModelInfo


def all_entries() -> tuple[ModelInfo, ...]:
    from . import cogvideox, hunyuan, ltx, skyreels, wan

    found: list[ModelInfo] = []
    for module in (wan, ltx, hunyuan, skyreels, cogvideox):
        found.extend(module.MODELS)
    found.sort(key=lambda m: not m.is_test_model)  # stable: tiny twins first, then the families in order
    ids = [m.id for m in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"model ids registered twice: {', '.join(duplicates)}")
    return tuple(found)

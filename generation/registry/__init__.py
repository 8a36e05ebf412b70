"""The model registry's entries, one file per family. ``all_entries`` gathers them in the order lists show them:
test models first, then the families as creators meet them."""

from __future__ import annotations

from ..model_types import ModelInfo


def all_entries() -> tuple[ModelInfo, ...]:
    from . import cogvideox, ltx, test_models, wan

    found: list[ModelInfo] = []
    for module in (test_models, wan, ltx, cogvideox):
        found.extend(module.MODELS)
    ids = [m.id for m in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"model ids registered twice: {', '.join(duplicates)}")
    return tuple(found)

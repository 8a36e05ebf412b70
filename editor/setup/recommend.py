"""Which models and profiles fit this machine's GPU: the first-run wizard's advice, ranked best first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from editor.setup.index import IndexEntry
from editor.support.gpu import Gpu


@dataclass(frozen=True)
class Recommendation:
    entry: IndexEntry
    fits: bool              # the GPU has at least the model's minimum memory (test models fit anywhere)
    recommended: bool       # the one (or few) the wizard ticks by default
    profile: str            # the profile to default to on this GPU: "draft", "standard" or "final"
    reason: str             # one line: "fits comfortably in 24 GB", "needs 12 GB; this GPU has 8 GB", ...

    @property
    def download_bytes(self) -> int:
        return self.entry.size_bytes


def recommend(entries: Sequence[IndexEntry], gpus: Sequence[Gpu]) -> list[Recommendation]:
    """Every entry with whether it fits the largest GPU in ``gpus`` (none: the CPU), best first: models that
    fit comfortably, then those that fit with the memory levers, then the rest; test models last."""
    raise NotImplementedError

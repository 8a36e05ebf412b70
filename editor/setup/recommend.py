"""Which models and profiles fit this machine's GPU: the first-run wizard's advice, ranked best first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from editor.gpus import Gpu
from editor.setup.index import IndexEntry
from generation.model_types import Ability
from generation.models import DEFAULT_MODEL_ID
from generation.profiles import default_profile

CPU_REASON = "no NVIDIA GPU found: generation on the CPU is for test models only"


@dataclass(frozen=True)
class Recommendation:
    entry: IndexEntry
    fits: bool              # the GPU has at least the model's minimum memory (test models fit anywhere)
    recommended: bool       # the one (or few) the wizard ticks by default
    profile: str            # the profile to default to on this GPU: "draft", "standard" or "final"
    reason: str             # one line: "fits comfortably in 24 GB", "needs 12 GB; this GPU has 8 GB", ...
    tier: int = 3           # 0 comfortably, 1 with the memory levers, 2 does not fit, 3 a test model

    @property
    def download_bytes(self) -> int:
        return self.entry.size_bytes


def recommend(entries: Sequence[IndexEntry], gpus: Sequence[Gpu]) -> list[Recommendation]:
    """Every entry with whether it fits the largest GPU in ``gpus`` (none: the CPU), best first: models that
    fit comfortably, then those that fit with the memory levers, then the rest; test models last.

    Among those that fit comfortably the most demanding (the most capable) comes first; among those that fit
    only with the levers the lightest does, since it runs fastest there. Text-to-video models come before the
    others in each group. The best one is recommended, and the default model beside it where it fits (a
    quick first download); a test model only where nothing else fits, and never a model under restricted
    licence terms."""
    gpu = max(gpus, key=lambda g: g.memory_bytes, default=None)
    judged = [_judge(entry, gpu) for entry in entries]
    judged.sort(key=_rank)
    picks: list[int] = []
    # A model under restricted terms is never ticked for the person: its licence asks for their own yes.
    fitting = [i for i, r in enumerate(judged) if r.fits and r.tier < 3 and not r.entry.model.license_restricted]
    if fitting:
        picks.append(fitting[0])
        default = next((i for i in fitting if judged[i].entry.model.id == DEFAULT_MODEL_ID), None)
        if default is not None and default != fitting[0]:
            picks.append(default)
    else:
        picks += [i for i, r in enumerate(judged) if r.tier == 3][:1]
    return [replace(r, recommended=i in picks) for i, r in enumerate(judged)]


def _gb(gpu: Gpu) -> str:
    # Cards are sold by their binary size ("24 GB" reads 24564 MiB): say what the box says.
    return f"{gpu.memory_bytes / 2**30:.0f} GB"


def _judge(entry: IndexEntry, gpu: Gpu | None) -> Recommendation:
    model = entry.model
    if model.is_test_model:
        return Recommendation(entry, True, False, default_profile(model),
                              "a test model: runs anywhere (even on the CPU) and makes noise; it checks the setup",
                              tier=3)
    if gpu is None:
        return Recommendation(entry, False, False, "draft", CPU_REASON, tier=2)
    vram = model.vram
    if vram is None:
        return Recommendation(entry, False, False, "draft",
                              f"its memory needs are not known; this GPU has {_gb(gpu)}", tier=2)
    have = gpu.memory_gb
    if have >= vram.comfortable_gb:
        return Recommendation(entry, True, False, default_profile(model),
                              f"fits comfortably in {_gb(gpu)} (needs {vram.comfortable_gb:g} GB with "
                              "everything on the GPU)", tier=0)
    if have >= vram.minimum_gb:
        return Recommendation(entry, True, False, "draft",
                              f"fits in {_gb(gpu)} with the memory levers (offload, VAE tiling): slower; "
                              f"{vram.comfortable_gb:g} GB runs it comfortably", tier=1)
    return Recommendation(entry, False, False, "draft",
                          f"needs {vram.minimum_gb:g} GB; this GPU has {_gb(gpu)}", tier=2)


def _rank(r: Recommendation) -> tuple:
    model = r.entry.model
    t2v = 0 if model.can(Ability.TEXT_TO_VIDEO) else 1
    need = model.vram.comfortable_gb if model.vram is not None else 0.0
    if r.tier == 0:
        return (0, t2v, -need, r.download_bytes)
    if r.tier == 1:
        return (1, t2v, need, r.download_bytes)
    minimum = model.vram.minimum_gb if model.vram is not None else float("inf")
    return (r.tier, t2v, minimum, r.download_bytes)

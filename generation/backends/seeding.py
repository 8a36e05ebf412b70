"""Seeding what a pipeline draws outside the generator it is given."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Seed torch's global generators for one pipeline call, then put them back.

    Some pipelines draw noise without our generator (SkyReels DF's ``addnoise_condition`` calls
    ``torch.randn_like``), so without this one seed gave a slightly different take on every call. The fork
    keeps the process's own random state as it was.
    """
    import torch

    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield

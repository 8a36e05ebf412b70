"""A model index: what a model's folder holds, file by file, with sizes and checksums, and where to get it.

The file ``index.json`` (format ``promptcut-model-index``, version 1)::

    {"format": "promptcut-model-index", "version": 1,
     "models": [{"id": "wan2.1-t2v-1.3b",             # a registry id (generation.models)
                 "base": "wan2.1-t2v-1.3b/",          # where the files are, relative to the index or absolute
                 "files": [{"path": "model_index.json", "size": 512, "sha256": "<hex>"}, ...]}]}

Sources: a local folder holding ``index.json`` (a studio share, a USB disk, the tests' fake index), the path of
such a file, a ``file://`` or ``http(s)://`` address of one, or ``"hub"``: the Hugging Face hub, where the
listing and the LFS checksums come from its API. ``$PROMPTCUT_MODEL_INDEX`` names the source; the hub is the
default. The registry (``generation.models``) says everything else about a model (name, licence, memory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generation.model_types import ModelInfo

INDEX_ENV = "PROMPTCUT_MODEL_INDEX"
INDEX_FILE = "index.json"
INDEX_FORMAT = "promptcut-model-index"
HUB = "hub"


class SetupError(Exception):
    """Setup cannot go on: one line a person can act on."""


class NoNetwork(SetupError):
    """The source cannot be reached (no network, the host down): the wizard shows how to copy a folder in."""


@dataclass(frozen=True)
class IndexFile:
    path: str              # relative, "/"-separated, checked with editor.safe_io.safe_member_name
    size: int
    sha256: str | None     # hex; None only where the source gives none (the hub's small non-LFS files)
    url: str               # absolute: file://, http(s)://


@dataclass(frozen=True)
class IndexEntry:
    model: ModelInfo
    files: tuple[IndexFile, ...]

    @property
    def size_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class ModelIndex:
    source: str                       # as given: a folder, a file, an address or "hub"
    entries: tuple[IndexEntry, ...]
    skipped: tuple[str, ...] = ()     # one line per entry left out (unknown id, bad file name, ...)

    def entry(self, model_id: str) -> IndexEntry | None:
        return next((e for e in self.entries if e.model.id == model_id), None)


def index_source() -> str:
    """``$PROMPTCUT_MODEL_INDEX`` when set, else ``"hub"``."""
    return os.environ.get(INDEX_ENV, "").strip() or HUB


def load_index(source: str | os.PathLike[str] | None = None, *, timeout_s: float = 20.0) -> ModelIndex:
    """Read the index at ``source`` (None: :func:`index_source`). Raises NoNetwork when it cannot be reached
    and SetupError (one line) when it is not a valid index; entries for models the registry does not know, or
    with unsafe file names, are skipped and named in ``skipped``."""
    raise NotImplementedError


def copy_in_instructions(model: ModelInfo, models_root: Path) -> str:
    """What to do without a network: where to copy the model's diffusers folder (from which hub repo), so
    that Generate > Models finds it."""
    raise NotImplementedError

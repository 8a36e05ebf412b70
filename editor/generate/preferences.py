"""The user's generation preferences: default model, models folder, device, precision, memory levers, and where
generation runs (this computer or a Ray cluster).

Plain Python (no Qt, no torch). Stored as JSON in ``<user config>/generation.json``
(``~/.config/promptcut/generation.json`` on Linux, see ``generation.paths``); saved atomically (a temp file in
the same folder, then ``os.replace``). A missing file gives the defaults; a corrupt or unreadable one gives the
defaults (or the fields that could be read) and a one-line ``warning`` on the returned preferences, never a traceback.

:func:`worker_env` turns preferences into the environment the generation worker reads
(``generation.backends.settings.ENV`` and ``generation.paths.MODELS_ENV``): pass it as ``env=`` to
``generation.client.GeneratorClient`` (or ``editor.generate.session.open_client``).

:func:`cluster_config` turns them (and ``$PROMPTCUT_RAY_ADDRESS``, which wins) into the ``ClusterConfig`` that
``open_client`` and ``generation.cluster.client.open_generator`` take; :func:`parse_cluster` reads an address as
typed (``--cluster``, the Models dialog).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from editor.project.store import write_atomic
from generation import paths
from generation.backends.settings import ENV as BACKEND_ENV
from generation.cluster.config import LOCAL, RAY_ADDRESS_ENV, ClusterConfig
from generation.paths import MODELS_ENV

DEVICES: tuple[str, ...] = ("auto", "cuda", "cpu")
PRECISIONS: tuple[str, ...] = ("auto", "bf16", "fp16", "fp32")
OFFLOADS: tuple[str, ...] = ("auto", "none", "model", "group", "sequential")
GENERATORS: tuple[str, ...] = ("local", "cluster")   # this computer's worker, or Ray actors

# Our short precision names -> the dtype names the backend takes (PROMPTCUT_DTYPE).
_DTYPE = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}

PREFERENCES_FILE = "generation.json"
FORMAT_VERSION = 1


def user_config_dir() -> Path:
    """The user config folder (``generation.paths.user_config_dir``: ``$XDG_CONFIG_HOME/promptcut`` on Linux)."""
    return paths.user_config_dir()


def preferences_path() -> Path:
    return user_config_dir() / PREFERENCES_FILE


@dataclass(frozen=True)
class GenerationPreferences:
    """``default_model``: registry id used when none is named (None: the catalog's choice). ``models_dir``: a
    folder of local weights (None: ``$PROMPTCUT_MODELS`` or the user cache). ``device``: auto | cuda | cpu.
    ``precision``: auto | bf16 | fp16 | fp32. ``offload``: auto | none | model | group | sequential.
    ``vae_tiling``: None = auto (on whenever an offload lever is). ``generator``: local | cluster.
    ``cluster_address``: where the cluster is (``ray://host:10001``, ``auto``, ``local``; None: ``local``).
    ``cluster_workers``: how many workers a ``local`` Ray runs (None: its own choice). ``warning``: set by
    :func:`load_preferences` when the file could not be read in full (never saved, not compared)."""

    default_model: str | None = None
    models_dir: str | None = None
    device: str = "auto"
    precision: str = "auto"
    offload: str = "auto"
    vae_tiling: bool | None = None
    generator: str = "local"
    cluster_address: str | None = None
    cluster_workers: int | None = None
    warning: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, value, choices in (("device", self.device, DEVICES), ("precision", self.precision, PRECISIONS),
                                     ("offload", self.offload, OFFLOADS)):
            if value not in choices:
                raise ValueError(f"{name}={value!r}: choose one of {', '.join(choices)}")
        if self.vae_tiling is not None and not isinstance(self.vae_tiling, bool):
            raise ValueError(f"vae_tiling={self.vae_tiling!r}: use true, false or null (auto)")
        for name in ("default_model", "models_dir"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name}={value!r}: must be text or null")
        if self.generator not in GENERATORS:
            raise ValueError(f"generator={self.generator!r}: choose one of {', '.join(GENERATORS)}")
        if self.cluster_address is not None:
            if not isinstance(self.cluster_address, str):
                raise ValueError(f"cluster_address={self.cluster_address!r}: must be text or null")
            object.__setattr__(self, "cluster_address", self.cluster_address.strip() or None)
            if self.cluster_address is not None:
                parse_cluster(self.cluster_address)
        workers = self.cluster_workers
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise ValueError(f"cluster_workers={workers!r}: a whole number, 1 or more, or null")
        if self.models_dir == "":
            object.__setattr__(self, "models_dir", None)
        if self.default_model == "":
            object.__setattr__(self, "default_model", None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        data.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "warning"})
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationPreferences:
        """Strict: unknown keys are ignored, a bad value raises ValueError."""
        names = {f.name for f in fields(cls)} - {"warning"}
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_(self, **changes: Any) -> GenerationPreferences:
        return replace(self, warning=None, **changes)


def _one_line(text: object) -> str:
    lines = [" ".join(line.split()) for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


def load_preferences(path: str | os.PathLike[str] | None = None) -> GenerationPreferences:
    """The saved preferences, or the defaults when there are none. Never raises for a bad file: the defaults
    come back (keeping every field that was readable) with a one-line ``warning`` saying what was wrong."""
    path = Path(path) if path is not None else preferences_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return GenerationPreferences()
    except (OSError, UnicodeDecodeError) as exc:
        return GenerationPreferences(warning=f"could not read generation preferences {path}: "
                                             f"{_one_line(exc)}; using defaults")
    try:
        data = json.loads(text)
    except ValueError as exc:
        return GenerationPreferences(warning=f"generation preferences {path} are corrupt ({_one_line(exc)}); "
                                             "using defaults")
    if not isinstance(data, dict):
        return GenerationPreferences(warning=f"generation preferences {path} are corrupt (not a JSON object); "
                                             "using defaults")
    try:
        return GenerationPreferences.from_dict(data)
    except (TypeError, ValueError):
        pass
    # Keep what is valid, field by field; name the first bad one.
    prefs = GenerationPreferences()
    bad: list[str] = []
    for f in fields(GenerationPreferences):
        if f.name == "warning" or f.name not in data:
            continue
        try:
            prefs = replace(prefs, **{f.name: data[f.name]})
        except (TypeError, ValueError):
            bad.append(f"{f.name}={data[f.name]!r}")
    return replace(prefs, warning=f"generation preferences {path}: ignored {', '.join(bad)}; using the default "
                                  f"for {'it' if len(bad) == 1 else 'them'}")


def save_preferences(prefs: GenerationPreferences, path: str | os.PathLike[str] | None = None) -> Path:
    """Write ``prefs`` atomically (temp file in the same folder + ``os.replace``). Returns the path.
    Raises OSError when the folder cannot be written."""
    path = Path(path) if path is not None else preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(prefs.to_dict(), indent=2, sort_keys=True) + "\n"
    return write_atomic(path, text.encode("utf-8"))


def worker_env(prefs: GenerationPreferences, *, inherit: bool = True) -> dict[str, str | None]:
    """The environment variables that make the generation worker apply ``prefs``.

    Explicit choices always win. An ``auto`` lever (or no models folder) is left out when ``inherit`` is true,
    so a variable already set in the editor's own environment (e.g. ``PROMPTCUT_DEVICE=cpu``) still applies;
    with ``inherit=False`` it maps to None, which ``GeneratorClient(env=...)`` reads as "remove the variable",
    so the backend chooses for itself. ``default_model`` is not a worker setting: the editor puts it in job specs.
    """
    env: dict[str, str | None] = {}

    def put(key: str, value: str | None) -> None:
        if value is not None:
            env[key] = value
        elif not inherit:
            env[key] = None

    put(MODELS_ENV, str(Path(prefs.models_dir).expanduser()) if prefs.models_dir else None)
    put(BACKEND_ENV["device"], None if prefs.device == "auto" else prefs.device)
    put(BACKEND_ENV["dtype"], _DTYPE.get(prefs.precision))
    put(BACKEND_ENV["offload"], None if prefs.offload == "auto" else prefs.offload)
    put(BACKEND_ENV["vae_tiling"], None if prefs.vae_tiling is None else ("on" if prefs.vae_tiling else "off"))
    return env


def parse_cluster(text: str) -> ClusterConfig:
    """An address as a person types it: ``local`` or ``local:N`` (a Ray started on this machine with N workers),
    ``auto`` (the cluster this machine is a node of), ``ray://HOST:PORT`` (Ray Client, port 10001 by default on
    the head) or ``HOST:PORT`` (a node's GCS address). Raises ValueError with one line naming what is wrong."""
    address = text.strip()
    base, sep, count = address.partition(":")
    if base.lower() == LOCAL:
        if not sep:
            return ClusterConfig(LOCAL)
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"{text!r}: local:N wants a number of workers, 1 or more (e.g. local:2)")
        return ClusterConfig(LOCAL, workers=int(count))
    if address.lower() == "auto":
        return ClusterConfig("auto")
    host = address[len("ray://"):] if address.lower().startswith("ray://") else address
    name, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
    good_port = bool(colon) and port.isdigit() and 0 < int(port) < 65536
    if not name or any(c.isspace() or c in "/?#@" for c in name) or not good_port:
        raise ValueError(f"{text!r} is not a cluster address: use ray://HOST:10001, HOST:6379, auto, local "
                         "or local:N")
    return ClusterConfig(address)


def cluster_config(prefs: GenerationPreferences, environ: Mapping[str, str] | None = None) -> ClusterConfig | None:
    """Where generation runs: ``$PROMPTCUT_RAY_ADDRESS`` when set (it wins over the saved choice), else the
    saved cluster when ``generator`` is ``cluster``, else None (this computer). Raises ValueError (one line)
    for an address that does not parse."""
    from_env = ((os.environ if environ is None else environ).get(RAY_ADDRESS_ENV) or "").strip()
    if from_env:   # read as typed addresses are, so local:N works here too
        try:
            return parse_cluster(from_env)
        except ValueError as exc:
            raise ValueError(f"${RAY_ADDRESS_ENV}: {exc}") from None
    if prefs.generator != "cluster":
        return None
    chosen = parse_cluster(prefs.cluster_address or LOCAL)
    if chosen.address == LOCAL and chosen.workers is None and prefs.cluster_workers is not None:
        return replace(chosen, workers=prefs.cluster_workers)
    return chosen


def nvidia_gpu_present() -> bool:
    """Cheap check for an NVIDIA GPU without importing torch: the driver's /proc entries, else nvidia-smi on
    PATH. A True here does not promise that torch was built with CUDA."""
    gpus = Path("/proc/driver/nvidia/gpus")
    with contextlib.suppress(OSError):
        if gpus.is_dir() and any(gpus.iterdir()):
            return True
    return shutil.which("nvidia-smi") is not None

"""Which video models this machine has, which one to use by default, and getting one from the hub.

Never imports torch: the registry and the local search (``generation.models``, ``generation.locate``) are plain
Python. Test models count as installed once built; ``model_path`` builds one on request (that needs torch).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generation.child_python import gen_missing_message
from generation.models import DEFAULT_MODEL_ID, ModelInfo, get_model, list_models

NO_MODEL_MESSAGE = ("no video model is installed: run `promptcut models download {default}`, or use --model "
                    "tiny-wan (a test model that makes noise)")


class ModelError(Exception):
    """A model that cannot be used or fetched; one line saying what to do."""


@dataclass(frozen=True)
class ModelRow:
    model: ModelInfo
    installed: bool
    path: Path | None
    size_bytes: int | None   # on disk, when installed

    @property
    def state(self) -> str:
        if self.model.is_test_model:
            return "built" if self.installed else "built on use"
        return "installed" if self.installed else "not installed"

    @property
    def size_text(self) -> str:
        if self.installed and self.size_bytes is not None:
            return f"{_human(self.size_bytes)} on disk"
        if self.model.is_test_model:
            return "tiny (built locally)"
        gb = self.model.download_gb
        return f"~{gb:g} GB download" if gb is not None else "size unknown"


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"   # pragma: no cover


def _find(model: ModelInfo):
    from generation.locate import find_model

    return find_model(model, build_test_models=False)


def model_rows(*, sizes: bool = True) -> list[ModelRow]:
    """Every registry model with its installed state (and size on disk when ``sizes``)."""
    rows: list[ModelRow] = []
    for model in list_models():
        local = _find(model)
        size = local.size_bytes() if (local is not None and sizes) else None
        rows.append(ModelRow(model, local is not None, local.path if local else None, size))
    return rows


def is_installed(model_id: str) -> bool:
    return _find(get_model(model_id)) is not None


def default_model() -> str:
    """The model to use when none is named: the default if installed, else the first installed real model.
    Raises ModelError saying how to get one when none is installed (test models do not count)."""
    real = [m for m in list_models(include_test=False)]
    real.sort(key=lambda m: m.id != DEFAULT_MODEL_ID)
    for model in real:
        if _find(model) is not None:
            return model.id
    raise ModelError(NO_MODEL_MESSAGE.format(default=DEFAULT_MODEL_ID))


def resolve_model(model_id: str | None) -> str:
    """``model_id`` checked against the registry (or the default model when None)."""
    if model_id is None:
        return default_model()
    try:
        return get_model(model_id).id
    except KeyError as exc:
        raise ModelError(str(exc)) from None


def require_installed(model_id: str) -> None:
    """Refuse a real model that is not on this machine (test models are built by the worker on first use)."""
    model = get_model(model_id)
    if model.is_test_model or _find(model) is not None:
        return
    raise ModelError(f"model {model.id} is not installed: run `promptcut models download {model.id}`")


def model_path(model_id: str) -> Path:
    """Where the model's weights are (building a test model there first). ModelError when not installed."""
    from generation.audio.models import is_audio_model
    from generation.locate import find_model

    if is_audio_model(model_id):   # voices, sound and speech-to-text models
        from generation.audio.locate import find_audio_model

        found = find_audio_model(model_id)
        if found is None:
            raise ModelError(f"model {model_id} is not installed: run `promptcut models download {model_id}`")
        return found.path
    model = get_model(model_id)
    local = find_model(model, build_test_models=True)
    if local is None:
        raise ModelError(f"model {model.id} is not installed: run `promptcut models download {model.id}`")
    return local.path


@dataclass(frozen=True)
class ModelChoice:
    """A model as a window offers it: ``usable`` when installed, or a test model (built on first use)."""

    model: ModelInfo
    usable: bool
    label: str


def model_choices(rows: list[ModelRow]) -> list[ModelChoice]:
    """The models to pick from, installed ones first, then the test models, then those still to download."""
    installed = [r for r in rows if r.installed and not r.model.is_test_model]
    tests = [r for r in rows if r.model.is_test_model]
    others = [r for r in rows if not r.installed and not r.model.is_test_model]
    return ([ModelChoice(r.model, True, r.model.display_name) for r in installed]
            + [ModelChoice(r.model, True, f"{r.model.display_name} (test model: makes noise)") for r in tests]
            + [ModelChoice(r.model, False, f"{r.model.display_name} (not installed)") for r in others])


def preferred_choice(choices: list[ModelChoice], preferred: str | None) -> tuple[ModelChoice | None, str]:
    """The choice to select first: ``preferred`` (the user's default model, else the registry's) when it can
    be used, else the first usable one; with a sentence for a window user when the preferred one is missing
    ("" when it is there). None only when nothing can be used."""
    wanted = preferred or DEFAULT_MODEL_ID
    usable = [c for c in choices if c.usable]
    for choice in usable:
        if choice.model.id == wanted:
            return choice, ""
    first = usable[0] if usable else None
    missing = next((c.model.display_name for c in choices if c.model.id == wanted), wanted)
    if first is None:
        return None, f"{missing} is not installed. Generate ▸ Models and Settings… downloads models."
    noise = " (a test model: it makes noise)" if first.model.is_test_model else ""
    return first, (f"The default model, {missing}, is not installed: using {first.model.display_name}{noise}. "
                   "Generate ▸ Models and Settings… downloads models.")


# --- download ---------------------------------------------------------------------------------------------

# Only safetensors are loaded (generation.locate): do not fetch pickle checkpoints or other frameworks' weights.
_IGNORE = ["*.bin", "*.pt", "*.pth", "*.ckpt", "*.pkl", "*.msgpack", "*.h5", "*.onnx", "*.gguf"]

DownloadProgress = Callable[[int, int | None, float | None], None]   # bytes done, bytes total, seconds left


def download_model(model_id: str, *, progress: DownloadProgress | None = None,
                   models_root: str | os.PathLike[str] | None = None) -> Path:
    """Fetch a model's diffusers folder from the Hugging Face hub into the models folder.

    Test models are built locally instead. Raises ModelError (one line) without a network, when the hub
    refuses (gated, missing) or when what arrived is incomplete.
    """
    from generation.audio.models import is_audio_model
    from generation.locate import check_folder, find_model
    from generation.paths import MODELS_ENV, models_dir

    if is_audio_model(model_id):   # voices, sound and speech-to-text models
        from editor.generate.audio_catalog import download_audio_model

        return download_audio_model(model_id, progress=progress, models_root=models_root)
    model = get_model(model_id)
    if model.is_test_model:
        return model_path(model.id)
    root = Path(models_root) if models_root is not None else models_dir()
    target = root / model.id
    existing = find_model(model, models_root=root, build_test_models=False)
    if existing is not None:
        return existing.path
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import (
            GatedRepoError,
            LocalEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )
    except ImportError:
        raise ModelError(gen_missing_message("downloading models")) from None
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise ModelError(f"cannot download {model.id}: HF_HUB_OFFLINE is set (no hub access); unset it, or copy "
                         f"the diffusers folder of {model.repo} to {target} (set {MODELS_ENV} for another folder)")
    kwargs = {}
    if progress is not None:
        kwargs["tqdm_class"] = _progress_class(progress)
    try:
        root.mkdir(parents=True, exist_ok=True)
        snapshot_download(model.repo, revision=model.revision, local_dir=target, ignore_patterns=_IGNORE, **kwargs)
    except GatedRepoError:
        raise ModelError(f"{model.repo} is gated: accept its licence on huggingface.co and log in "
                         "(`hf auth login`), then try again") from None
    except (RepositoryNotFoundError, RevisionNotFoundError) as exc:
        raise ModelError(f"cannot download {model.id}: the hub has no {model.repo} "
                         f"({_first_line(exc)})") from None
    except LocalEntryNotFoundError as exc:
        raise ModelError(f"cannot download {model.id}: no connection to the Hugging Face hub "
                         f"({_network_reason(exc)}); copy the diffusers folder of {model.repo} to {target} "
                         "on a machine without network") from None
    except OSError as exc:
        raise ModelError(f"cannot download {model.id}: {_first_line(exc)}") from None
    problems = check_folder(target)
    if problems:
        raise ModelError(f"{model.id} downloaded to {target} but is incomplete: {problems[0]}")
    return target


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(text[0].split()) if text else type(exc).__name__


def _network_reason(exc: BaseException) -> str:
    for line in str(exc).splitlines():
        if line.startswith("Got: "):
            return line[5:].strip()
    return "no network"


def _progress_class(report: DownloadProgress):
    """A tqdm class that forwards byte progress to ``report`` instead of drawing its own bar."""
    from tqdm.auto import tqdm

    class _Reporter(tqdm):   # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            kwargs["disable"] = False
            kwargs["file"] = io.StringIO()   # tqdm's own bar goes nowhere; ours is drawn by ``report``
            super().__init__(*args, **kwargs)

        def display(self, *args, **kwargs):
            if self.unit == "B":
                rate = self.format_dict.get("rate")
                left = max(0.0, (self.total - self.n) / rate) if rate and self.total else None
                report(int(self.n), int(self.total) if self.total else None, left)
            return True

    return _Reporter

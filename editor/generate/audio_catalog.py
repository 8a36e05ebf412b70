"""Which sound models this machine has (voices, sound generators, transcribers), the defaults to use, and
getting one from the hub. Plain Python: the registry and the local search never import torch."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from editor.generate.catalog import DownloadProgress, ModelError
from generation.audio.locate import find_audio_model
from generation.audio.models import AudioModelInfo, Voice, audio_models, get_audio_model
from generation.child_python import gen_missing_message

# What each library loads; nothing else is fetched (Kokoro's weights and voices are torch files it reads with
# weights_only=True, so no code runs from them).
_ALLOW = {
    "kokoro": ["config.json", "*.pth", "voices/*.pt"],
    "transformers": ["*.json", "*.safetensors", "*.txt", "*.model", "*.tiktoken"],
    "diffusers": ["*.json", "*.safetensors", "*.txt", "*.model", "**/*.json", "**/*.safetensors", "**/*.txt",
                  "**/*.model"],
}

TRANSCRIBER_ORDER = ("whisper-large-v3-turbo", "whisper-small", "whisper-base")
SOUND_ORDER = ("stable-audio-open-1.0", "audioldm2")


@dataclass(frozen=True)
class VoiceChoice:
    """A voice as the window offers it: ``key`` is what a clip's spec stores ("kokoro-82m:af_heart")."""

    model: AudioModelInfo
    voice: Voice
    installed: bool

    @property
    def key(self) -> str:
        return f"{self.model.id}:{self.voice.id}"

    @property
    def label(self) -> str:
        text = f"{self.voice.name} — {self.model.name}"
        return text if self.installed else f"{text} (download)"


def is_installed(model: AudioModelInfo | str, models_root: str | os.PathLike[str] | None = None) -> bool:
    """Found in ``models_root`` (default: the configured models folder) or the HF cache; test models count."""
    info = get_audio_model(model)
    return info.is_test_model or find_audio_model(info, models_root=models_root, build_test_models=False) is not None


def voice_choices(*, include_test: bool = False,
                  models_root: str | os.PathLike[str] | None = None) -> list[VoiceChoice]:
    """Every voice of every voice model, installed ones first, the basic voice at the top."""
    out = []
    for m in audio_models("speech", include_test=include_test):
        installed = is_installed(m, models_root)   # one look on disk per model, not per voice
        out += [VoiceChoice(m, v, installed) for v in m.voices]
    return sorted(out, key=lambda c: (not c.installed, not c.model.builtin))


def first_installed(order: tuple[str, ...]) -> AudioModelInfo | None:
    for model_id in order:
        info = get_audio_model(model_id)
        if is_installed(info):
            return info
    return None


def default_transcriber() -> AudioModelInfo:
    """The best installed Whisper; ModelError saying what to download when none is."""
    found = first_installed(TRANSCRIBER_ORDER)
    if found is None:
        raise ModelError("no speech-to-text model is installed: run `promptcut models download whisper-small`")
    return found


def default_sound_model() -> AudioModelInfo:
    found = first_installed(SOUND_ORDER)
    if found is None:
        raise ModelError("no sound model is installed: run `promptcut models download stable-audio-open-1.0`")
    return found


def download_audio_model(model_id: str, *, progress: DownloadProgress | None = None,
                         models_root: str | os.PathLike[str] | None = None) -> Path:
    """Fetch a sound model's files from the Hugging Face hub into the models folder (test models are built
    locally; the basic voice needs nothing). ModelError (one line) without a network or when the hub refuses."""
    from editor.generate.catalog import _first_line, _network_reason, _progress_class
    from generation.paths import models_dir

    info = get_audio_model(model_id)
    root = Path(models_root) if models_root is not None else models_dir()
    if info.builtin or info.is_test_model:
        found = find_audio_model(info, models_root=root)
        assert found is not None
        return found.path
    existing = find_audio_model(info, models_root=root, build_test_models=False)
    if existing is not None:
        return existing.path
    target = root / info.id
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import GatedRepoError, LocalEntryNotFoundError, RepositoryNotFoundError
    except ImportError:
        raise ModelError(gen_missing_message("downloading models")) from None
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise ModelError(f"cannot download {info.id}: HF_HUB_OFFLINE is set; copy {info.repo} to {target}")
    kwargs = {} if progress is None else {"tqdm_class": _progress_class(progress)}
    try:
        root.mkdir(parents=True, exist_ok=True)
        snapshot_download(info.repo, revision=info.revision, local_dir=target,
                          allow_patterns=_ALLOW.get(info.library), **kwargs)
    except GatedRepoError:
        raise ModelError(f"{info.repo} is gated: accept its licence on huggingface.co and log in "
                         "(`hf auth login`), then try again") from None
    except RepositoryNotFoundError as exc:
        raise ModelError(f"cannot download {info.id}: the hub has no {info.repo} ({_first_line(exc)})") from None
    except LocalEntryNotFoundError as exc:
        raise ModelError(f"cannot download {info.id}: no connection to the Hugging Face hub "
                         f"({_network_reason(exc)}); copy {info.repo} to {target}") from None
    except OSError as exc:
        raise ModelError(f"cannot download {info.id}: {_first_line(exc)}") from None
    if not (target / info.marker).is_file():
        raise ModelError(f"{info.id} downloaded to {target} but has no {info.marker}")
    return target

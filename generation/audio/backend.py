"""Runs audio jobs in the worker: finds the model, loads it once (kept warm, one per kind), and hands the
job to the engine for its library:

- ``espeak-ng`` -> ``speech_espeak``, ``kokoro`` -> ``speech_kokoro`` (speech)
- kind ``sound`` -> ``sound`` (diffusers audio pipelines)
- kind ``transcript`` -> ``transcribe`` (transformers Whisper)

An engine module has ``load(info, local, device) -> loaded`` and
``run(loaded, info, spec, *, progress, cancel) -> AudioResult``; ``progress(fraction)`` takes 0..1 and
raises :class:`generation.errors.Cancelled` when ``cancel`` is set, so an engine need only call it.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import Cancelled, GenerationError
from .job_spec import AudioJobSpec
from .locate import require_audio_model
from .models import AudioModelInfo, get_audio_model
from .result import AudioResult

Progress = Callable[[float], None]


def engine_for(info: AudioModelInfo) -> Any:
    if info.library == "espeak-ng":
        name = "speech_espeak"
    elif info.library == "kokoro":
        name = "speech_kokoro"
    elif info.kind == "sound":
        name = "sound"
    elif info.kind == "transcript":
        name = "transcribe"
    else:  # pragma: no cover - the registry is checked by a test
        raise GenerationError(f"no engine runs {info.name}", kind="internal")
    return importlib.import_module(f"{__package__}.{name}")


class AudioBackend:
    """Keeps one loaded model per kind (speech, sound, transcript) warm between jobs."""

    def __init__(self, *, device: str = "auto", models_root: str | None = None,
                 hf_cache_dir: str | None = None) -> None:
        self.models_root = models_root
        self.hf_cache_dir = hf_cache_dir
        self._device_setting = device
        self._loaded: dict[str, tuple[str, Any]] = {}  # kind -> (model id, loaded)
        self._lock = threading.Lock()

    @property
    def device(self) -> str:
        name = self._device_setting
        if name == "auto":
            import torch

            name = "cuda" if torch.cuda.is_available() else "cpu"
        return name

    def unload(self) -> None:
        self._loaded.clear()
        gc.collect()

    def run(self, spec: AudioJobSpec, *, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> AudioResult:
        info = get_audio_model(spec.model)
        if info.kind != spec.kind:
            raise GenerationError(f"{info.name} makes {info.kind}, not {spec.kind}", kind="bad_request")

        def report(fraction: float) -> None:
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            if progress is not None:
                progress(min(1.0, max(0.0, float(fraction))))

        with self._lock:
            t0 = time.perf_counter()
            report(0.0)
            engine = engine_for(info)
            slot = info.id if info.builtin else info.kind  # the basic voice holds no memory: never evicts Kokoro
            held = self._loaded.get(slot)
            if held is None or held[0] != info.id:
                self._loaded.pop(slot, None)
                gc.collect()
                local = require_audio_model(info, models_root=self.models_root, hf_cache_dir=self.hf_cache_dir)
                held = (info.id, engine.load(info, local, self.device))
                self._loaded[slot] = held
            t_loaded = time.perf_counter()
            report(0.05)
            result = engine.run(held[1], info, spec, progress=report, cancel=cancel)
            report(1.0)
            result.timings.setdefault("load_s", t_loaded - t0)
            result.timings.setdefault("run_s", time.perf_counter() - t_loaded)
            if result.revision is None:
                from .locate import audio_model_revision

                result.revision = audio_model_revision(info.id)
            return result

"""An audio job's output: a 16-bit PCM WAV (speech, sound) or the transcript's JSON, then the sidecar; each
written to a temporary file beside it and renamed into place, so a reader never sees half a file."""

from __future__ import annotations

import datetime as _dt
import json
import os
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GenerationError
from ..writer import _temp_beside, _versions, sidecar_path, write_json_atomic
from .result import AudioResult

SIDECAR_FORMAT = "promptcut.audio"
SIDECAR_VERSION = 1


def write_wav(samples: np.ndarray, rate: int, path: str | os.PathLike[str]) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    a = np.asarray(samples, dtype=np.float32)
    if a.ndim == 1:
        a = a[:, None]
    if len(a) == 0:
        raise GenerationError("the model made no sound (0 samples)", kind="pipeline")
    pcm = (np.clip(a, -1.0, 1.0) * 32767.0).round().astype("<i2")
    tmp = _temp_beside(out, ".wav")
    try:
        with wave.open(os.fspath(tmp), "wb") as w:
            w.setnchannels(pcm.shape[1])
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(pcm.tobytes())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GenerationError(f"could not write {out.name}: {exc.strerror or exc}", kind="write") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def write_audio_result(result: AudioResult, path: str | os.PathLike[str],
                       *, extra: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
    """Write ``path`` (the WAV or the transcript) and its sidecar; returns (output, sidecar)."""
    out = Path(path)
    sidecar: dict[str, Any] = {
        "format": SIDECAR_FORMAT,
        "version": SIDECAR_VERSION,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "kind": result.kind,
        "model": result.model,
        "revision": result.revision,
        "pipeline_class": result.pipeline_class,
        "device": result.device,
        "notes": list(result.notes),
        "timings": dict(result.timings),
        "software": _versions(),
    }
    if result.kind == "transcript":
        doc = {"language": result.language, "text": result.text, "words": [w.to_dict() for w in result.words]}
        write_json_atomic(out, doc)
        sidecar["transcript"] = {"file": out.name, "language": result.language, "words": len(result.words)}
    else:
        if result.samples is None:
            raise GenerationError("the model made no sound", kind="pipeline")
        write_wav(result.samples, result.sample_rate, out)
        sidecar["audio"] = {"file": out.name, "codec": "pcm_s16le", "rate": result.sample_rate,
                            "channels": int(result.samples.shape[1]), "seconds": result.seconds}
    if extra:
        sidecar.update(extra)
    return out, write_json_atomic(sidecar_path(out), sidecar)


def read_transcript(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A transcript file as written above: ``{"language", "text", "words": [{"text", "start", "end"}, ...]}``."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GenerationError(f"cannot read transcript {Path(path).name}: {exc}", kind="write") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("words"), list):
        raise GenerationError(f"{Path(path).name} is not a transcript", kind="write")
    return doc

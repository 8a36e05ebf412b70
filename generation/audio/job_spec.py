"""An audio job: speak a line, make a sound from a prompt, or transcribe a file. Plain data with a content
hash, like :class:`generation.job_spec.JobSpec`, and stored, queued, cached and run the same way; its
``to_dict`` always carries ``kind``, which is how the store and the worker tell it from a video shot.

Outputs: speech and sound are WAV files (``.wav``), a transcript is JSON (``.transcript``: words with times,
see ``generation.audio.transcribe``); each with the usual ``.json`` sidecar beside it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from ..errors import GenerationError
from .models import AUDIO_KINDS, get_audio_model

AUDIO_HASH_FORMAT = "promptcut.audio-job/1"
_MAX_SEED = 2**63 - 1
MAX_TEXT = 5000  # characters in one spoken line or prompt: a paragraph is ~600


@dataclass(frozen=True)
class AudioJobSpec:
    """One audio job, fully resolved (use :meth:`create` to fill a model's defaults).

    ``prompt``: the words to speak (speech), the sound to make (sound), unused for transcripts.
    ``voice``: the voice id within the model (speech). ``speed``: speaking rate (1 normal). ``pitch``:
    semitones. ``seconds``: the sound's length (sound). ``source``: the audio or video file to transcribe,
    hashed by content. ``language``: a transcript's language ("" detect it) or a voice's.
    """

    kind: str
    model: str
    prompt: str = ""
    negative_prompt: str = ""
    voice: str = ""
    speed: float = 1.0
    pitch: float = 0.0
    seconds: float = 0.0
    seed: int = 0
    steps: int = 0
    guidance: float = 0.0
    source: str | None = None
    language: str = ""

    def __post_init__(self) -> None:
        if self.kind not in AUDIO_KINDS:
            raise ValueError(f"kind must be one of {', '.join(AUDIO_KINDS)}, got {self.kind!r}")
        for name in ("model", "prompt", "negative_prompt", "voice", "language"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string, got {type(getattr(self, name)).__name__}")
        if not self.model:
            raise ValueError("model must be given")
        if len(self.prompt) > MAX_TEXT:
            raise ValueError(f"the text is {len(self.prompt)} characters; one job takes at most {MAX_TEXT}")
        if self.kind != "transcript" and not self.prompt.strip():
            raise ValueError("there is nothing to say" if self.kind == "speech" else "a sound needs a prompt")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= _MAX_SEED:
            raise ValueError(f"seed must be an integer in 0..2**63-1, got {self.seed!r}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 0:
            raise ValueError(f"steps must be a whole number >= 0, got {self.steps!r}")
        for name, low, high in (("speed", 0.25, 4.0), ("pitch", -24.0, 24.0), ("seconds", 0.0, 600.0),
                                ("guidance", 0.0, 100.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not low <= v <= high:
                raise ValueError(f"{name} must be a number in {low:g}..{high:g}, got {v!r}")
            object.__setattr__(self, name, float(v))
        if self.kind == "sound" and self.seconds <= 0:
            raise ValueError("a sound needs a length in seconds")
        if self.kind == "transcript" and (
            not isinstance(self.source, (str, os.PathLike)) or not os.fspath(self.source)
        ):
            raise ValueError("a transcript needs a source file")
        if self.source is not None:
            object.__setattr__(self, "source", os.path.abspath(os.fspath(self.source)))

    @classmethod
    def create(cls, kind: str, model: str, prompt: str = "", **values: Any) -> AudioJobSpec:
        """A spec with the model's defaults (voice, steps, guidance, negative prompt) filled in."""
        info = get_audio_model(model)
        if info.kind != kind:
            raise GenerationError(f"{info.name} makes {info.kind}, not {kind}", kind="bad_request")
        if kind == "speech":
            values["voice"] = info.voice(values.get("voice") or "").id
        if kind == "sound":
            values.setdefault("steps", info.default_steps)
            values.setdefault("guidance", info.default_guidance)
            values.setdefault("negative_prompt", info.default_negative_prompt)
            if info.max_seconds and values.get("seconds", 0) > info.max_seconds:
                raise GenerationError(f"{info.name} makes at most {info.max_seconds:g} s in one take",
                                      kind="bad_request")
        return cls(kind=kind, model=info.id, prompt=prompt, **values)

    @property
    def profile(self) -> str:
        return "final"  # audio jobs have one recipe (the queue reads a profile from every job)

    @property
    def output_suffix(self) -> str:
        return ".transcript" if self.kind == "transcript" else ".wav"

    def to_dict(self) -> dict[str, Any]:
        """``kind`` and ``model`` always; other fields only when set (so adding one keeps older hashes)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.default is MISSING or value != f.default:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudioJobSpec:
        if not isinstance(data, Mapping):
            raise TypeError(f"a job spec is a JSON object, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown audio job field(s): {', '.join(unknown)}")
        missing = sorted(f.name for f in fields(cls) if f.default is MISSING and f.name not in data)
        if missing:
            raise ValueError(f"audio job spec lacks {', '.join(missing)}")
        return cls(**data)

    def hash_document(self) -> dict[str, Any]:
        from ..job_spec import file_sha256
        from .locate import audio_model_revision, engine_document

        doc: dict[str, Any] = {"format": AUDIO_HASH_FORMAT, "model_revision": audio_model_revision(self.model),
                               **engine_document(get_audio_model(self.model))}
        for name, value in self.to_dict().items():
            doc[name] = {"sha256": file_sha256(value)} if name == "source" else value
        return doc

    def content_hash(self) -> str:
        canonical = json.dumps(self.hash_document(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

"""What an audio job makes: sound samples (speech, sound) or timed words (transcript)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Word:
    """A transcribed word and its time in the source, in seconds."""

    text: str
    start: float
    end: float
    probability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}
        if self.probability is not None:
            out["probability"] = round(self.probability, 3)
        return out


@dataclass
class AudioResult:
    """``samples``: float32 in [-1, 1], shape (n, channels), at ``sample_rate`` (speech and sound).
    ``words`` / ``text`` / ``language``: a transcript. ``notes``: one-line facts for the sidecar and the queue
    ("spoken by Kokoro voice af_heart at 1.2x")."""

    kind: str
    model: str
    sample_rate: int = 0
    samples: np.ndarray | None = None
    words: list[Word] = field(default_factory=list)
    text: str = ""
    language: str = ""
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    revision: str | None = None
    device: str = "cpu"
    pipeline_class: str = ""

    @property
    def seconds(self) -> float:
        if self.samples is None or not self.sample_rate:
            return 0.0
        return len(self.samples) / self.sample_rate


def as_samples(audio: Any) -> np.ndarray:
    """Any model's output (torch or numpy; (n,), (n, ch) or (ch, n)) as float32 (n, channels) in [-1, 1]."""
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    a = np.asarray(audio, dtype=np.float32)
    a = np.squeeze(a)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim == 1:
        a = a[:, None]
    elif a.ndim == 2 and a.shape[0] < a.shape[1] and a.shape[0] <= 8:
        a = a.T  # (channels, n) -> (n, channels)
    elif a.ndim != 2:
        raise ValueError(f"audio of shape {a.shape} is not mono or multichannel sound")
    a = np.nan_to_num(a, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(a, -1.0, 1.0).astype(np.float32, copy=False)

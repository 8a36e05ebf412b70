"""Transcripts with Whisper: transformers' ``WhisperForConditionalGeneration`` and ``WhisperProcessor``, the
words timed from the decoder's cross-attention (``return_token_timestamps``) for captions.

The source (any audio or video file) is decoded by ffmpeg to 16 kHz mono float32, Whisper's input. Files up
to 30 s are one window; longer ones go through Whisper's own sequential long-form decoding, which moves from
window to window on the timestamps it predicts (so a word is not cut at a window's edge), with ``progress``
after each window. With no language given, Whisper detects it from the first 30 s; the transcript says
which it found.

Words keep their punctuation ("dawn."), lose their leading space, and come back in order, not overlapping,
within the sound's length: a random or hallucinating model can time words past the end (Whisper pads every
window to 30 s), and captions must not outlast the speech.
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GenerationError
from ..ffmpeg import FFmpegNotFound, find_ffmpeg
from .job_spec import AudioJobSpec
from .models import AudioModelInfo
from .result import AudioResult, Word

SAMPLE_RATE = 16000
WINDOW_FRAMES = 3000  # mel frames in Whisper's 30 s window
# Languages written without spaces: each character (or decodable run) is a word, as Whisper does it.
_UNSPACED = {"zh", "ja", "th", "lo", "my", "yue"}
_SPACE = "\u0120"  # how byte-level BPE writes a leading space in a token
_OPENING = "\"'“¡¿([{-«"  # a token of these alone, after a space, belongs to the word that follows


@dataclass
class LoadedWhisper:
    model: Any
    processor: Any
    device: str


def load(info: AudioModelInfo, local: Any, device: str) -> LoadedWhisper:
    """The model in fp16 on CUDA (fp32 on a CPU, where fp16 is slow or missing), with eager attention: word
    timings read the cross-attention weights, which the fused kernels do not return."""
    import torch
    from transformers import WhisperForConditionalGeneration, WhisperProcessor

    folder = os.fspath(local.path)
    dtype = torch.float16 if str(device).startswith("cuda") else torch.float32
    try:
        processor = WhisperProcessor.from_pretrained(folder, local_files_only=True)
        model = WhisperForConditionalGeneration.from_pretrained(
            folder, dtype=dtype, attn_implementation="eager", local_files_only=True)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise GenerationError(f"{info.name} at {Path(folder).name} cannot be loaded: {first}", kind="model_missing",
                              hint=f"Download {info.id} again (`promptcut models download {info.id}`).") from None
    model.to(device).eval()
    return LoadedWhisper(model, processor, str(device))


# -- the sound ------------------------------------------------------------------------------------------------


def decode_audio(path: str | os.PathLike[str], *, cancel: threading.Event | None = None) -> np.ndarray:
    """The file's first sound stream as 16 kHz mono float32 samples; a one-line ``bad_request`` error for a
    missing or unreadable file or one without sound."""
    source = Path(path)
    name = source.name
    if not source.is_file():
        raise GenerationError(f"cannot transcribe {name}: the file is not there", kind="bad_request")
    try:
        ffmpeg = find_ffmpeg()
    except FFmpegNotFound as exc:
        raise GenerationError(str(exc), kind="pipeline") from None
    cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-i", os.fspath(source), "-map", "0:a:0", "-vn",
           "-sn", "-dn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "pipe:1"]
    chunks: list[bytes] = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        # stderr is read on a thread: a chatty decoder must not block on a full pipe while we read samples.
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        while block := proc.stdout.read(1 << 20):
            chunks.append(block)
            if cancel is not None and cancel.is_set():
                proc.kill()
                break
        code = proc.wait()
        reader.join(5)
    if cancel is not None and cancel.is_set():
        from ..errors import Cancelled

        raise Cancelled("cancelled while reading the sound")
    message = b"".join(errors).decode("utf-8", "replace")
    if code != 0:
        if "matches no streams" in message or "does not contain any stream" in message:
            raise GenerationError(f"cannot transcribe {name}: it has no sound", kind="bad_request")
        first = next((ln.strip() for ln in message.splitlines() if ln.strip()), f"ffmpeg exit code {code}")
        raise GenerationError(f"cannot transcribe {name}: its sound cannot be read ({first})", kind="bad_request")
    data = b"".join(chunks)
    samples = np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4").astype(np.float32)
    if samples.size == 0:
        raise GenerationError(f"cannot transcribe {name}: it has no sound", kind="bad_request")
    return np.nan_to_num(samples)


# -- languages ------------------------------------------------------------------------------------------------


def language_code(language: str, generation_config: Any, model_name: str) -> str | None:
    """Whisper's code for ``language`` ("en", "en-US", "English" -> "en"); None for "" (detect it). A
    language the model does not know is a one-line ``bad_request``."""
    from transformers.models.whisper.tokenization_whisper import LANGUAGES, TO_LANGUAGE_CODE

    wanted = language.strip().lower()
    if not wanted:
        return None
    code = TO_LANGUAGE_CODE.get(wanted) or wanted.replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise GenerationError(f"{model_name} does not know the language {language!r}", kind="bad_request",
                              hint="Use a language code such as en, de or fr, or leave it empty to detect it.")
    known = getattr(generation_config, "lang_to_id", None) or {}
    if known and f"<|{code}|>" not in known:
        raise GenerationError(f"{model_name} cannot transcribe {LANGUAGES[code]}", kind="bad_request")
    return code


def detect_language(loaded: LoadedWhisper, features: Any) -> str:
    """The language Whisper hears in the first 30 s, as its code ("en")."""
    model = loaded.model
    ids = model.detect_language(input_features=features[..., :WINDOW_FRAMES])
    by_id = {v: k for k, v in (model.generation_config.lang_to_id or {}).items()}
    token = by_id.get(int(ids[0]), "<|en|>")
    return token[2:-2]


# -- words ------------------------------------------------------------------------------------------------------


def words_from_tokens(tokenizer: Any, tokens: list[int], times: list[float], *, end: float,
                      unspaced: bool = False) -> list[Word]:
    """Whisper's tokens of one segment and each token's start time as words. A word starts at a token with a
    leading space (or, in unspaced languages, wherever the text decodes whole); punctuation stays with its word.
    A word ends where the token after its last one starts (``end`` for the segment's last token)."""
    eot = tokenizer.eos_token_id
    groups: list[list[int]] = []  # indices into tokens
    for i, token in enumerate(tokens):
        if token >= eot:  # specials and timestamps
            continue
        raw = tokenizer.convert_ids_to_tokens(int(token)) or ""
        text_so_far = tokenizer.decode([tokens[j] for j in groups[-1]]) if groups else ""
        if unspaced:
            starts = not groups or "\ufffd" not in text_so_far
        else:
            opening = bool(groups) and text_so_far.strip() != "" and all(c in _OPENING for c in text_so_far.strip())
            starts = not groups or (raw.startswith(_SPACE) and not opening) or (
                groups[-1][-1] != i - 1 and not opening)
        if starts:
            groups.append([i])
        else:
            groups[-1].append(i)
    words: list[Word] = []
    for group in groups:
        text = tokenizer.decode([tokens[j] for j in group]).strip()
        after = group[-1] + 1
        finish = times[after] if after < len(times) else end
        words.append(Word(text, float(times[group[0]]), float(finish)))
    return words


def tidy(words: list[Word], duration: float) -> list[Word]:
    """Words as captions need them: stripped, none empty, in order, none overlapping the next, none starting
    after the sound ends, every time within 0..duration."""
    out: list[Word] = []
    previous_end = 0.0
    for w in words:
        text = w.text.strip()
        if not text or set(text) <= {"\ufffd"}:
            continue
        start = min(max(float(w.start), previous_end, 0.0), duration)
        if start >= duration:
            continue  # timed past the sound: hallucinated in the padding
        finish = min(max(float(w.end), start), duration)
        out.append(Word(text, round(start, 3), round(finish, 3), w.probability))
        previous_end = finish
    return out


# -- the job ----------------------------------------------------------------------------------------------------


def run(loaded: LoadedWhisper, info: AudioModelInfo, spec: AudioJobSpec, *, progress: Any,
        cancel: threading.Event | None = None) -> AudioResult:
    import torch

    if not spec.source:
        raise GenerationError("a transcript needs a source file", kind="bad_request")
    audio = decode_audio(spec.source, cancel=cancel)
    duration = len(audio) / SAMPLE_RATE
    progress(0.08)
    model, processor = loaded.model, loaded.processor
    language = language_code(spec.language, model.generation_config, info.name)
    long_form = len(audio) > 30 * SAMPLE_RATE
    # Long files keep every frame (Whisper walks the windows itself); short ones are padded to one window.
    inputs = processor.feature_extractor(
        audio, sampling_rate=SAMPLE_RATE, return_tensors="pt", return_attention_mask=True,
        **({"truncation": False, "padding": "longest"} if long_form else {}))
    features = inputs.input_features.to(loaded.device, dtype=model.dtype)
    mask = inputs.attention_mask.to(loaded.device)
    notes = [f"transcribed {duration:.1f} s of sound by {info.name} on {loaded.device}"]
    multilingual = bool(getattr(model.generation_config, "is_multilingual", False))
    with torch.inference_mode():
        if not multilingual:
            language = "en"
        elif language is None:
            language = detect_language(loaded, features)
            notes.append(f"detected language: {language}")
        progress(0.12)

        def on_window(state: Any) -> None:  # (batch, 2): frames done, frames in all
            done, total = (int(x) for x in state[0].tolist())
            progress(0.12 + 0.83 * min(1.0, done / max(1, total)))

        out = model.generate(
            features, attention_mask=mask, return_timestamps=True, return_token_timestamps=True,
            return_segments=True, task="transcribe", language=language if multilingual else None,
            monitor_progress=on_window)
    tokenizer = processor.tokenizer
    words: list[Word] = []
    for segment in out["segments"][0] if out.get("segments") else []:
        tokens = [int(t) for t in segment["tokens"].tolist()]
        times = [float(t) for t in segment["token_timestamps"].tolist()]
        words += words_from_tokens(tokenizer, tokens, times, end=float(segment["end"]),
                                   unspaced=language in _UNSPACED)
    words = tidy(words, duration)
    text = ("" if language in _UNSPACED else " ").join(w.text for w in words)
    if not words:
        notes.append("no speech found")
    return AudioResult(kind="transcript", model=info.id, sample_rate=SAMPLE_RATE, words=words, text=text,
                       language=language or "", notes=notes, timings={"audio_s": round(duration, 3)},
                       device=loaded.device, pipeline_class=type(model).__name__)

"""The neural voice: Kokoro's ``KModel`` loaded from a local folder in the hexgrad/Kokoro-82M layout
(``config.json``, the ``.pth`` weights, ``voices/<voice>.pt`` packs), never from the hub.

Text to phonemes: Kokoro's ``KPipeline`` uses misaki's English G2P, which needs spaCy's ``en_core_web_sm`` (and
would download it if missing). Where that model is installed we use it; otherwise espeak-ng phonemises whole
sentences and misaki's own espeak-to-Kokoro mapping (``EspeakFallback``) turns them into Kokoro's English
phoneme set. Other languages (Spanish, French, Hindi, Italian, Portuguese voices) use misaki's ``EspeakG2P`` as
``KPipeline`` does. The voice's first letter says its language, as in Kokoro (``a``: US English, ``b``: UK).

Sentences are packed into calls under the model's context (510 phonemes for Kokoro), a longer sentence split at
a comma or a space. As in ``KPipeline.infer``, each call takes the style vector of its voice pack at the
call's phoneme count. The vocoder draws random phases, so each call is seeded from the job's seed: the same job
gives the same samples. Speed is Kokoro's own duration scale; pitch (which Kokoro lacks) is a length-keeping
shift from :mod:`voice_effects`.
"""

from __future__ import annotations

import contextlib
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..backends.seeding import seeded_global_rng
from ..errors import GenerationError
from . import voice_effects
from .job_spec import AudioJobSpec
from .locate import spacy_english_installed
from .models import AudioModelInfo
from .result import AudioResult, as_samples

SAMPLE_RATE = 24000
_EDGE_S = 0.05
_VOICE_ID = re.compile(r"^[a-z][a-z]_[A-Za-z0-9_]+$")
# Kokoro's language codes (the voice id's first letter) -> the espeak-ng language that phonemises them.
LANGUAGES = {"a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "h": "hi", "i": "it", "p": "pt-br"}
_NEEDS_EXTRAS = {"j": "Japanese (misaki[ja])", "z": "Mandarin (misaki[zh])"}
_BREAKS = ("!.?…", ":;", ",—")  # where a too-long sentence is best cut, in KPipeline's order of preference


@dataclass
class LoadedKokoro:
    model: Any  # kokoro.model.KModel
    folder: Path
    device: str
    voices: dict[str, Any] = field(default_factory=dict)
    g2p: dict[str, Callable[[str], str]] = field(default_factory=dict)
    g2p_notes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def max_phonemes(self) -> int:
        return int(self.model.context_length) - 2  # KModel adds a start and an end token


def _weights_file(info: AudioModelInfo, folder: Path) -> Path:
    from kokoro.model import KModel

    named = KModel.MODEL_NAMES.get(info.repo or "hexgrad/Kokoro-82M")
    if named and (folder / named).is_file():
        return folder / named
    found = sorted(folder.glob("*.pth"))
    if len(found) != 1:
        what = "no .pth weights" if not found else f"{len(found)} .pth files"
        raise GenerationError(f"{info.name}: the folder {folder.name} holds {what}", kind="model_missing",
                              hint=f"Put Kokoro's {named or 'weights'} file in it.")
    return found[0]


@contextlib.contextmanager
def quiet_kokoro() -> Iterator[None]:
    """Building a KModel warns about its own code (one-layer LSTMs with dropout, the old weight_norm): true of
    the released model too, and not the creator's to act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="dropout option adds dropout", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*weight_norm.* is deprecated", category=FutureWarning)
        yield


def load(info: AudioModelInfo, local: Any, device: str) -> LoadedKokoro:
    import torch
    from kokoro.model import KModel
    from loguru import logger

    logger.disable("kokoro")  # kokoro logs its whole config and every phoneme string at debug level
    folder = Path(local.path)
    if not (folder / "config.json").is_file():
        raise GenerationError(f"{info.name}: no config.json in {folder.name}", kind="model_missing")
    weights = _weights_file(info, folder)
    try:
        with quiet_kokoro():
            model = KModel(repo_id=info.repo or "hexgrad/Kokoro-82M", config=str(folder / "config.json"),
                           model=str(weights))
    except (OSError, RuntimeError, KeyError, ValueError, AssertionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise GenerationError(f"could not load {info.name} from {folder.name}: {first}", kind="model_missing",
                              hint="The files may be damaged or from another version; download them again.") from None
    model = model.to(torch.device(device)).eval()
    return LoadedKokoro(model=model, folder=folder, device=device)


# -- text to phonemes ---------------------------------------------------------------------------------------------


def _english_g2p(british: bool) -> tuple[Callable[[str], str], str]:
    from misaki import espeak

    if spacy_english_installed():
        from misaki import en

        g2p = en.G2P(trf=False, british=british, fallback=espeak.EspeakFallback(british=british), unk="")
        return (lambda text: g2p(text)[0]), ""
    import phonemizer

    fallback = espeak.EspeakFallback(british=british)
    # The same espeak voice, but dropping the "(fr)...(en)" flags it puts around foreign words.
    fallback.backend = phonemizer.backend.EspeakBackend(
        language=f"en-{'gb' if british else 'us'}", preserve_punctuation=True, with_stress=True, tie="^",
        language_switch="remove-flags")

    def phonemes(text: str) -> str:
        ps, _ = fallback(SimpleNamespace(text=text))
        return ps or ""

    return phonemes, "phonemes by espeak-ng (spaCy's en_core_web_sm is not installed)"


def g2p_for(loaded: LoadedKokoro, lang: str) -> Callable[[str], str]:
    """The phonemiser for a Kokoro language code, made once per loaded model."""
    if lang not in loaded.g2p:
        if lang in "ab":
            loaded.g2p[lang], loaded.g2p_notes[lang] = _english_g2p(british=lang == "b")
        else:
            from misaki import espeak

            g2p = espeak.EspeakG2P(language=LANGUAGES[lang])
            loaded.g2p[lang] = lambda text: g2p(text)[0]
    return loaded.g2p[lang]


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?…])\s+|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def _split_long(ps: str, limit: int) -> list[str]:
    """A phoneme string longer than ``limit`` cut at the latest good break (sentence end, clause, comma, space)."""
    pieces: list[str] = []
    while len(ps) > limit:
        window = ps[: limit + 1]
        cut = -1
        for marks in _BREAKS:
            cut = max(window.rfind(m) for m in marks)
            if cut > 0:
                cut += 1
                break
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(ps[:cut].strip())
        ps = ps[cut:].strip()
    if ps:
        pieces.append(ps)
    return [p for p in pieces if p]


def phoneme_chunks(phonemes: list[str], limit: int) -> list[str]:
    """Each sentence's phonemes packed, in order, into strings of at most ``limit`` symbols."""
    out: list[str] = []
    for ps in phonemes:
        for piece in _split_long(ps.strip(), limit):
            if out and len(out[-1]) + 1 + len(piece) <= limit:
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
    return out


def text_chunks(loaded: LoadedKokoro, text: str, lang: str) -> list[str]:
    """The phoneme strings one job speaks, one model call each (symbols Kokoro lacks are dropped first, as
    ``KModel`` would, so the count is the model's)."""
    g2p = g2p_for(loaded, lang)
    vocab = loaded.model.vocab
    phonemes = ["".join(c for c in g2p(s) if c in vocab) for s in sentences(text)]
    return phoneme_chunks([p for p in phonemes if p.strip()], loaded.max_phonemes)


# -- voices -------------------------------------------------------------------------------------------------------


def voice_pack(loaded: LoadedKokoro, info: AudioModelInfo, voice: str) -> Any:
    import torch

    if voice in loaded.voices:
        return loaded.voices[voice]
    path = loaded.folder / "voices" / f"{voice}.pt"
    if not _VOICE_ID.match(voice) or not path.is_file():
        have = sorted(p.stem for p in (loaded.folder / "voices").glob("*.pt"))[:12]
        raise GenerationError(f"{info.name} has no voice {voice!r}", kind="bad_request",
                              hint=f"Its voices: {', '.join(have)}." if have else "Its voices folder is empty.")
    try:
        pack = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable pack is the same fault for a person
        raise GenerationError(f"the voice pack {path.name} could not be read: {type(exc).__name__}",
                              kind="model_missing", hint="Download the voice again.") from None
    if not isinstance(pack, torch.Tensor) or pack.ndim != 3 or pack.shape[-1] != 256:
        raise GenerationError(f"the voice pack {path.name} is not a Kokoro voice", kind="model_missing")
    loaded.voices[voice] = pack.to(loaded.model.device)
    return loaded.voices[voice]


def _language(voice: str) -> str:
    lang = voice[:1]
    if lang in _NEEDS_EXTRAS:
        raise GenerationError(f"voice {voice} speaks {_NEEDS_EXTRAS[lang]}, which PromptCut cannot phonemise yet",
                              kind="bad_request")
    if lang not in LANGUAGES:
        raise GenerationError(f"voice {voice} is in no language Kokoro knows (its first letter says which)",
                              kind="bad_request")
    return lang


def _describe(voice: str, spec: AudioJobSpec, parts: int) -> str:
    note = f"spoken by Kokoro voice {voice} at {spec.speed:g}x"
    if spec.pitch:
        note += f", {spec.pitch:+g} semitones"
    return note + (f", in {parts} parts" if parts > 1 else "")


def run(loaded: LoadedKokoro, info: AudioModelInfo, spec: AudioJobSpec, *, progress: Callable[[float], None],
        cancel: threading.Event | None = None) -> AudioResult:

    voice = spec.voice or info.default_voice
    lang = _language(voice)
    with loaded.lock:
        pack = voice_pack(loaded, info, voice)
        chunks = text_chunks(loaded, spec.prompt, lang)
        if not chunks:
            raise GenerationError("there is nothing to say: the text is only punctuation or spaces", kind="bad_request",
                                  hint="Give the voice words to say.")
        spoken: list[np.ndarray] = []
        for i, ps in enumerate(chunks):
            progress(0.05 + 0.85 * i / len(chunks))  # raises Cancelled between calls
            style = pack[min(len(ps), len(pack)) - 1]
            with seeded_global_rng((spec.seed + i) % 2**63):  # the vocoder's random phases, seeded per call
                audio = loaded.model(ps, style, spec.speed)
            spoken.append(as_samples(audio)[:, 0])
    progress(0.9)
    samples = voice_effects.trim_silence(np.concatenate(spoken), SAMPLE_RATE, edge_s=_EDGE_S)
    if samples.size == 0:
        raise GenerationError("Kokoro made no sound for this text", kind="pipeline")
    if abs(spec.pitch) > 0.05:
        samples = voice_effects.pitch_shift(samples, spec.pitch, SAMPLE_RATE)
    notes = [_describe(voice, spec, len(chunks))]
    if loaded.g2p_notes.get(lang):
        notes.append(loaded.g2p_notes[lang])
    language = next((v.language for v in info.voices if v.id == voice), LANGUAGES[lang])
    return AudioResult(
        kind="speech", model=info.id, sample_rate=SAMPLE_RATE,
        samples=np.clip(samples, -1.0, 1.0)[:, None].astype(np.float32), notes=notes, language=language,
        device=str(loaded.model.device), pipeline_class="KModel",
    )

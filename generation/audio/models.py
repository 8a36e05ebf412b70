"""The registry of sound models: voices (text to speech), sound generators (text to audio) and transcribers
(speech to text), with their licences, sizes and what each is good for. Plain Python.

Chosen voices, in short (the README says more): **espeak-ng** is the built-in basic voice: formant synthesis,
robotic but clear, in about a hundred languages, needing no download (its library ships in the
``espeakng-loader`` wheel). **Kokoro-82M** is the neural voice: at 82 M parameters (330 MB) it ranked at the top
of the TTS Arena against models ten times its size, runs faster than real time on a CPU, and its weights and
code are Apache-2.0, so creators can use the speech commercially. Piper (now GPL-3) and XTTS (non-commercial
CPML) were passed over on licence; Bark and Dia on size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import GenerationError

AudioKind = Literal["speech", "sound", "transcript"]
AUDIO_KINDS: tuple[str, ...] = ("speech", "sound", "transcript")


class UnknownAudioModel(GenerationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, kind="bad_request")


@dataclass(frozen=True)
class Voice:
    """One voice of a speech model. ``id`` is what the model calls it (``af_heart``, ``en-us+f3``)."""

    id: str
    name: str
    language: str  # BCP 47-ish: "en-US", "en-GB", "de"
    gender: str = ""  # "female", "male" or ""


@dataclass(frozen=True)
class AudioModelInfo:
    """A sound model's facts.

    ``library``: which code runs it (``espeak-ng``, ``kokoro``, ``diffusers``, ``transformers``).
    ``pipeline_class``: the class that loads it (``KModel``, ``StableAudioPipeline``, ``AudioLDM2Pipeline``,
    ``WhisperForConditionalGeneration``). ``builtin``: needs no download. ``marker``: a file whose presence
    says a local folder holds the model. ``max_seconds``: the longest sound it makes in one call (sound kinds).
    """

    id: str
    kind: AudioKind
    name: str
    library: str
    pipeline_class: str
    repo: str | None = None
    revision: str | None = None
    sample_rate: int = 24000
    channels: int = 1
    size_gb: float = 0.0
    license: str = ""
    license_restricted: bool = False
    license_url: str = ""
    license_terms: str = ""   # the restrictions in a line, for the question before downloading
    builtin: bool = False
    is_test_model: bool = False
    marker: str = "config.json"
    voices: tuple[Voice, ...] = ()
    default_voice: str = ""
    default_steps: int = 0
    default_guidance: float = 0.0
    default_negative_prompt: str = ""
    max_seconds: float = 0.0
    languages: tuple[str, ...] = ()
    summary: str = ""

    def voice(self, voice_id: str) -> Voice:
        """The named voice (``""``: the default), or an error naming the ones it has."""
        wanted = voice_id or self.default_voice
        for v in self.voices:
            if v.id == wanted:
                return v
        names = ", ".join(v.id for v in self.voices[:12])
        raise GenerationError(f"{self.name} has no voice {wanted!r}; it has {names}", kind="bad_request")


_ESPEAK_VOICES = (
    Voice("en-us", "English (US)", "en-US", "male"),
    Voice("en-us+f3", "English (US), female", "en-US", "female"),
    Voice("en-gb", "English (UK)", "en-GB", "male"),
    Voice("en-gb+f3", "English (UK), female", "en-GB", "female"),
    Voice("de", "German", "de", "male"),
    Voice("fr-fr", "French", "fr", "male"),
    Voice("es", "Spanish", "es", "male"),
    Voice("it", "Italian", "it", "male"),
    Voice("pt-br", "Portuguese (Brazil)", "pt-BR", "male"),
    Voice("nl", "Dutch", "nl", "male"),
    Voice("pl", "Polish", "pl", "male"),
    Voice("ru", "Russian", "ru", "male"),
    Voice("cmn", "Chinese (Mandarin)", "zh", "male"),
    Voice("ja", "Japanese", "ja", "male"),
    Voice("hi", "Hindi", "hi", "male"),
)

_KOKORO_VOICES = (
    Voice("af_heart", "Heart (US)", "en-US", "female"),
    Voice("af_bella", "Bella (US)", "en-US", "female"),
    Voice("af_nicole", "Nicole (US, soft)", "en-US", "female"),
    Voice("am_michael", "Michael (US)", "en-US", "male"),
    Voice("am_fenrir", "Fenrir (US)", "en-US", "male"),
    Voice("bf_emma", "Emma (UK)", "en-GB", "female"),
    Voice("bm_george", "George (UK)", "en-GB", "male"),
    Voice("bm_fable", "Fable (UK)", "en-GB", "male"),
)

_TINY_KOKORO_VOICES = (
    Voice("af_test", "Test voice A (US)", "en-US", "female"),
    Voice("bm_test", "Test voice B (UK)", "en-GB", "male"),
)

AUDIO_MODELS: tuple[AudioModelInfo, ...] = (
    # -- voices -------------------------------------------------------------------------------------------------
    AudioModelInfo(
        id="espeak-ng", kind="speech", name="Basic voice (espeak-ng)", library="espeak-ng",
        pipeline_class="espeak-ng", sample_rate=22050, license="GPL-3.0 (the espeak-ng library, run unmodified)",
        builtin=True, voices=_ESPEAK_VOICES, default_voice="en-us", marker="",
        summary="Built in, no download: clear but robotic; for drafts and languages the neural voices lack.",
    ),
    AudioModelInfo(
        id="kokoro-82m", kind="speech", name="Kokoro 82M", library="kokoro", pipeline_class="KModel",
        repo="hexgrad/Kokoro-82M", sample_rate=24000, size_gb=0.33, license="Apache-2.0",
        license_url="https://huggingface.co/hexgrad/Kokoro-82M", voices=_KOKORO_VOICES, default_voice="af_heart",
        languages=("en-US", "en-GB"),
        summary="Natural neural voice, faster than real time on a CPU; English (US and UK).",
    ),
    AudioModelInfo(
        id="tiny-kokoro", kind="speech", name="Tiny Kokoro (test)", library="kokoro", pipeline_class="KModel",
        sample_rate=24000, license="Apache-2.0", is_test_model=True, voices=_TINY_KOKORO_VOICES,
        default_voice="af_test", languages=("en-US", "en-GB"),
        summary="Random weights in Kokoro's own classes, built offline: for tests; it babbles.",
    ),
    # -- sound effects and music --------------------------------------------------------------------------------
    AudioModelInfo(
        id="stable-audio-open-1.0", kind="sound", name="Stable Audio Open 1.0", library="diffusers",
        pipeline_class="StableAudioPipeline", repo="stabilityai/stable-audio-open-1.0", sample_rate=44100,
        channels=2, size_gb=4.9, license="Stability AI Community License", license_restricted=True,
        license_url="https://huggingface.co/stabilityai/stable-audio-open-1.0/blob/main/LICENSE.md",
        license_terms="free for individuals and organisations under USD 1M yearly revenue; above that an "
        "enterprise licence from Stability AI; accept the terms on Hugging Face before downloading",
        default_steps=100, default_guidance=7.0, default_negative_prompt="low quality, noise", max_seconds=47.0,
        marker="model_index.json",
        summary="Sound effects, ambience and short music up to 47 s, stereo 44.1 kHz.",
    ),
    AudioModelInfo(
        id="audioldm2", kind="sound", name="AudioLDM 2", library="diffusers", pipeline_class="AudioLDM2Pipeline",
        repo="cvssp/audioldm2", sample_rate=16000, size_gb=2.9, license="CC-BY-NC-SA-4.0",
        license_restricted=True, license_url="https://huggingface.co/cvssp/audioldm2",
        license_terms="non-commercial use only, credit the authors, share alike", default_steps=200,
        default_guidance=3.5, default_negative_prompt="low quality", max_seconds=30.0, marker="model_index.json",
        summary="Sound effects and ambience, mono 16 kHz; non-commercial licence.",
    ),
    AudioModelInfo(
        id="tiny-stable-audio", kind="sound", name="Tiny Stable Audio (test)", library="diffusers",
        pipeline_class="StableAudioPipeline", sample_rate=44100, channels=2, license="test weights",
        is_test_model=True, default_steps=4, default_guidance=7.0, max_seconds=47.0, marker="model_index.json",
        summary="Random weights in the real StableAudioPipeline classes, built offline: for tests.",
    ),
    AudioModelInfo(
        id="tiny-audioldm2", kind="sound", name="Tiny AudioLDM 2 (test)", library="diffusers",
        pipeline_class="AudioLDM2Pipeline", sample_rate=16000, license="test weights", is_test_model=True,
        default_steps=4, default_guidance=3.5, default_negative_prompt="low quality", max_seconds=30.0,
        marker="model_index.json",
        summary="Random weights in the real AudioLDM2Pipeline classes, built offline: for tests.",
    ),
    # -- transcription ------------------------------------------------------------------------------------------
    AudioModelInfo(
        id="whisper-large-v3-turbo", kind="transcript", name="Whisper large-v3 turbo", library="transformers",
        pipeline_class="WhisperForConditionalGeneration", repo="openai/whisper-large-v3-turbo", sample_rate=16000,
        size_gb=1.6, license="MIT", summary="Best captions: 99 languages, word timings; wants a GPU for speed.",
    ),
    AudioModelInfo(
        id="whisper-small", kind="transcript", name="Whisper small", library="transformers",
        pipeline_class="WhisperForConditionalGeneration", repo="openai/whisper-small", sample_rate=16000,
        size_gb=0.97, license="MIT", summary="Good captions on a CPU.",
    ),
    AudioModelInfo(
        id="whisper-base", kind="transcript", name="Whisper base", library="transformers",
        pipeline_class="WhisperForConditionalGeneration", repo="openai/whisper-base", sample_rate=16000,
        size_gb=0.29, license="MIT", summary="Fast, rougher captions.",
    ),
    AudioModelInfo(
        id="tiny-whisper", kind="transcript", name="Tiny Whisper (test)", library="transformers",
        pipeline_class="WhisperForConditionalGeneration", sample_rate=16000, license="test weights",
        is_test_model=True, summary="Random weights in the real Whisper classes, built offline: for tests.",
    ),
)

_BY_ID = {m.id: m for m in AUDIO_MODELS}

DEFAULT_VOICE_MODEL = "espeak-ng"
DEFAULT_TRANSCRIBER = "whisper-small"
DEFAULT_SOUND_MODEL = "stable-audio-open-1.0"


def get_audio_model(model: AudioModelInfo | str) -> AudioModelInfo:
    if isinstance(model, AudioModelInfo):
        return model
    found = _BY_ID.get(model)
    if found is None:
        known = ", ".join(m.id for m in AUDIO_MODELS if not m.is_test_model)
        raise UnknownAudioModel(f"unknown sound model {model!r}; known: {known}")
    return found


def audio_models(kind: str | None = None, *, include_test: bool = False) -> list[AudioModelInfo]:
    return [m for m in AUDIO_MODELS if (kind is None or m.kind == kind) and (include_test or not m.is_test_model)]


def is_audio_model(model_id: str) -> bool:
    return model_id in _BY_ID


def split_voice(voice: str) -> tuple[AudioModelInfo, Voice]:
    """``"<model>:<voice>"`` (or just ``"<model>"`` for its default voice; ``""`` for the basic voice)."""
    model_id, _, voice_id = (voice or DEFAULT_VOICE_MODEL).partition(":")
    info = get_audio_model(model_id)
    if info.kind != "speech":
        raise GenerationError(f"{info.name} is not a voice model", kind="bad_request")
    return info, info.voice(voice_id)

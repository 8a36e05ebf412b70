"""The built-in basic voice: espeak-ng's formant synthesiser, bound with ctypes from the ``espeakng-loader``
wheel (its ``libespeak-ng`` and ``espeak-ng-data``), so it needs no download and no system package.

The library keeps global state (voice, rate, pitch, the callback), so every use holds one process-wide lock.
It also keeps state that nothing resets, not even ``espeak_Terminate``: the pitch flutter's phase and the wave
generator's statics carry from one utterance into the next, so the same words came out a few samples different
each time. So each job loads the library afresh (copy, dlopen, initialise, speak, terminate, dlclose: about 8 ms
a line, measured by bench/audio_speed.py against the library kept loaded) and seeds espeak's noise
generator: the same job gives the same samples, as every engine here does. The file loaded is a private
copy under a new name each time: dlclose only unloads a library nobody else holds, and phonemizer (Kokoro's
G2P) holds the wheel's own file loaded for good.

Speed maps to espeak's words per minute (175 wpm is 1.0x); pitch in semitones maps to espeak's 0..100 pitch
(50 the voice's own), whose steps we measured: 100 speaks about 8.4 semitones higher, 0 about 6 lower (the
median pitch of a sentence, en-us and en-us+f3). Native pitch keeps the voice's formants, so it is used as far
as it goes; what espeak cannot reach (below 80 or above 450 wpm, beyond that pitch range) is finished by
:mod:`voice_effects`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import GenerationError
from . import voice_effects
from .job_spec import AudioJobSpec
from .models import AudioModelInfo
from .result import AudioResult

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 0x02
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EE_OK = 0
_RATE, _PITCH = 1, 3
_RATE_MIN, _RATE_MAX = 80, 450

NORMAL_WPM = 175  # espeak-ng's default rate: speed 1.0
_STEPS_UP = 50 / 8.4  # espeak pitch steps per semitone above 50, measured (see above)
_STEPS_DOWN = 50 / 6.0  # and below 50
_EDGE_S = 0.05  # silence kept before the first and after the last sound
_CHUNK_CHARS = 400  # sentences are spoken in chunks about this long, with progress between them


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_void_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_LOCK = threading.Lock()
_VOICES_BY_LANGUAGE: dict[str, str] | None = None  # the data folder's voices, listed once per process


class _Espeak:
    """A freshly initialised library and the buffer its callback fills (used only while ``_LOCK`` is held)."""

    def __init__(self, lib: ctypes.CDLL, sample_rate: int) -> None:
        self.lib = lib
        self.sample_rate = sample_rate
        self.chunks: list[bytes] = []
        self.abort: Callable[[], bool] = lambda: False
        self._callback = _SynthCallback(self._collect)  # kept referenced: the library holds only a pointer
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self.chunks.append(ctypes.string_at(wav, count * 2))
        return 1 if self.abort() else 0  # non-zero stops the synthesis: how a cancel reaches inside a chunk

    def voices_by_language(self) -> dict[str, str]:
        """Language code (``en-gb``) to the identifier of the voice file that speaks it best (``gmw/en``)."""
        global _VOICES_BY_LANGUAGE
        if _VOICES_BY_LANGUAGE is None:
            best: dict[str, tuple[int, str]] = {}
            listed = self.lib.espeak_ListVoices(None)
            i = 0
            while listed[i]:
                voice = listed[i].contents
                at = voice.languages
                # ``languages``: (priority byte, NUL-terminated code) pairs, ended by a zero priority.
                while at and (priority := ctypes.c_ubyte.from_address(at).value):
                    code = ctypes.string_at(at + 1).decode("ascii", "replace").lower()
                    if code not in best or priority < best[code][0]:
                        best[code] = (priority, voice.identifier.decode("utf-8", "replace"))
                    at += 2 + len(code)
                i += 1
            _VOICES_BY_LANGUAGE = {code: ident for code, (_, ident) in best.items()}
        return _VOICES_BY_LANGUAGE

    def set_voice(self, voice: str) -> bool:
        """Choose ``voice``: a voice file or name (``en-us``, ``de``), or a language code espeak's files list
        (``en-gb``, ``fr-fr``), each optionally with a variant (``+f3``)."""
        if self.lib.espeak_SetVoiceByName(voice.encode("utf-8")) == _EE_OK:
            return True
        base, plus, variant = voice.partition("+")
        identifier = self.voices_by_language().get(base.lower())
        return identifier is not None and self.lib.espeak_SetVoiceByName(
            f"{identifier}{plus}{variant}".encode()) == _EE_OK

    def seed(self, seed: int) -> None:
        """espeak draws noise (breath, fricatives) from its own generator: seeded, a job says it one way."""
        if hasattr(self.lib, "espeak_ng_SetRandSeed"):
            self.lib.espeak_ng_SetRandSeed(seed % 2**31)

    def speak(self, text: str, abort: Callable[[], bool]) -> np.ndarray:
        self.chunks = []
        self.abort = abort
        data = text.encode("utf-8") + b"\0"
        try:
            err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
        finally:
            self.abort = lambda: False
        if err != _EE_OK and not abort():
            raise GenerationError(f"the basic voice could not speak (espeak-ng error {err})", kind="pipeline")
        pcm = np.frombuffer(b"".join(self.chunks), dtype="<i2")
        self.chunks = []
        return pcm.astype(np.float32) / 32768.0


def _bind(lib: ctypes.CDLL) -> None:
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_Terminate.argtypes = []
    lib.espeak_Terminate.restype = ctypes.c_int
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    if hasattr(lib, "espeak_ng_SetRandSeed"):  # espeak-ng >= 1.51
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None


def _missing(why: str) -> GenerationError:
    return GenerationError(f"the basic voice (espeak-ng) is not available: {why}", kind="model_missing",
                           hint="Install it with `pip install espeakng-loader`.")


def _private_copy(original: str) -> str:
    """A copy of the library file under a new name (the original if copying fails). On POSIX the name is gone
    as soon as the copy is loaded, so a killed worker leaves no file behind."""
    try:
        fd, path = tempfile.mkstemp(prefix="promptcut-espeak-", suffix=os.path.splitext(original)[1])
        os.close(fd)
        shutil.copyfile(original, path)
    except OSError:
        return original
    return path


def _forget(path: str, original: str) -> None:
    if path != original:
        with contextlib.suppress(OSError):  # Windows keeps a loaded DLL's file: it goes after the unload
            os.unlink(path)


def _unload(lib: ctypes.CDLL) -> None:
    import _ctypes

    close = getattr(_ctypes, "dlclose", None) or getattr(_ctypes, "FreeLibrary", None)
    if close is not None:
        close(lib._handle)


@contextlib.contextmanager
def _fresh_library() -> Iterator[_Espeak]:
    """espeak-ng loaded and initialised for one job, unloaded after it (call with ``_LOCK`` held)."""
    try:
        import espeakng_loader
    except ImportError:
        raise _missing("the espeakng-loader package is not installed") from None
    try:
        data = espeakng_loader.get_data_path()
        original = espeakng_loader.get_library_path()
        path = _private_copy(original)
        try:
            lib = ctypes.CDLL(path)
        finally:
            _forget(path, original)
    except (OSError, RuntimeError) as exc:
        raise _missing(" ".join(str(exc).split())) from None
    try:
        _bind(lib)
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 500, data.encode(), _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise _missing(f"espeak-ng did not start (its data folder {data} may be damaged)")
        engine = _Espeak(lib, rate)
        try:
            yield engine
        finally:
            lib.espeak_Terminate()
            del engine
    finally:
        _unload(lib)
        _forget(path, original)


@dataclass
class LoadedEspeak:
    sample_rate: int


def load(info: AudioModelInfo, local: Any, device: str) -> LoadedEspeak:
    """Check the library starts (a missing one fails here, before any job); the basic voice runs on the CPU
    whatever ``device`` says."""
    with _LOCK, _fresh_library() as engine:
        return LoadedEspeak(engine.sample_rate)


def sentences(text: str) -> list[str]:
    """``text`` split after sentence ends (and at line breaks), empty pieces dropped."""
    parts = re.split(r"(?<=[.!?…])\s+|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def chunks(text: str, limit: int = _CHUNK_CHARS) -> list[str]:
    """Whole sentences gathered into pieces of at most ``limit`` characters (a longer sentence stays whole)."""
    out: list[str] = []
    for sentence in sentences(text):
        if out and len(out[-1]) + 1 + len(sentence) <= limit:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
    return out


def espeak_settings(speed: float, pitch: float) -> tuple[int, int, float, float]:
    """(words per minute, espeak pitch 0..100, speed and semitones left for :mod:`voice_effects`)."""
    wpm = int(round(min(max(NORMAL_WPM * speed, _RATE_MIN), _RATE_MAX)))
    per = _STEPS_UP if pitch > 0 else _STEPS_DOWN
    steps = int(round(min(max(50 + pitch * per, 0), 100)))
    return wpm, steps, speed * NORMAL_WPM / wpm, pitch - (steps - 50) / per


def _describe(voice: str, speed: float, pitch: float) -> str:
    note = f"spoken by the basic voice {voice} at {speed:g}x"
    return note + (f", {pitch:+g} semitones" if pitch else "")


def run(loaded: LoadedEspeak, info: AudioModelInfo, spec: AudioJobSpec, *, progress: Callable[[float], None],
        cancel: threading.Event | None = None) -> AudioResult:
    voice = spec.voice or info.default_voice
    pieces = chunks(spec.prompt)
    if not pieces:
        raise GenerationError("there is nothing to say", kind="bad_request")
    wpm, steps, speed_left, pitch_left = espeak_settings(spec.speed, spec.pitch)

    def abort() -> bool:
        return cancel is not None and cancel.is_set()

    spoken: list[np.ndarray] = []
    with _LOCK, _fresh_library() as engine:
        if not engine.set_voice(voice):
            known = ", ".join(v.id for v in info.voices[:8])
            raise GenerationError(f"the basic voice has no voice {voice!r}", kind="bad_request",
                                  hint=f"Try one of {known}.")
        # After the voice: choosing a voice puts its own rate and pitch back.
        engine.lib.espeak_SetParameter(_RATE, wpm, 0)
        engine.lib.espeak_SetParameter(_PITCH, steps, 0)
        for i, piece in enumerate(pieces):
            progress(0.05 + 0.85 * i / len(pieces))  # raises Cancelled between pieces
            engine.seed(spec.seed + i)
            spoken.append(engine.speak(piece, abort))
        rate = engine.sample_rate
    progress(0.9)
    samples = voice_effects.trim_silence(np.concatenate(spoken), rate, edge_s=_EDGE_S)
    if samples.size == 0:
        raise GenerationError("the basic voice made no sound for this text", kind="bad_request",
                              hint="Give it words to say.")
    if abs(speed_left - 1.0) > 0.01:
        samples = voice_effects.time_stretch(samples, speed_left, rate)
    if abs(pitch_left) > 0.05:
        samples = voice_effects.pitch_shift(samples, pitch_left, rate)
    return AudioResult(
        kind="speech", model=info.id, sample_rate=rate, samples=np.clip(samples, -1, 1)[:, None].astype(np.float32),
        notes=[_describe(voice, spec.speed, spec.pitch)], device="cpu", pipeline_class="espeak-ng",
        language=next((v.language for v in info.voices if v.id == voice), ""),
    )

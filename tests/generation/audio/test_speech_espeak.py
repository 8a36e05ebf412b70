"""The built-in basic voice: the real espeak-ng library from the espeakng-loader wheel, through the audio
backend (no model files, no download)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from generation.audio import speech_espeak, voice_effects
from generation.audio.backend import AudioBackend
from generation.audio.job_spec import AudioJobSpec
from generation.audio.models import get_audio_model
from generation.errors import Cancelled, GenerationError

LINE = "The harbour wakes up at dawn."
RATE = 22050


def speech(text: str = LINE, **values) -> AudioJobSpec:
    return AudioJobSpec.create("speech", "espeak-ng", text, **values)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def median_pitch(samples: np.ndarray, rate: int) -> float:
    """The median fundamental (Hz) of the voiced 40 ms frames, by autocorrelation."""
    y = samples.reshape(-1)
    n = int(0.04 * rate)
    found = []
    for start in range(0, len(y) - n, n):
        frame = y[start: start + n] - y[start: start + n].mean()
        if rms(frame) < 0.02:
            continue
        ac = np.correlate(frame, frame, "full")[n - 1:]
        lo, hi = int(rate / 500), int(rate / 50)
        found.append(rate / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(found))


def semitones(a: float, b: float) -> float:
    return 12 * np.log2(b / a)


@pytest.fixture(scope="module")
def backend() -> AudioBackend:
    b = AudioBackend(device="cpu")
    yield b
    b.unload()


@pytest.fixture(scope="module")
def harbour(backend):
    return backend.run(speech())


def test_a_sentence_becomes_audible_mono_speech_of_a_plausible_length(harbour):
    assert harbour.kind == "speech" and harbour.model == "espeak-ng" and harbour.pipeline_class == "espeak-ng"
    assert harbour.sample_rate == RATE  # what espeak_Initialize reports
    assert harbour.samples.dtype == np.float32 and harbour.samples.ndim == 2 and harbour.samples.shape[1] == 1
    assert 1.0 < harbour.seconds < 5.0  # six words
    assert rms(harbour.samples) > 0.03 and np.abs(harbour.samples).max() <= 1.0
    assert harbour.notes == ["spoken by the basic voice en-us at 1x"]
    assert harbour.language == "en-US" and harbour.device == "cpu"
    assert harbour.revision and harbour.revision.startswith("espeakng-loader-")


def test_silence_before_and_after_the_words_is_trimmed_to_about_50_ms(harbour):
    loud = np.flatnonzero(np.abs(harbour.samples[:, 0]) > 0.003)
    assert loud[0] / RATE <= 0.06 and (len(harbour.samples) - 1 - loud[-1]) / RATE <= 0.06


def test_the_same_request_says_it_the_same_way(backend, harbour):
    assert np.array_equal(backend.run(speech()).samples, harbour.samples)


def test_faster_speech_is_shorter_and_slower_speech_longer(backend, harbour):
    fast = backend.run(speech(speed=1.5))
    assert 0.5 < fast.seconds / harbour.seconds < 0.8
    assert fast.notes == ["spoken by the basic voice en-us at 1.5x"]
    # Below espeak's slowest rate (80 words a minute) the rest of the slowing is a time stretch.
    slow = backend.run(speech(speed=0.3))
    assert slow.seconds / harbour.seconds > 2.6
    assert rms(slow.samples) > 0.03


def test_another_voice_speaks_differently(backend, harbour):
    female = backend.run(speech(voice="en-us+f3"))
    assert female.samples.shape != harbour.samples.shape or not np.allclose(female.samples, harbour.samples)
    assert semitones(median_pitch(harbour.samples, RATE), median_pitch(female.samples, RATE)) > 6
    assert female.notes == ["spoken by the basic voice en-us+f3 at 1x"]
    german = backend.run(speech("Der Hafen erwacht im Morgengrauen.", voice="de"))
    assert german.language == "de" and 1.0 < german.seconds < 5.0


@pytest.mark.parametrize("shift", [5, -5, 12])
def test_pitch_moves_the_voice_by_about_that_many_semitones_and_keeps_its_length(backend, harbour, shift):
    moved = backend.run(speech(voice="en-us+f3", pitch=shift))
    base = backend.run(speech(voice="en-us+f3"))
    assert abs(semitones(median_pitch(base.samples, RATE), median_pitch(moved.samples, RATE)) - shift) < 1.5
    assert abs(moved.seconds / base.seconds - 1) < 0.05
    assert moved.notes == [f"spoken by the basic voice en-us+f3 at 1x, {shift:+d} semitones"]


def test_a_pitch_shift_after_speaking_moves_real_speech_by_its_semitones(harbour):
    """What finishes a shift beyond espeak's range (and gives Kokoro a pitch): measured on speech."""
    voice = harbour.samples[:, 0]
    moved = voice_effects.pitch_shift(voice, 4, RATE)
    assert len(moved) == len(voice)
    assert semitones(median_pitch(voice, RATE), median_pitch(moved, RATE)) == pytest.approx(4, abs=1.0)


def test_speed_and_pitch_map_to_espeaks_own_settings_first():
    assert speech_espeak.espeak_settings(1.0, 0.0) == (175, 50, 1.0, 0.0)
    wpm, steps, speed_left, pitch_left = speech_espeak.espeak_settings(4.0, 12.0)
    assert wpm == 450 and steps == 100  # espeak's limits...
    assert speed_left == pytest.approx(700 / 450) and pitch_left == pytest.approx(12 - 8.4)  # ...the rest for us


def test_an_unknown_voice_is_a_one_line_error_naming_it(backend):
    bad = AudioJobSpec(kind="speech", model="espeak-ng", prompt=LINE, voice="xx-nowhere")
    with pytest.raises(GenerationError) as err:
        backend.run(bad)
    assert err.value.kind == "bad_request" and "'xx-nowhere'" in err.value.message
    assert "\n" not in str(err.value) and "en-us" in err.value.hint


def test_text_with_nothing_to_say_is_refused(backend):
    with pytest.raises(GenerationError) as err:
        backend.run(speech("... —"))
    assert err.value.kind == "bad_request" and "no sound" in err.value.message


def test_long_text_reports_progress_between_pieces_and_a_cancel_stops_it(backend):
    text = " ".join(f"Sentence number {i} is about the harbour and its boats at dawn." for i in range(30))
    assert len(speech_espeak.chunks(text)) >= 4 and all(len(c) <= 400 for c in speech_espeak.chunks(text))
    seen: list[float] = []
    backend.run(speech(text), progress=seen.append)
    assert seen == sorted(seen) and len(seen) >= 6 and seen[-1] == 1.0

    cancel = threading.Event()

    def stop_midway(fraction: float) -> None:
        if fraction > 0.3:
            cancel.set()

    with pytest.raises(Cancelled):
        backend.run(speech(text), progress=stop_midway, cancel=cancel)
    assert backend.run(speech()).seconds > 1.0  # the library is fine afterwards


def test_two_threads_speaking_at_once_each_get_their_own_words():
    """The library has one global state: the engine's lock keeps two speakers apart."""
    info = get_audio_model("espeak-ng")
    loaded = speech_espeak.load(info, None, "cpu")
    specs = [speech(voice="en-us"), speech("Gulls circle the fishing boats.", voice="en-gb+f3", speed=1.3)]
    alone = [speech_espeak.run(loaded, info, s, progress=lambda f: None).samples for s in specs]
    together: list[np.ndarray | None] = [None, None]

    def speak(i: int) -> None:
        for _ in range(3):
            together[i] = speech_espeak.run(loaded, info, specs[i], progress=lambda f: None).samples

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(a, b) for a, b in zip(alone, together, strict=True))

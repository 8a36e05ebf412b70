"""The neural voice: Kokoro's real KModel with tiny random weights (built offline into the session's models
folder), phonemes from espeak-ng through misaki, run by the engine and through the audio backend."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from generation.audio import speech_kokoro
from generation.audio.backend import AudioBackend
from generation.audio.job_spec import AudioJobSpec
from generation.audio.locate import require_audio_model
from generation.audio.models import get_audio_model
from generation.audio.testing.tiny_kokoro import CONTEXT, kokoro_vocab
from generation.errors import Cancelled, GenerationError
from generation.locate import LocalModel

MODEL = "tiny-kokoro"
LINE = "The harbour wakes up at dawn."
LONG = " ".join(["The harbour wakes up at dawn, and the fishing boats go out to sea one by one."] * 4)
INFO = get_audio_model(MODEL)


def speech(text: str = LINE, **values) -> AudioJobSpec:
    return AudioJobSpec.create("speech", MODEL, text, **values)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


@pytest.fixture(scope="module")
def models(hermetic_env) -> str:
    return hermetic_env["PROMPTCUT_MODELS"]


@pytest.fixture(scope="module")
def loaded(models):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the tiny model's speed then does not depend on what else runs
    yield speech_kokoro.load(INFO, require_audio_model(INFO, models_root=models), "cpu")
    torch.set_num_threads(threads)


def say(loaded, spec: AudioJobSpec, **kw):
    return speech_kokoro.run(loaded, INFO, spec, progress=kw.pop("progress", lambda f: None), **kw)


@pytest.fixture(scope="module")
def harbour(loaded):
    return say(loaded, speech())


def test_the_test_model_is_small_and_in_kokoros_layout(models, loaded):
    folder = Path(models) / MODEL
    assert {p.name for p in folder.iterdir()} >= {"config.json", "kokoro-v1_0.pth", "voices"}
    assert sorted(p.name for p in (folder / "voices").iterdir()) == ["af_test.pt", "bm_test.pt"]
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) < 5_000_000
    assert type(loaded.model).__name__ == "KModel" and loaded.model.vocab == kokoro_vocab()
    assert loaded.max_phonemes == CONTEXT - 2


def test_a_sentence_is_spoken_at_24k_mono_for_a_plausible_time(harbour):
    assert harbour.kind == "speech" and harbour.model == MODEL and harbour.pipeline_class == "KModel"
    assert harbour.sample_rate == 24000 and harbour.samples.dtype == np.float32 and harbour.samples.shape[1] == 1
    assert 0.8 < harbour.seconds < 5.0
    assert rms(harbour.samples) > 0.02 and np.abs(harbour.samples).max() <= 1.0
    assert harbour.notes[0] == "spoken by Kokoro voice af_test at 1x"
    assert harbour.language == "en-US" and harbour.device == "cpu"


def test_the_same_job_gives_the_same_samples_and_another_seed_other_ones(loaded, harbour):
    assert np.array_equal(say(loaded, speech()).samples, harbour.samples)
    other = say(loaded, speech(seed=5))
    assert other.samples.shape == harbour.samples.shape  # the words take as long...
    assert not np.allclose(other.samples, harbour.samples)  # ...but the vocoder's phases differ


def test_a_faster_voice_is_shorter(loaded, harbour):
    fast = say(loaded, speech(speed=2.0))
    assert 0.35 < fast.seconds / harbour.seconds < 0.65
    assert fast.notes[0] == "spoken by Kokoro voice af_test at 2x"


def test_another_voice_pack_speaks_differently_and_in_its_language(loaded, harbour):
    british = say(loaded, speech(voice="bm_test"))
    assert british.language == "en-GB"
    assert british.samples.shape != harbour.samples.shape or not np.allclose(british.samples, harbour.samples)


def test_pitch_changes_the_sound_but_not_its_length(loaded, harbour):
    higher = say(loaded, speech(pitch=4))
    assert abs(len(higher.samples) - len(harbour.samples)) <= 0.02 * len(harbour.samples)
    assert not np.allclose(higher.samples[: len(harbour.samples)], harbour.samples[: len(higher.samples)])
    assert higher.notes[0] == "spoken by Kokoro voice af_test at 1x, +4 semitones"


def test_words_become_kokoros_phonemes_in_us_or_uk_english(loaded):
    us = speech_kokoro.text_chunks(loaded, LINE, "a")
    uk = speech_kokoro.text_chunks(loaded, LINE, "b")
    assert len(us) == 1 and len(uk) == 1
    assert set(us[0]) <= set(kokoro_vocab()) and "ˈ" in us[0] and us[0].endswith(".")
    assert "ɑɹ" in us[0] and "ɑː" in uk[0]  # harbour: rhotic in the US, long and r-less in the UK


def test_long_text_is_spoken_in_parts_that_fit_the_models_context(loaded, harbour):
    parts = speech_kokoro.text_chunks(loaded, LONG, "a")
    assert len(parts) >= 2 and all(len(p) <= loaded.max_phonemes for p in parts)
    seen: list[float] = []
    long = say(loaded, speech(LONG), progress=seen.append)
    assert long.notes[0] == f"spoken by Kokoro voice af_test at 1x, in {len(parts)} parts"
    assert seen == sorted(seen) and len(seen) >= len(parts)
    assert long.seconds > 4 * harbour.seconds


def test_phonemes_are_packed_by_sentence_and_a_long_sentence_cut_at_a_comma():
    assert speech_kokoro.phoneme_chunks(["ab.", "cd.", "ef."], 7) == ["ab. cd.", "ef."]
    cut = speech_kokoro.phoneme_chunks(["aaaa bbbb, cccc dddd eeee."], 16)
    assert cut == ["aaaa bbbb,", "cccc dddd eeee."]
    assert all(len(p) <= 5 for p in speech_kokoro.phoneme_chunks(["abcdefghijkl"], 5))


def test_a_cancel_stops_between_parts(loaded):
    cancel = threading.Event()

    def stop(fraction: float) -> None:
        if fraction > 0.05:
            cancel.set()
            raise Cancelled("cancelled")  # as the backend's progress does once cancel is set

    with pytest.raises(Cancelled):
        say(loaded, speech(LONG), progress=stop, cancel=cancel)


def test_unknown_and_unsupported_voices_are_one_line_errors(loaded):
    with pytest.raises(GenerationError) as err:
        say(loaded, AudioJobSpec(kind="speech", model=MODEL, prompt=LINE, voice="af_nobody"))
    assert err.value.kind == "bad_request" and "'af_nobody'" in err.value.message
    assert "af_test, bm_test" in err.value.hint and "\n" not in str(err.value)
    with pytest.raises(GenerationError) as err:
        say(loaded, AudioJobSpec(kind="speech", model=MODEL, prompt=LINE, voice="../../etc"))
    assert err.value.kind == "bad_request"
    with pytest.raises(GenerationError) as err:
        say(loaded, AudioJobSpec(kind="speech", model=MODEL, prompt=LINE, voice="jf_test"))
    assert "Japanese" in err.value.message


def test_a_folder_without_weights_says_the_model_is_missing(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(GenerationError) as err:
        speech_kokoro.load(INFO, LocalModel(MODEL, tmp_path, "folder", None), "cpu")
    assert err.value.kind == "model_missing" and ".pth" in err.value.message


def test_the_backend_finds_builds_and_runs_the_test_voice(models, harbour):
    backend = AudioBackend(device="cpu", models_root=models)
    try:
        result = backend.run(speech())
    finally:
        backend.unload()
    assert np.array_equal(result.samples, harbour.samples)
    assert result.revision.startswith("tiny-kokoro-recipe-") and "load_s" in result.timings

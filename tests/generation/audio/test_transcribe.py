"""Transcripts: transformers' real Whisper classes with tiny random weights (built offline into the session's
models folder) transcribe real sound decoded by ffmpeg, through the audio backend in this process and through
the worker behind the client. The tiny model's words are arbitrary; their shape is not: stripped, in order,
within the sound. A real Whisper, when one is installed, hears the words espeak says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

from generation.audio import transcribe
from generation.audio.backend import AudioBackend
from generation.audio.job_spec import AudioJobSpec
from generation.audio.result import Word
from generation.errors import Cancelled, GenerationError
from generation.ffmpeg import find_ffmpeg
from generation.paths import models_dir

MODEL = "tiny-whisper"
WORKER_ENV = {"OMP_NUM_THREADS": "1"}

# Where a real Whisper would be: read now, at collection, before the session's hermetic folders replace them.
_REAL_MODELS = str(models_dir())
_REAL_HF_CACHE = os.environ.get("HF_HUB_CACHE") or os.path.join(
    os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface"), "hub")


def ffmpeg(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """Speech-like sound (a voiced tone in syllable bursts with pauses, over a little noise), a long file, a
    video with that sound, a video without sound and a file that is no media at all."""
    d = tmp_path_factory.mktemp("transcribe-media")
    syllables = "0.4*sin(2*PI*(140+40*sin(2*PI*0.5*t))*t)*lt(mod(t,0.8),0.5)*lt(mod(t,4),3)"
    out = {name: d / file for name, file in (("speech", "speech.wav"), ("long", "long.wav"),
                                              ("video", "talk.mp4"), ("silent", "silent.mp4"),
                                              ("text", "notes.wav"))}
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{syllables}':s=22050:d=6", "-f", "lavfi", "-i",
           "anoisesrc=d=6:a=0.02:r=22050", "-filter_complex", "amix=inputs=2:normalize=0", str(out["speech"]))
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc='{syllables}':s=16000:d=65", str(out["long"]))
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=3", "-i", str(out["speech"]), "-t", "3",
           "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out["video"]))
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=2", "-an", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", str(out["silent"]))
    out["text"].write_text("not a sound at all\n")
    return out


@pytest.fixture(scope="module")
def whisper_models(hermetic_env) -> str:
    return hermetic_env["PROMPTCUT_MODELS"]


@pytest.fixture(scope="module")
def backend(whisper_models) -> AudioBackend:
    b = AudioBackend(device="cpu", models_root=whisper_models)
    yield b
    b.unload()


def job(source: Path, **values) -> AudioJobSpec:
    values.setdefault("language", "en")
    return AudioJobSpec.create("transcript", MODEL, source=str(source), **values)


@pytest.fixture(scope="module")
def heard(backend, media):
    return backend.run(job(media["speech"]))


def assert_caption_ready(words: list[Word], seconds: float) -> None:
    """Stripped, non-empty words, in order, not overlapping, within the sound."""
    assert words
    previous_end = 0.0
    for w in words:
        assert w.text and w.text == w.text.strip()
        assert previous_end <= w.start <= w.end <= seconds
        previous_end = w.end


# -- through the backend ----------------------------------------------------------------------------------------------


def test_the_tiny_whisper_turns_a_wav_into_timed_words(heard):
    assert heard.kind == "transcript" and heard.model == MODEL
    assert heard.language == "en"
    assert heard.pipeline_class == "WhisperForConditionalGeneration" and heard.device == "cpu"
    assert_caption_ready(heard.words, 6.0)
    assert heard.text == " ".join(w.text for w in heard.words)
    assert heard.notes[0] == "transcribed 6.0 s of sound by Tiny Whisper (test) on cpu"
    assert heard.revision == "tiny-whisper-recipe-1"


def test_the_tiny_whisper_transcribes_the_basic_voice(backend, tmp_path):
    pytest.importorskip("generation.audio.speech_espeak")
    from generation.audio.writer import write_wav

    voice = AudioBackend(device="cpu").run(AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up at dawn."))
    wav = write_wav(voice.samples, voice.sample_rate, tmp_path / "line.wav")
    result = backend.run(job(wav))
    assert_caption_ready(result.words, round(voice.seconds, 3) + 0.001)


def test_the_same_sound_gives_the_same_words(backend, media, heard, whisper_models):
    assert backend.run(job(media["speech"])).words == heard.words
    cold = AudioBackend(device="cpu", models_root=whisper_models)  # loaded again from its files
    assert cold.run(job(media["speech"])).words == heard.words


def test_any_video_with_sound_can_be_transcribed(backend, media):
    result = backend.run(job(media["video"]))
    assert_caption_ready(result.words, 3.0)


def test_with_no_language_given_whisper_says_which_it_heard(backend, media):
    from transformers.models.whisper.tokenization_whisper import LANGUAGES

    result = backend.run(job(media["speech"], language=""))
    assert result.language in LANGUAGES
    assert f"detected language: {result.language}" in result.notes


def test_languages_are_taken_by_code_tag_or_name_and_unknown_ones_refused(backend, media):
    assert backend.run(job(media["speech"], language="de-DE")).language == "de"
    assert backend.run(job(media["speech"], language="German")).language == "de"
    with pytest.raises(GenerationError) as err:
        backend.run(job(media["speech"], language="klingon"))
    assert err.value.kind == "bad_request" and "klingon" in err.value.message and "\n" not in str(err.value)


def test_a_long_file_goes_window_by_window_with_progress_after_each(backend, media):
    seen: list[float] = []
    result = backend.run(job(media["long"]), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
    windows = [f for f in seen if 0.12 < f < 0.95]
    assert len(windows) >= 2   # 65 s: three windows, a report as each begins
    assert_caption_ready(result.words, 65.0)
    assert result.timings["audio_s"] == 65.0


def test_a_cancel_between_windows_stops_the_transcript(backend, media):
    cancel = threading.Event()
    reached: list[float] = []

    def on_progress(fraction: float) -> None:
        reached.append(fraction)
        if fraction >= 0.12:  # the windows have begun
            cancel.set()

    with pytest.raises(Cancelled):
        backend.run(job(media["long"]), progress=on_progress, cancel=cancel)
    assert max(reached) < 0.95


@pytest.mark.parametrize(("name", "said"), [("silent", "it has no sound"), ("text", "cannot be read")])
def test_a_file_without_readable_sound_is_a_one_line_error_naming_it(backend, media, name, said):
    with pytest.raises(GenerationError) as err:
        backend.run(job(media[name]))
    assert err.value.kind == "bad_request"
    assert media[name].name in err.value.message and said in err.value.message
    assert "\n" not in str(err.value)


# -- words from Whisper's tokens ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer(backend, heard):
    return backend._loaded["transcript"][1].processor.tokenizer


def test_tokens_become_words_that_keep_their_punctuation(tokenizer):
    line = ' The harbour wakes up at "dawn", quietly.'
    tokens = tokenizer.encode(line, add_special_tokens=False)
    start_ts = tokenizer.convert_tokens_to_ids("<|0.00|>")
    tokens = [start_ts, *tokens, start_ts + 150]          # a segment: <|0.00|> words <|3.00|>
    times = [0.1 * i for i in range(len(tokens))]
    words = transcribe.words_from_tokens(tokenizer, tokens, times, end=3.0)
    assert [w.text for w in words] == ["The", "harbour", "wakes", "up", "at", '"dawn",', "quietly."]
    assert words[0].start == pytest.approx(0.1)                    # its first token's start
    assert all(a.end == pytest.approx(b.start) for a, b in zip(words, words[1:], strict=False))
    assert words[-1].end == pytest.approx(times[-1])               # where the closing timestamp token starts


def test_words_are_tidied_for_captions():
    raw = [Word(" Hello", -0.2, 0.5), Word("  ", 0.5, 0.6), Word("world,", 0.4, 0.9), Word("\ufffd", 1.0, 1.1),
           Word("again", 1.2, 1.1), Word("late", 2.5, 9.0), Word("ghost", 3.2, 3.5)]
    assert transcribe.tidy(raw, 3.0) == [Word("Hello", 0.0, 0.5), Word("world,", 0.5, 0.9),
                                         Word("again", 1.2, 1.2), Word("late", 2.5, 3.0)]


# -- through the worker ------------------------------------------------------------------------------------------------


def test_the_client_writes_the_transcript_and_its_sidecar(whisper_models, media, heard, tmp_path):
    from generation.audio.writer import read_transcript
    from generation.client import GeneratorClient
    from generation.jobs import JobState

    spec = job(media["speech"])
    bad = job(media["silent"])
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=whisper_models,
                         env=WORKER_ENV) as client:
        done = client.wait(client.submit(spec).id, timeout=300)
        failed = client.wait(client.submit(bad).id, timeout=300)
    assert done.state is JobState.DONE, done.message
    assert Path(done.output).name == f"{spec.content_hash()}.transcript"
    assert done.result["mode"] == "transcript" and done.result["language"] == "en"
    doc = read_transcript(done.output)
    assert doc["language"] == "en" and doc["text"] == heard.text
    assert doc["words"] == [w.to_dict() for w in heard.words]     # the worker heard what this process heard
    sidecar = json.loads(done.sidecar.read_text())
    assert sidecar["kind"] == "transcript" and sidecar["pipeline_class"] == "WhisperForConditionalGeneration"
    assert sidecar["transcript"] == {"file": Path(done.output).name, "language": "en", "words": len(heard.words)}
    assert failed.state is JobState.FAILED
    assert "silent.mp4" in failed.message and "no sound" in failed.message and "\n" not in failed.message
    assert not list((tmp_path / "media").glob(f"{bad.content_hash()}*"))   # nothing half-written


# -- a real Whisper ----------------------------------------------------------------------------------------------------


def _real_whisper() -> str | None:
    from generation.audio.locate import find_audio_model

    for model in ("whisper-base", "whisper-small", "whisper-large-v3-turbo"):
        if find_audio_model(model, models_root=_REAL_MODELS, hf_cache_dir=_REAL_HF_CACHE):
            return model
    return None


def test_a_real_whisper_hears_the_words_espeak_says(tmp_path):
    model = _real_whisper()
    if model is None:
        pytest.skip("no real Whisper (whisper-base, -small or -large-v3-turbo) in the models folder or HF cache")
    pytest.importorskip("generation.audio.speech_espeak")
    from generation.audio.writer import write_wav

    line = "The harbour wakes up at dawn."
    voice = AudioBackend(device="cpu").run(AudioJobSpec.create("speech", "espeak-ng", line))
    wav = write_wav(voice.samples, voice.sample_rate, tmp_path / "line.wav")
    b = AudioBackend(device="auto", models_root=_REAL_MODELS, hf_cache_dir=_REAL_HF_CACHE)
    result = b.run(AudioJobSpec.create("transcript", model, source=str(wav), language=""))
    assert result.language == "en"
    assert_caption_ready(result.words, voice.seconds + 0.01)
    heard = [re.sub(r"[^a-z]", "", w.text.lower()) for w in result.words]
    expected = ["the", "harbour", "wakes", "up", "at", "dawn"]
    assert sum(1 for w in expected if w in heard or (w == "harbour" and "harbor" in heard)) >= 5, heard
    assert result.words[-1].text.endswith(".")

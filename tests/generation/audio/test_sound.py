"""Sound from a prompt: the real StableAudioPipeline with tiny random weights (built offline into the session's
models folder), run through the audio backend in this process and through the worker behind the client."""

from __future__ import annotations

import dataclasses
import json
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from generation.audio.backend import AudioBackend
from generation.audio.job_spec import AudioJobSpec
from generation.audio.models import get_audio_model
from generation.errors import Cancelled, GenerationError

MODEL = "tiny-stable-audio"
RATE = 44100

# One torch thread per worker process: the tiny model's speed then does not depend on what else runs.
WORKER_ENV = {"OMP_NUM_THREADS": "1"}


def sound(prompt: str = "rain on a tin roof", **values) -> AudioJobSpec:
    values.setdefault("seconds", 1.5)
    values.setdefault("seed", 7)
    return AudioJobSpec.create("sound", MODEL, prompt, **values)


@pytest.fixture(scope="module")
def sound_models(hermetic_env) -> str:
    return hermetic_env["PROMPTCUT_MODELS"]


@pytest.fixture(scope="module")
def backend(sound_models) -> AudioBackend:
    b = AudioBackend(device="cpu", models_root=sound_models)
    yield b
    b.unload()


@pytest.fixture(scope="module")
def rain(backend):
    return backend.run(sound())


# -- through the backend ----------------------------------------------------------------------------------------------


def test_a_sound_is_stereo_44k_exactly_as_long_as_asked(rain):
    assert rain.kind == "sound" and rain.model == MODEL
    assert rain.sample_rate == RATE
    assert rain.samples.dtype == np.float32 and rain.samples.shape == (int(1.5 * RATE), 2)
    assert rain.seconds == pytest.approx(1.5)
    assert np.all(np.abs(rain.samples) <= 1.0) and rain.samples.std() > 0.01
    assert not np.allclose(rain.samples[:, 0], rain.samples[:, 1])  # two channels, not mono copied
    assert rain.pipeline_class == "StableAudioPipeline" and rain.device == "cpu"
    assert rain.notes[0] == "Tiny Stable Audio (test), 4 steps, 1.5 s"
    assert rain.revision == "tiny-stable-audio-recipe-1"


@pytest.mark.parametrize("seconds", [0.5, 1.23])
def test_lengths_off_the_models_latent_grid_come_out_exact(backend, seconds):
    result = backend.run(sound(seconds=seconds))
    assert result.samples.shape == (round(seconds * RATE), 2)


def test_one_seed_gives_one_sound_another_seed_or_prompt_another(backend, rain):
    again = backend.run(sound())
    assert np.array_equal(again.samples, rain.samples)
    other_seed = backend.run(sound(seed=8))
    other_prompt = backend.run(sound("a door slams"))
    for other in (other_seed, other_prompt):
        assert other.samples.shape == rain.samples.shape
        assert np.abs(other.samples - rain.samples).max() > 1e-3


def test_the_global_random_state_is_left_as_it_was(backend):
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    backend.run(sound(seed=11))
    assert torch.equal(torch.rand(3), expected)


def test_progress_climbs_and_a_cancel_stops_the_steps(backend):
    seen: list[float] = []
    backend.run(sound(seed=3), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(set(seen)) >= 5  # a report per denoising step

    cancel = threading.Event()
    reached: list[float] = []

    def on_progress(fraction: float) -> None:
        reached.append(fraction)
        if fraction > 0.05:  # the first denoising step is done: cancel mid-way
            cancel.set()

    with pytest.raises(Cancelled):
        backend.run(sound(seed=4, steps=20), progress=on_progress, cancel=cancel)
    assert max(reached) < 0.5


def test_a_sound_longer_than_the_model_makes_is_a_one_line_error(backend):
    too_long = AudioJobSpec(kind="sound", model=MODEL, prompt="rain", seconds=60.0, seed=1, steps=4, guidance=7.0)
    with pytest.raises(GenerationError) as err:
        backend.run(too_long)
    assert err.value.kind == "bad_request"
    assert "at most 47 s" in err.value.message and "\n" not in str(err.value)
    with pytest.raises(GenerationError, match="at most 47 s"):
        AudioJobSpec.create("sound", MODEL, "rain", seconds=60.0)  # refused when the job is made, too


def test_the_limit_is_the_pipelines_own_window_when_the_registry_says_nothing(backend, rain):
    from generation.audio import sound as engine

    info = get_audio_model(MODEL)
    loaded = backend._loaded["sound"][1]
    unlimited = dataclasses.replace(info, max_seconds=0.0)
    assert engine.longest_sound(loaded, unlimited) == pytest.approx(1024 * 2048 / RATE)  # 47.55 s
    assert engine.longest_sound(loaded, info) == 47.0


def test_a_missing_model_folder_says_how_to_get_it(tmp_path):
    from generation.errors import ModelNotInstalled

    b = AudioBackend(device="cpu", models_root=str(tmp_path))
    with pytest.raises(ModelNotInstalled, match="Stable Audio Open 1.0"):
        b.run(AudioJobSpec.create("sound", "stable-audio-open-1.0", "rain", seconds=2.0))


# -- through the worker -----------------------------------------------------------------------------------------------


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return frames.reshape(-1, w.getnchannels()).astype(np.float32) / 32767.0, w.getframerate()


def test_the_client_makes_a_wav_with_its_sidecar_and_a_resubmit_is_a_cache_hit(sound_models, tmp_path, rain):
    from generation.client import GeneratorClient
    from generation.jobs import JobState

    store, media = tmp_path / "jobs.sqlite", tmp_path / "media"
    spec = AudioJobSpec.create("sound", MODEL, "rain on a tin roof", seconds=1.5, seed=7)
    with GeneratorClient(store, media, models_dir=sound_models, env=WORKER_ENV) as client:
        job = client.submit(spec)
        assert job.state is JobState.QUEUED
        done = client.wait(job.id, timeout=300)
        assert done.state is JobState.DONE, done.message
        assert Path(done.output).name == f"{spec.content_hash()}.wav"
        assert done.result["seconds"] == 1.5 and done.result["mode"] == "sound"
        samples, rate = read_wav(done.output)
        assert rate == RATE and samples.shape == (int(1.5 * RATE), 2)
        # The worker's take is this process's take of the same spec (to the WAV's 16-bit steps).
        assert np.abs(samples - rain.samples).max() <= 1.0 / 32767 + 1e-6
        sidecar = json.loads(done.sidecar.read_text())
        assert sidecar["kind"] == "sound" and sidecar["model"] == MODEL
        assert sidecar["audio"] == {"file": Path(done.output).name, "codec": "pcm_s16le", "rate": RATE,
                                    "channels": 2, "seconds": 1.5}
        assert sidecar["job"]["spec"]["prompt"] == "rain on a tin roof"
        assert sidecar["pipeline_class"] == "StableAudioPipeline"

        hit = client.submit(spec)
        assert hit.state is JobState.DONE and hit.id == job.id and hit.output == done.output
        events = [e for e in client.poll() if e.job_id == job.id and e.kind == "done"]
        assert events and events[-1].cached


def test_the_worker_reports_a_too_long_sound_as_a_failed_job(sound_models, tmp_path):
    from generation.client import GeneratorClient
    from generation.jobs import JobState

    too_long = AudioJobSpec(kind="sound", model=MODEL, prompt="rain", seconds=50.0, seed=1, steps=4, guidance=7.0)
    with GeneratorClient(tmp_path / "jobs.sqlite", tmp_path / "media", models_dir=sound_models,
                         env=WORKER_ENV) as client:
        failed = client.wait(client.submit(too_long).id, timeout=300)
    assert failed.state is JobState.FAILED
    assert "at most 47 s" in failed.message and "\n" not in failed.message
    assert not list((tmp_path / "media").glob("*.wav"))  # nothing half-written


# -- AudioLDM 2 -------------------------------------------------------------------------------------------------------

# The registry's entry for the tiny AudioLDM 2 (the same facts as the real one's, at test size).
TINY_AUDIOLDM2 = dataclasses.replace(
    get_audio_model("audioldm2"), id="tiny-audioldm2", name="Tiny AudioLDM 2 (test)", repo=None,
    size_gb=0.0, license="test weights", license_restricted=False, license_url="", is_test_model=True,
    default_steps=4, summary="Random weights in the real AudioLDM2Pipeline classes, built offline: for tests.",
)


@pytest.fixture(scope="module")
def audioldm2(sound_models):
    from generation.audio import sound as engine
    from generation.audio.testing import ensure_tiny_audio_model
    from generation.locate import LocalModel

    folder = ensure_tiny_audio_model("tiny-audioldm2", sound_models)
    return engine, engine.load(TINY_AUDIOLDM2, LocalModel("tiny-audioldm2", folder, "built-in", None), "cpu")


def ldm_sound(prompt: str = "a dog barks in the distance", **values) -> AudioJobSpec:
    values = {"seconds": 1.25, "seed": 2, "steps": 4, "guidance": 3.5, "negative_prompt": "low quality", **values}
    return AudioJobSpec(kind="sound", model="tiny-audioldm2", prompt=prompt, **values)


def test_audioldm2_makes_mono_16k_of_the_asked_length_one_take_per_seed(audioldm2):
    engine, loaded = audioldm2
    seen: list[float] = []
    first = engine.run(loaded, TINY_AUDIOLDM2, ldm_sound(), progress=seen.append)
    assert first.sample_rate == 16000 and first.samples.shape == (20000, 1)
    assert first.samples.std() > 0.01 and first.pipeline_class == "AudioLDM2Pipeline"
    assert seen == sorted(seen) and len(seen) >= 5
    again = engine.run(loaded, TINY_AUDIOLDM2, ldm_sound(), progress=lambda f: None)
    other = engine.run(loaded, TINY_AUDIOLDM2, ldm_sound(seed=3), progress=lambda f: None)
    assert np.array_equal(first.samples, again.samples)
    assert np.abs(first.samples - other.samples).max() > 1e-3


def test_audioldm2_refuses_more_than_30_s(audioldm2):
    engine, loaded = audioldm2
    with pytest.raises(GenerationError, match="at most 30 s") as err:
        engine.run(loaded, TINY_AUDIOLDM2, ldm_sound(seconds=31.0), progress=lambda f: None)
    assert err.value.kind == "bad_request"

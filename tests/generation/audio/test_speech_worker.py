"""Speech through the whole generator: the client queues an AudioJobSpec, the worker process speaks it with
the chosen voice (the built-in espeak-ng, the tiny Kokoro built offline) and writes a WAV with its sidecar;
asking again is a cache hit. Real worker processes, hermetic folders."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from generation.audio.job_spec import AudioJobSpec
from generation.client import GeneratorClient
from generation.jobs import JobState

# One torch thread per worker process: the tiny model's speed then does not depend on what else runs.
WORKER_ENV = {"OMP_NUM_THREADS": "1"}


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return frames.reshape(-1, w.getnchannels()).astype(np.float32) / 32767.0, w.getframerate()


@pytest.fixture(scope="module")
def client(hermetic_env, tmp_path_factory):
    root = tmp_path_factory.mktemp("speech-worker")
    with GeneratorClient(root / "jobs.sqlite", root / "media", models_dir=hermetic_env["PROMPTCUT_MODELS"],
                         env=WORKER_ENV) as c:
        yield c


@pytest.mark.parametrize(("model", "voice", "rate", "note"), [
    ("espeak-ng", "en-gb", 22050, "spoken by the basic voice en-gb at 1.2x"),
    ("tiny-kokoro", "bm_test", 24000, "spoken by Kokoro voice bm_test at 1.2x"),
])
def test_a_line_is_spoken_to_a_wav_with_a_sidecar_and_asking_again_is_a_cache_hit(client, model, voice, rate,
                                                                                   note):
    spec = AudioJobSpec.create("speech", model, "The harbour wakes up at dawn.", voice=voice, speed=1.2)
    job = client.submit(spec)
    assert job.state is JobState.QUEUED
    done = client.wait(job.id, timeout=300)
    assert done.state is JobState.DONE, done.message
    assert Path(done.output).name == f"{spec.content_hash()}.wav"
    samples, got_rate = read_wav(done.output)
    assert got_rate == rate and samples.shape[1] == 1
    assert 0.5 < len(samples) / rate < 5.0 and np.sqrt(np.mean(samples**2)) > 0.02
    assert done.result["mode"] == "speech" and done.result["seconds"] == pytest.approx(len(samples) / rate, abs=1e-3)
    assert done.result["language"] == "en-GB" and note in done.result["notes"]

    sidecar = json.loads(done.sidecar.read_text())
    assert sidecar["kind"] == "speech" and sidecar["model"] == model
    assert sidecar["job"]["spec"]["prompt"] == "The harbour wakes up at dawn."
    assert sidecar["job"]["spec"]["voice"] == voice
    assert sidecar["audio"]["rate"] == rate and sidecar["audio"]["channels"] == 1

    hit = client.submit(spec)
    assert hit.state is JobState.DONE and hit.id == job.id and hit.output == done.output
    events = [e for e in client.poll() if e.job_id == job.id and e.kind == "done"]
    assert events and events[-1].cached


def test_the_same_words_in_a_new_job_come_out_the_same(client):
    """Past the cache (no_cache): the worker speaks it again, sample for sample."""
    spec = AudioJobSpec.create("speech", "espeak-ng", "Gulls circle the fishing boats.", voice="en-us+f3")
    first = client.wait(client.submit(spec).id, timeout=300)
    again = client.wait(client.submit(spec, no_cache=True).id, timeout=300)
    assert first.state is JobState.DONE and again.state is JobState.DONE
    assert np.array_equal(read_wav(first.output)[0], read_wav(again.output)[0])


def test_an_unknown_voice_fails_the_job_with_one_line_and_writes_nothing(client):
    bad = AudioJobSpec(kind="speech", model="espeak-ng", prompt="Hello there.", voice="xx-nowhere")
    failed = client.wait(client.submit(bad).id, timeout=300)
    assert failed.state is JobState.FAILED and failed.error_kind == "bad_request"
    assert "'xx-nowhere'" in failed.message and "\n" not in failed.message
    assert not Path(failed.output).exists()


def test_a_failed_speech_job_logs_its_id_model_and_kind_but_not_its_words(client, hermetic_env):
    """The log goes into problem reports: the text to speak stays in the editor, out of generator.log, and the
    one-line reason the editor shows does not quote it either."""
    words = "Secret lighthouse!... —"
    spec = AudioJobSpec(kind="speech", model="espeak-ng", prompt=words, voice="xx-nowhere")
    failed = client.wait(client.submit(spec).id, timeout=300)
    assert failed.state is JobState.FAILED and failed.error_kind == "bad_request"
    quiet = client.wait(client.submit(AudioJobSpec.create("speech", "espeak-ng", "... —")).id, timeout=300)
    assert quiet.state is JobState.FAILED and "... —" not in quiet.message
    log = (Path(hermetic_env["PROMPTCUT_LOG_DIR"]) / "generator.log").read_text()
    assert f"job {failed.id} (model espeak-ng) failed: bad_request" in log
    assert f"job {quiet.id} (model espeak-ng) failed: bad_request" in log
    assert "lighthouse" not in log.lower() and "... —" not in log

"""An audio job's content hash: every field that changes the sound, the model's revision, and the engine that
turns the text into sound, so a cached take is only served for the same output."""

from __future__ import annotations

import pytest

from generation.audio import locate
from generation.audio.job_spec import AudioJobSpec


@pytest.fixture(autouse=True)
def empty_models(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


def test_what_changes_the_speech_changes_the_hash():
    base = AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.")
    same = AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.")
    assert base.content_hash() == same.content_hash()
    for other in (AudioJobSpec.create("speech", "espeak-ng", "The harbour sleeps."),
                  AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.", voice="en-gb"),
                  AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.", speed=1.25),
                  AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.", pitch=-2)):
        assert other.content_hash() != base.content_hash()


def test_a_new_engine_version_is_a_new_take(monkeypatch):
    spec = AudioJobSpec.create("speech", "espeak-ng", "The harbour wakes up.")
    before = spec.content_hash()
    monkeypatch.setitem(locate.ENGINE_VERSIONS, "espeak-ng", locate.ENGINE_VERSIONS["espeak-ng"] + 1)
    assert spec.content_hash() != before


def test_kokoro_hashes_how_text_becomes_phonemes_and_the_snapshot_it_found(empty_models):
    spec = AudioJobSpec.create("speech", "kokoro-82m", "The harbour wakes up.")
    doc = spec.hash_document()
    assert doc["engine"] == "kokoro" and doc["g2p"] in ("misaki-en", "espeak")
    assert doc["model_revision"] is None   # not installed here
    snapshot = empty_models / "hf" / "models--hexgrad--Kokoro-82M" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (empty_models / "hf" / "models--hexgrad--Kokoro-82M" / "refs").mkdir()
    (empty_models / "hf" / "models--hexgrad--Kokoro-82M" / "refs" / "main").write_text("abc123")
    assert spec.hash_document()["model_revision"] == "abc123"

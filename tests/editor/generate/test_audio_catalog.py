"""The sound models the window offers: voices installed first, defaults that say what to download."""

from __future__ import annotations

import pytest

from editor.generate.audio_catalog import (
    default_transcriber,
    download_audio_model,
    first_installed,
    voice_choices,
)
from editor.generate.catalog import ModelError


@pytest.fixture
def empty_models(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "models"


def test_the_basic_voice_is_offered_first_and_neural_voices_say_they_need_a_download(empty_models):
    choices = voice_choices()
    assert choices[0].key == "espeak-ng:en-us" and choices[0].installed
    kokoro = [c for c in choices if c.model.id == "kokoro-82m"]
    assert kokoro and not any(c.installed for c in kokoro)
    assert all(c.label.endswith("(download)") for c in kokoro)
    assert not any(c.model.is_test_model for c in choices)


def test_with_no_whisper_installed_the_transcriber_says_what_to_download(empty_models):
    assert first_installed(("whisper-small", "whisper-base")) is None
    with pytest.raises(ModelError, match="promptcut models download whisper-small"):
        default_transcriber()


def test_a_model_folder_with_its_marker_counts_as_installed(empty_models):
    folder = empty_models / "whisper-base"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    assert first_installed(("whisper-small", "whisper-base")).id == "whisper-base"
    assert default_transcriber().id == "whisper-base"


def test_downloading_without_the_hub_is_one_line(empty_models):
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE") as err:
        download_audio_model("kokoro-82m")
    assert "\n" not in str(err.value)
    assert str(download_audio_model("espeak-ng")) == "."  # built in: nothing to fetch

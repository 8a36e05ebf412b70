"""``promptcut models list|path|download`` know the voices, sound and speech-to-text models too."""

from __future__ import annotations

import json

import pytest

from editor.cli import main
from generation.audio.models import audio_models


@pytest.fixture(autouse=True)
def empty_models(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path / "models"


def test_the_listing_ends_with_every_sound_model_its_state_and_licence(capsys):
    assert main(["models", "list", "--device", "cpu"]) == 0
    text = capsys.readouterr().out
    section = text[text.index("voices, sound and speech-to-text"):]
    for model in audio_models():
        line = next(line for line in section.splitlines() if line.startswith(model.id + " "))
        assert ("built in" if model.builtin else "not installed") in line
    assert "Stability AI Community License — RESTRICTED" in section
    assert "tiny-kokoro" not in section   # test models stay out of the listing


def test_sound_json_says_what_each_model_is_and_whether_it_is_here(capsys, empty_models):
    (empty_models / "whisper-base").mkdir(parents=True)
    (empty_models / "whisper-base" / "config.json").write_text("{}")
    assert main(["models", "list", "--sound", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == {m.id for m in audio_models()}
    assert rows["espeak-ng"]["built_in"] and rows["espeak-ng"]["installed"] and rows["espeak-ng"]["kind"] == "voice"
    assert rows["whisper-base"]["installed"] and not rows["whisper-small"]["installed"]
    assert rows["kokoro-82m"]["voices"][0]["id"] == "af_heart" and rows["kokoro-82m"]["license"] == "Apache-2.0"


def test_path_of_a_missing_voice_says_how_to_get_it(capsys):
    assert main(["models", "path", "kokoro-82m"]) != 0
    err = capsys.readouterr().err.strip()
    assert "promptcut models download kokoro-82m" in err and "\n" not in err


def test_downloading_a_voice_without_the_hub_is_one_line(capsys, empty_models):
    assert main(["models", "download", "kokoro-82m", "-q"]) != 0
    err = capsys.readouterr().err.strip()
    assert "HF_HUB_OFFLINE" in err and "\n" not in err
    assert not (empty_models / "kokoro-82m").exists()

"""Models are looked up in the Hugging Face cache the environment names when the lookup runs, not the one it
named when huggingface_hub was first imported (which reads it once)."""

from __future__ import annotations

import huggingface_hub.constants  # noqa: F401 - read first, as in a running editor that has used the hub

from generation.audio.locate import find_audio_model
from generation.locate import _hf_cache_snapshot
from generation.models import get_model
from generation.paths import hf_cache_dir


def _snapshot(cache, repo: str, marker: str):
    folder = cache / f"models--{repo.replace('/', '--')}"
    (folder / "snapshots" / "r1").mkdir(parents=True)
    (folder / "snapshots" / "r1" / marker).write_text("{}")
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("r1")


def test_the_cache_is_the_one_the_environment_names_now(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hf_cache_dir() == str(tmp_path / "home" / "hub")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    assert hf_cache_dir() == str(tmp_path / "cache")
    wan = get_model("wan2.1-t2v-1.3b")
    _snapshot(tmp_path / "cache", wan.repo, "model_index.json")
    _snapshot(tmp_path / "cache", "openai/whisper-base", "config.json")
    assert _hf_cache_snapshot(wan, None) == tmp_path / "cache" / f"models--{wan.repo.replace('/', '--')}" / \
        "snapshots" / "r1"
    found = find_audio_model("whisper-base", build_test_models=False)
    assert found is not None and found.source == "hf-cache" and found.revision == "r1"

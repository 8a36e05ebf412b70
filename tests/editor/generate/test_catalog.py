"""Which models are installed, the default model, downloads without a network, and where takes live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from editor.generate.catalog import (
    ModelError,
    _progress_class,
    default_model,
    download_model,
    model_rows,
    require_installed,
    resolve_model,
)


def fake_install(root: Path, model_id: str) -> Path:
    """A folder that passes the completeness check (names only: nothing loads it here)."""
    folder = root / model_id
    (folder / "transformer").mkdir(parents=True)
    (folder / "scheduler").mkdir()
    (folder / "model_index.json").write_text(json.dumps({
        "_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"],
        "scheduler": ["diffusers", "UniPCMultistepScheduler"]}))
    (folder / "transformer" / "diffusion_pytorch_model.safetensors").write_bytes(b"\0" * 2048)
    (folder / "scheduler" / "scheduler_config.json").write_text("{}")
    return folder


@pytest.fixture
def models_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "models"
    monkeypatch.setenv("PROMPTCUT_MODELS", str(root))
    return root


def test_without_a_real_model_the_default_says_how_to_get_one(models_root):
    with pytest.raises(ModelError) as info:
        default_model()
    message = str(info.value)
    assert "promptcut models download wan2.1-t2v-1.3b" in message and "--model tiny-wan" in message
    with pytest.raises(ModelError, match="not installed"):
        require_installed("ltx-video-0.9.5")
    require_installed("tiny-ltx")   # test models are built by the worker on first use


def test_an_installed_model_becomes_the_default_and_lists_as_installed(models_root):
    fake_install(models_root, "ltx-video-0.9.5")
    assert default_model() == "ltx-video-0.9.5" == resolve_model(None)
    fake_install(models_root, "wan2.1-t2v-1.3b")
    assert default_model() == "wan2.1-t2v-1.3b"   # the registry's default wins when present
    rows = {r.model.id: r for r in model_rows()}
    assert rows["wan2.1-t2v-1.3b"].installed and rows["wan2.1-t2v-1.3b"].state == "installed"
    assert "KB on disk" in rows["wan2.1-t2v-1.3b"].size_text
    assert not rows["cogvideox-2b"].installed and "GB download" in rows["cogvideox-2b"].size_text
    assert rows["tiny-wan"].state in ("built", "built on use")
    # downloading what is there already touches no network
    assert download_model("wan2.1-t2v-1.3b") == models_root / "wan2.1-t2v-1.3b"


def test_an_incomplete_folder_does_not_count(models_root):
    folder = fake_install(models_root, "wan2.1-t2v-1.3b")
    (folder / "transformer" / "diffusion_pytorch_model.safetensors").unlink()
    (folder / "transformer" / "diffusion_pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(ModelError):
        default_model()


def test_download_offline_messages(models_root, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE is set"):
        download_model("wan2.1-t2v-1.3b")
    with pytest.raises(ModelError, match="unknown model"):
        resolve_model("wan9")


def test_download_progress_reaches_the_callback():
    seen = []
    bar = _progress_class(lambda done, total, eta: seen.append((done, total)))(total=1000, unit="B")
    bar.update(400)
    bar.refresh()
    bar.update(600)
    bar.close()
    assert seen and seen[-1] == (1000, 1000) and (400, 1000) in seen

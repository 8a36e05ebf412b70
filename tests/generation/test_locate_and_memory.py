"""Finding weights locally (configured folder, Hugging Face cache) and choosing memory levers."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from generation.backends.memory import MemoryPlan, choose_plan, oom_advice
from generation.backends.settings import BackendSettings
from generation.errors import ModelNotInstalled
from generation.locate import check_folder, find_model, require_model
from generation.models import get_model

GB = 1024**3
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def fake_real_model(repo: str = "acme/Tiny-Video-Diffusers"):
    """A registry-shaped real model whose 'weights' are the tiny Wan (a real diffusers folder)."""
    return dataclasses.replace(get_model("tiny-wan"), id="acme-tiny", repo=repo, is_test_model=False)


def make_hf_cache(cache: Path, repo: str, source: Path) -> Path:
    """The Hugging Face cache layout: blobs, a snapshot of symlinks named by commit, refs/main."""
    org, name = repo.split("/")
    base = cache / f"models--{org}--{name}"
    snapshot = base / "snapshots" / COMMIT
    blobs = base / "blobs"
    blobs.mkdir(parents=True)
    for i, path in enumerate(sorted(p for p in source.rglob("*") if p.is_file())):
        blob = blobs / f"blob{i}"
        shutil.copy(path, blob)
        link = snapshot / path.relative_to(source)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(blob)
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text(COMMIT)
    return snapshot


def test_found_in_the_hugging_face_cache_with_its_commit(models_root, tmp_path):
    model = fake_real_model()
    snapshot = make_hf_cache(tmp_path / "hub", model.repo, Path(models_root) / "tiny-wan")
    found = find_model(model, models_root=tmp_path / "empty", hf_cache_dir=tmp_path / "hub")
    assert found is not None
    assert (found.source, found.revision, found.path) == ("hf-cache", COMMIT, snapshot)
    assert found.size_bytes() > 100_000


def test_an_incomplete_cache_download_does_not_count(models_root, tmp_path):
    model = fake_real_model()
    snapshot = make_hf_cache(tmp_path / "hub", model.repo, Path(models_root) / "tiny-wan")
    (weights,) = (snapshot / "transformer").glob("*.safetensors")
    weights.resolve().unlink()  # the blob never finished: a dangling link remains
    assert find_model(model, models_root=tmp_path / "empty", hf_cache_dir=tmp_path / "hub") is None
    with pytest.raises(ModelNotInstalled) as info:
        require_model(model, models_root=tmp_path / "empty", hf_cache_dir=tmp_path / "hub")
    assert "transformer" in str(info.value) and "no weights" in str(info.value)


@pytest.mark.parametrize("folder_name", ["acme-tiny", "Tiny-Video-Diffusers", "acme--Tiny-Video-Diffusers"])
def test_found_in_the_configured_folder_first(models_root, tmp_path, folder_name):
    model = fake_real_model()
    root = tmp_path / "models"
    shutil.copytree(Path(models_root) / "tiny-wan", root / folder_name)
    meta = root / folder_name / ".cache" / "huggingface" / "download"
    meta.mkdir(parents=True)
    (meta / "model_index.json.metadata").write_text(f"{COMMIT}\nsomething\n")
    make_hf_cache(tmp_path / "hub", model.repo, Path(models_root) / "tiny-wan")
    found = find_model(model, models_root=root, hf_cache_dir=tmp_path / "hub")
    assert found is not None and found.source == "folder" and found.path == root / folder_name
    assert found.revision == COMMIT


def test_check_folder_refuses_pickle_weights_and_missing_shards(models_root, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(Path(models_root) / "tiny-ltx", folder)
    assert check_folder(folder) == []
    (weights,) = (folder / "vae").glob("*.safetensors")
    weights.rename(folder / "vae" / "diffusion_pytorch_model.bin")
    assert check_folder(folder) == ["component 'vae' has only pickle weights; only safetensors are loaded"]
    (folder / "vae" / "diffusion_pytorch_model.safetensors.index.json").write_text(
        '{"weight_map": {"a": "diffusion_pytorch_model-00001-of-00002.safetensors"}}'
    )
    assert "lacks 1 weight shard" in check_folder(folder)[0]
    shutil.rmtree(folder / "scheduler")
    assert "component 'scheduler' is missing" in check_folder(folder)
    assert check_folder(tmp_path / "nothing") == [f"no model_index.json in {tmp_path / 'nothing'}"]


# -- memory levers --------------------------------------------------------------------------------------------------


def plan(model_id: str, free_gb: float, **settings) -> MemoryPlan:
    return choose_plan(get_model(model_id), "cuda", BackendSettings(**settings), int(free_gb * GB), int(80 * GB))


def test_cpu_has_no_levers():
    p = choose_plan(get_model("wan2.1-t2v-1.3b"), "cpu", BackendSettings(offload="group"))
    assert (p.offload, p.vae_tiling) == ("none", False)


def test_levers_follow_free_vram():
    # Wan 2.1 1.3B: 8.2 GB minimum with levers, 24 GB comfortable.
    assert (plan("wan2.1-t2v-1.3b", 70).offload, plan("wan2.1-t2v-1.3b", 70).vae_tiling) == ("none", False)
    assert plan("wan2.1-t2v-1.3b", 20).offload == "model" and plan("wan2.1-t2v-1.3b", 20).vae_tiling
    tight = plan("wan2.1-t2v-1.3b", 10)
    assert tight.offload == "group" and tight.vae_tiling and tight.free_gb == pytest.approx(10)
    assert "below the advised minimum" in plan("wan2.1-t2v-1.3b", 6).reason


def test_settings_override_the_choice():
    p = plan("wan2.1-t2v-1.3b", 70, offload="sequential", vae_tiling=False)
    assert (p.offload, p.vae_tiling) == ("sequential", False) and "settings" in p.reason
    assert plan("tiny-wan", 1).offload == "none"  # no advice: nothing to weigh


def test_oom_advice_climbs_the_ladder():
    hint, fix = oom_advice(MemoryPlan("none", False, ""))
    assert fix == {"offload": "model", "vae_tiling": True} and "PROMPTCUT_OFFLOAD=model" in hint
    assert oom_advice(MemoryPlan("model", True, ""))[1] == {"offload": "group"}
    assert oom_advice(MemoryPlan("group", True, ""))[1] == {"offload": "sequential"}
    hint, fix = oom_advice(MemoryPlan("sequential", True, ""))
    assert fix == {} and "fewer frames" in hint
    hint, fix = oom_advice(MemoryPlan("none", False, ""), gpu=False)
    assert fix == {} and "system memory" in hint


def test_settings_from_env():
    s = BackendSettings.from_env(
        {"PROMPTCUT_OFFLOAD": "Group", "PROMPTCUT_VAE_TILING": "off", "PROMPTCUT_DEVICE": "cuda:1"}, max_loaded=2
    )
    assert (s.offload, s.vae_tiling, s.device, s.max_loaded) == ("group", False, "cuda:1", 2)
    assert BackendSettings.from_env({"PROMPTCUT_VAE_TILING": "auto"}).vae_tiling is None
    with pytest.raises(ValueError):
        BackendSettings.from_env({"PROMPTCUT_OFFLOAD": "lots"})
    with pytest.raises(ValueError):
        BackendSettings.from_env({"PROMPTCUT_VAE_TILING": "maybe"})


def test_a_model_an_earlier_version_downloaded_into_the_user_cache_is_still_found(models_root, tmp_path,
                                                                                   monkeypatch):
    from generation.paths import MODELS_ENV

    for var in ("XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv(MODELS_ENV, raising=False)
    model = fake_real_model()
    old = tmp_path / "xdg_cache_home" / "promptcut" / "models" / model.id
    shutil.copytree(Path(models_root) / "tiny-wan", old)
    found = find_model(model, hf_cache_dir=tmp_path / "no-hub")
    assert found is not None and found.source == "folder" and found.path == old

"""The built-in test models: real diffusers classes, tiny random weights, built offline, normal folder layout."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generation.locate import check_folder, find_model
from generation.models import TEST_MODEL_IDS, get_model
from generation.testing import MARKER, RECIPE_VERSION, build_test_pipeline, ensure_test_model

EXPECTED_PARTS = {
    "tiny-wan": {
        "transformer": "WanTransformer3DModel",
        "vae": "AutoencoderKLWan",
        "text_encoder": "UMT5EncoderModel",
        "tokenizer": "T5Tokenizer",
        "scheduler": "UniPCMultistepScheduler",
    },
    "tiny-wan-flf": {
        "transformer": "WanTransformer3DModel",
        "vae": "AutoencoderKLWan",
        "text_encoder": "UMT5EncoderModel",
        "image_encoder": "CLIPVisionModel",
        "scheduler": "FlowMatchEulerDiscreteScheduler",
    },
    "tiny-ltx": {
        "transformer": "LTXVideoTransformer3DModel",
        "vae": "AutoencoderKLLTXVideo",
        "text_encoder": "T5EncoderModel",
        "tokenizer": "T5Tokenizer",
        "scheduler": "FlowMatchEulerDiscreteScheduler",
    },
    "tiny-wan-a14b": {  # two experts: high noise, then low noise past boundary_ratio
        "transformer": "WanTransformer3DModel",
        "transformer_2": "WanTransformer3DModel",
        "vae": "AutoencoderKLWan",
        "text_encoder": "UMT5EncoderModel",
    },
    "tiny-wan-vace": {"transformer": "WanVACETransformer3DModel", "vae": "AutoencoderKLWan"},
    "tiny-skyreels-df": {"transformer": "SkyReelsV2Transformer3DModel", "vae": "AutoencoderKLWan"},
    "tiny-ltx2": {
        "transformer": "LTX2VideoTransformer3DModel",
        "vae": "AutoencoderKLLTX2Video",
        "audio_vae": "AutoencoderKLLTX2Audio",
        "vocoder": "LTX2Vocoder",
        "connectors": "LTX2TextConnectors",
        "text_encoder": "Gemma3ForConditionalGeneration",
    },
    "tiny-hunyuan15": {
        "transformer": "HunyuanVideo15Transformer3DModel",
        "vae": "AutoencoderKLHunyuanVideo15",
        "text_encoder": "Qwen2_5_VLTextModel",
        "text_encoder_2": "T5EncoderModel",
        "image_encoder": "SiglipVisionModel",
    },
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("model_id", TEST_MODEL_IDS)
def test_saved_in_the_diffusers_layout(models_root, model_id):
    folder = Path(models_root) / model_id
    index = json.loads((folder / "model_index.json").read_text())
    assert index["_class_name"] == get_model(model_id).base_pipeline
    for part, cls in EXPECTED_PARTS[model_id].items():
        assert index[part][1] == cls
        assert (folder / part).is_dir()
    weights = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.safetensors"))
    assert any(w.startswith("transformer/") for w in weights) and any(w.startswith("vae/") for w in weights)
    assert not [p for p in folder.rglob("*") if p.suffix in (".bin", ".pt", ".pth", ".ckpt")]
    assert check_folder(folder) == []
    marker = json.loads((folder / MARKER).read_text())
    assert marker["recipe"] == RECIPE_VERSION and marker["id"] == model_id
    # HunyuanVideo 1.5's ByT5 text mapper has a fixed 2048-wide hidden layer (not a config value): 17 MB.
    limit = 20_000_000 if model_id == "tiny-hunyuan15" else 2_000_000
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) < limit  # tiny


@pytest.mark.parametrize("model_id", TEST_MODEL_IDS)
def test_loads_back_through_from_pretrained(models_root, model_id):
    import diffusers

    model = get_model(model_id)
    cls = getattr(diffusers, model.base_pipeline)
    pipe = cls.from_pretrained(str(Path(models_root) / model_id), use_safetensors=True, local_files_only=True)
    assert type(pipe).__name__ == model.base_pipeline
    for part, cls_name in EXPECTED_PARTS[model_id].items():
        assert type(getattr(pipe, part)).__name__ == cls_name
    if type(pipe.tokenizer).__name__ != "T5Tokenizer":
        return  # Gemma / Qwen twins: their families' tests check their tokenizers
    # The locally made tokenizer is a real T5 tokenizer: text maps to known pieces and ends with </s>.
    ids = pipe.tokenizer("A red fox jumps.").input_ids
    assert ids[-1] == pipe.tokenizer.eos_token_id and pipe.tokenizer.unk_token_id not in ids


def test_builds_are_deterministic_and_leave_the_global_rng_alone(tmp_path, models_root):
    import torch

    torch.manual_seed(1234)
    expected_next = torch.rand(3)
    torch.manual_seed(1234)
    other = ensure_test_model("tiny-wan", tmp_path / "again")
    assert torch.equal(torch.rand(3), expected_next)
    first = Path(models_root) / "tiny-wan"
    for part in ("transformer", "vae", "text_encoder"):
        (a,) = (first / part).glob("*.safetensors")
        (b,) = (other / part).glob("*.safetensors")
        assert _sha(a) == _sha(b), part
    pipe_a, pipe_b = build_test_pipeline("tiny-ltx"), build_test_pipeline("tiny-ltx")
    state_a, state_b = pipe_a.transformer.state_dict(), pipe_b.transformer.state_dict()
    assert state_a.keys() == state_b.keys()
    for name in state_a:
        assert torch.equal(state_a[name], state_b[name]), name


def test_ensure_is_idempotent_and_found_by_locate(models_root):
    folder = ensure_test_model("tiny-ltx", models_root)
    mtime = (folder / MARKER).stat().st_mtime_ns
    assert ensure_test_model("tiny-ltx", models_root) == folder
    assert (folder / MARKER).stat().st_mtime_ns == mtime  # not rebuilt
    found = find_model("tiny-ltx", models_root=models_root)
    assert found is not None and found.path == folder and found.source == "built-in"
    assert found.revision == f"tiny-ltx-recipe-{RECIPE_VERSION}"


def test_a_stale_or_broken_build_is_replaced(tmp_path):
    root = tmp_path / "models"
    broken = root / "tiny-wan-flf"
    broken.mkdir(parents=True)
    (broken / "model_index.json").write_text("{}")
    (broken / MARKER).write_text(json.dumps({"recipe": RECIPE_VERSION - 1}))
    assert find_model("tiny-wan-flf", models_root=root, build_test_models=False) is None
    folder = ensure_test_model("tiny-wan-flf", root)
    assert folder == broken and check_folder(folder) == []
    assert sorted(p.name for p in root.iterdir()) == ["tiny-wan-flf"]  # no temp or stale folders left


def test_a_losing_concurrent_build_keeps_the_winner(tmp_path, models_root):
    from generation.testing.tiny import _move_into_place

    root = tmp_path / "models"
    root.mkdir()
    src = Path(models_root) / "tiny-ltx"
    winner, loser = root / ".a", root / ".b"
    shutil.copytree(src, winner)
    shutil.copytree(src, loser)
    final = root / "tiny-ltx"
    _move_into_place(winner, final)
    _move_into_place(loser, final)  # final exists and is good: the loser keeps it
    assert check_folder(final) == [] and loser.exists()  # the caller (ensure_test_model) deletes its own temp


@pytest.mark.slow
def test_two_processes_building_at_once(tmp_path):
    root = tmp_path / "models"
    code = (
        "import sys\n"
        "from generation.testing import ensure_test_model\n"
        "print(ensure_test_model('tiny-ltx', sys.argv[1]))\n"
    )
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1].decode()[-2000:] for o in outs]
    assert {o[0].decode().strip() for o in outs} == {str(root / "tiny-ltx")}
    assert check_folder(root / "tiny-ltx") == []
    assert sorted(p.name for p in root.iterdir()) == ["tiny-ltx"]


def test_only_test_models_are_built():
    with pytest.raises(ValueError, match="not a test model"):
        ensure_test_model("wan2.1-t2v-1.3b")

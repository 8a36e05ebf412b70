"""bench/generation_speed.py: the published architectures are what they claim, and the tiny run prints its table."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "generation_speed.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("generation_speed", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.mark.parametrize(
    ("cls", "config", "billions"),
    [
        ("WanTransformer3DModel", "WAN21_13B", (1.3, 1.5)),  # "Wan2.1-T2V-1.3B"
        ("WanTransformer3DModel", "WAN22_5B", (4.8, 5.2)),  # "Wan2.2-TI2V-5B"
        ("LTXVideoTransformer3DModel", "LTX_2B", (1.8, 2.1)),  # "LTX-Video 2B"
    ],
)
def test_published_configs_have_the_published_size(bench, cls, config, billions):
    import diffusers
    import torch

    with torch.device("meta"):  # shapes only: nothing is allocated
        model = getattr(diffusers, cls)(**getattr(bench, config))
    n = sum(p.numel() for p in model.parameters()) / 1e9
    assert billions[0] <= n <= billions[1], n


def test_wan22_vae_config_compresses_16x(bench):
    import diffusers
    import torch

    with torch.device("meta"):
        vae = diffusers.AutoencoderKLWan(**bench.WAN22_VAE)
    assert vae.config.z_dim == 48 and vae.config.scale_factor_spatial == 16


def test_tiny_quick_run_prints_the_table(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PROMPTCUT_DEVICE", None)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--tiny", "--quick", "--cache", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("5 s shot per model and speed lever on cpu")
    assert lines[1].split()[:3] == ["model", "run", "s/step"]
    rows = {line[18:49].strip(): line for line in lines[3:] if line.startswith("wan2.1-t2v-1.3b ")}
    assert set(rows) >= {"draft", "draft direct", "draft client"}, lines
    assert "failed" not in done.stdout
    assert any(line.startswith("worker-path overhead wan2.1-t2v-1.3b draft: backend/direct = ") for line in lines)
    built = tmp_path / "cache" / "tiny" / "wan2.1-t2v-1.3b"
    assert (built / "model_index.json").is_file() and list(built.glob("transformer/*.safetensors"))


def test_cuda_without_a_gpu_is_one_clear_line():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    done = subprocess.run([sys.executable, str(BENCH), "--cuda"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "generation_speed: --cuda asked but torch sees no CUDA GPU on this machine"
    ]

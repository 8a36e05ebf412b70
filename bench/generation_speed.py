"""How long a 5 s shot takes through PromptCut's generator, per model, profile and speed lever. Not a test.

Builds the REAL architectures with random weights from their published configs (no hub needed), saves each as a
diffusers folder (safetensors; transformer and text encoder bf16, VAE float32 as the real repos ship it) into a
cache folder under the registry's own model id, and times a 5 s shot at the native 480p/512p size:

* ``wan2.1-t2v-1.3b``  Wan 2.1 T2V 1.3B, 832x480, 81 frames at 16 fps
* ``wan2.2-ti2v-5b``   Wan 2.2 TI2V 5B, 1280x704 (its native size: a 720p model; no 480p checkpoint), 121 frames
  at 24 fps
* ``ltx-video-0.9.5``  LTX-Video 2B 0.9.5, 768x512, 121 frames at 24 fps
* LTX-2 is left out: its 19B audio+video transformer with a Gemma text encoder does not fit this bench's
  "random weights built in a minute" approach on one GPU next to a warm worker; time it with real weights.

Where each number comes from (all diffusers' own conversion scripts, huggingface/diffusers ``scripts/``):

* Wan 2.1 T2V 1.3B transformer: ``convert_wan_to_diffusers.py`` ``get_transformer_config("Wan-T2V-1.3B")``
  (= Wan-AI/Wan2.1-T2V-1.3B-Diffusers ``transformer/config.json``); VAE: ``AutoencoderKLWan()`` defaults, which
  are the Wan 2.1 VAE the script converts into; scheduler: UniPC flow_prediction, flow_shift 3.0 (same script).
* Wan 2.2 TI2V 5B transformer: ``get_transformer_config("Wan2.2-TI2V-5B")``; VAE: ``vae22_diffusers_config``
  (latent means/stds left at 0/1: they scale latents, not compute); scheduler flow_shift 5.0,
  ``expand_timesteps=True`` (same script).
* LTX-Video 0.9.5 transformer: ``convert_ltx_to_diffusers.py`` ``get_transformer_config`` (the 2B branch);
  VAE: ``get_vae_config("0.9.5")``; scheduler ``FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=False)``.
* Text encoders, REDUCED: UMT5-XXL (Wan) and T5 v1.1 XXL (LTX) keep their output width (d_model 4096, 64 heads
  of 64, d_ff 10240, gated-gelu) so the transformer's cross-attention sees the real shape, but have 2 layers
  instead of 24 and the offline tokenizer's vocabulary (``generation.testing.tiny_parts``) instead of 256k/32k
  pieces. Prompt encoding is a few ms of a shot; it is not what this bench measures.

What runs (each configuration in a fresh process, so compile state, attention backend and peak memory are its
own):

* ``backend``: ``generation.backends.DiffusersBackend`` (what the worker runs) with ``BackendSettings.from_env``,
  the ``PROMPTCUT_*`` settings set per row. One warm-up shot (loading, compiling), then the timed shot. Per step,
  denoise, VAE decode (the pipeline's time after the last step), the whole shot and
  ``torch.cuda.max_memory_allocated`` (the worker's own figures, ``GenerationResult.timings``).
* ``direct``: the same folder loaded with ``DiffusionPipeline.from_pretrained`` and called directly with the same
  arguments: the peer that gives the worker path's overhead ratio.
* ``client``: the full worker path, ``generation.client.GeneratorClient`` -> job store -> worker process ->
  backend -> MP4 + sidecar: submit to done of a warm job (the creator's wait).

Profiles: *Standard* = the model's full step count (50; LTX 40) with its CFG; *Draft* = 4 steps at CFG 1 (the
schedule of a step-distilled LoRA: random weights time a LoRA'd model and the plain one alike, so no LoRA is
loaded). *cache* is the Standard profile's First Block Cache (``profile=standard``); *compile* is
``PROMPTCUT_COMPILE=on``; *attn* is ``PROMPTCUT_ATTENTION`` (``--attention``, default auto: FlashAttention 3 on
Hopper, SageAttention where installed).

    .venv/bin/python bench/generation_speed.py --cuda [--models wan2.1-t2v-1.3b,...] [--quick] [--cache DIR]
    .venv/bin/python bench/generation_speed.py --tiny [--quick]     # the default without CUDA

``--tiny`` runs the same code with tiny random configs (the tiny twins' sizes) at 64x64, 9 frames, on the CPU:
it checks the plumbing and measures nothing. Random weights time the compute exactly but say nothing of quality.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROMPT = "a red fox runs through deep snow at dawn, handheld camera"
RECIPE_VERSION = 1
MARKER = "promptcut_bench_model.json"

# -- published configs (see the docstring for where each comes from) ---------------------------------------------
WAN21_13B = dict(
    patch_size=(1, 2, 2),
    num_attention_heads=12,
    attention_head_dim=128,
    in_channels=16,
    out_channels=16,
    text_dim=4096,
    freq_dim=256,
    ffn_dim=8960,
    num_layers=30,
    cross_attn_norm=True,
    qk_norm="rms_norm_across_heads",
    eps=1e-6,
    added_kv_proj_dim=None,
)
WAN22_5B = dict(WAN21_13B, num_attention_heads=24, ffn_dim=14336, in_channels=48, out_channels=48)
WAN22_VAE = dict(
    base_dim=160,
    decoder_base_dim=256,
    z_dim=48,
    is_residual=True,
    in_channels=12,
    out_channels=12,
    patch_size=2,
    scale_factor_temporal=4,
    scale_factor_spatial=16,
    latents_mean=[0.0] * 48,
    latents_std=[1.0] * 48,
)
LTX_2B = dict(
    in_channels=128,
    out_channels=128,
    patch_size=1,
    patch_size_t=1,
    num_attention_heads=32,
    attention_head_dim=64,
    cross_attention_dim=2048,
    num_layers=28,
    activation_fn="gelu-approximate",
    qk_norm="rms_norm_across_heads",
    norm_elementwise_affine=False,
    norm_eps=1e-6,
    caption_channels=4096,
    attention_bias=True,
    attention_out_bias=True,
)
LTX_095_VAE = dict(
    in_channels=3,
    out_channels=3,
    latent_channels=128,
    block_out_channels=(128, 256, 512, 1024, 2048),
    down_block_types=("LTXVideo095DownBlock3D",) * 4,
    decoder_block_out_channels=(256, 512, 1024),
    layers_per_block=(4, 6, 6, 2, 2),
    decoder_layers_per_block=(5, 5, 5, 5),
    spatio_temporal_scaling=(True, True, True, True),
    decoder_spatio_temporal_scaling=(True, True, True),
    decoder_inject_noise=(False, False, False, False),
    downsample_type=("spatial", "temporal", "spatiotemporal", "spatiotemporal"),
    upsample_residual=(True, True, True),
    upsample_factor=(2, 2, 2),
    timestep_conditioning=True,
    patch_size=4,
    patch_size_t=1,
    resnet_norm_eps=1e-6,
    scaling_factor=1.0,
    encoder_causal=True,
    decoder_causal=False,
    spatial_compression_ratio=32,
    temporal_compression_ratio=8,
)
# T5 v1.1 XXL / UMT5-XXL widths with 2 layers (REDUCED, see the docstring).
T5_REDUCED = dict(
    d_model=4096,
    d_kv=64,
    d_ff=10240,
    num_layers=2,
    num_heads=64,
    relative_attention_num_buckets=32,
    relative_attention_max_distance=128,
    feed_forward_proj="gated-gelu",
    dropout_rate=0.0,
    layer_norm_epsilon=1e-6,
)

# -- tiny twins of the same (the plumbing check) -------------------------------------------------------------------
TINY_TEXT = dict(
    d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4, relative_attention_num_buckets=8, dropout_rate=0.0
)
TINY_WAN = dict(
    num_attention_heads=2, attention_head_dim=12, ffn_dim=32, num_layers=2, text_dim=32, rope_max_seq_len=32
)
TINY_LTX = dict(
    in_channels=8,
    out_channels=8,
    num_attention_heads=4,
    attention_head_dim=8,
    cross_attention_dim=32,
    num_layers=1,
    caption_channels=32,
)
TINY_LTX_VAE = dict(
    in_channels=3,
    out_channels=3,
    latent_channels=8,
    block_out_channels=(8, 8, 8, 8),
    decoder_block_out_channels=(8, 8, 8, 8),
    layers_per_block=(1, 1, 1, 1, 1),
    decoder_layers_per_block=(1, 1, 1, 1, 1),
    spatio_temporal_scaling=(True, True, False, False),
    decoder_spatio_temporal_scaling=(True, True, False, False),
    decoder_inject_noise=(False,) * 5,
    upsample_residual=(False,) * 4,
    upsample_factor=(1,) * 4,
    timestep_conditioning=False,
    patch_size=1,
    patch_size_t=1,
    encoder_causal=True,
    decoder_causal=False,
)


@dataclass(frozen=True)
class BenchModel:
    model_id: str  # the registry entry the folder stands in for (its family, fps, frame rule, call defaults)
    size: tuple[int, int]  # native 480p/512p size, landscape
    frames: int  # a 5 s shot at the model's fps
    standard_steps: int
    standard_cfg: float


MODELS = {
    m.model_id: m
    for m in (
        BenchModel("wan2.1-t2v-1.3b", (832, 480), 81, 50, 5.0),
        BenchModel("wan2.2-ti2v-5b", (1280, 704), 121, 50, 5.0),
        BenchModel("ltx-video-0.9.5", (768, 512), 121, 40, 3.0),
    )
}
TINY_SIZE, TINY_FRAMES, TINY_STEPS = (64, 64), 9, 2


# -- building -------------------------------------------------------------------------------------------------------
def _text_encoder(cls_name: str, tiny: bool, vocab_size: int) -> Any:
    import transformers

    cfg_cls = getattr(transformers, "UMT5Config" if cls_name.startswith("UMT5") else "T5Config")
    return getattr(transformers, cls_name)(cfg_cls(vocab_size=vocab_size, **(TINY_TEXT if tiny else T5_REDUCED)))


def build_pipeline(model_id: str, tiny: bool) -> Any:
    """The pipeline for ``model_id`` with random weights: the published architecture, or its tiny twin."""
    import diffusers
    import torch

    from generation.testing.tiny_parts import tokenizer

    tok = tokenizer()
    torch.manual_seed(0)
    if model_id.startswith("wan"):
        wan22 = model_id == "wan2.2-ti2v-5b"
        cfg = dict(WAN22_5B if wan22 else WAN21_13B)
        vae_cfg: dict[str, Any] = dict(WAN22_VAE) if wan22 else {}
        if tiny:
            cfg.update(TINY_WAN)
            vae_cfg.update(base_dim=3, dim_mult=[1, 1, 1, 1], num_res_blocks=1)
            vae_cfg.pop("decoder_base_dim", None)
        pipe = diffusers.WanPipeline(
            tokenizer=tok,
            text_encoder=_text_encoder("UMT5EncoderModel", tiny, len(tok)).eval(),
            vae=diffusers.AutoencoderKLWan(**vae_cfg),
            scheduler=diffusers.UniPCMultistepScheduler(
                prediction_type="flow_prediction",
                use_flow_sigmas=True,
                num_train_timesteps=1000,
                flow_shift=5.0 if wan22 else 3.0,
            ),
            transformer=diffusers.WanTransformer3DModel(**cfg),
            **({"expand_timesteps": True} if wan22 else {}),
        )
    elif model_id == "ltx-video-0.9.5":
        cfg = dict(LTX_2B, **(TINY_LTX if tiny else {}))
        pipe = diffusers.LTXPipeline(
            tokenizer=tok,
            text_encoder=_text_encoder("T5EncoderModel", tiny, len(tok)).eval(),
            vae=diffusers.AutoencoderKLLTXVideo(**(TINY_LTX_VAE if tiny else LTX_095_VAE)),
            scheduler=diffusers.FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=False),
            transformer=diffusers.LTXVideoTransformer3DModel(**cfg),
        )
    else:
        raise SystemExit(f"generation_speed: no published config here for {model_id}; choose {', '.join(MODELS)}")
    if not tiny:  # bf16 storage like the published repos; the VAE stays float32
        pipe.transformer.to(torch.bfloat16)
        pipe.text_encoder.to(torch.bfloat16)
    return pipe


def _recipe_hash(model_id: str, tiny: bool) -> str:
    text = json.dumps([RECIPE_VERSION, model_id, tiny, WAN21_13B, WAN22_5B, LTX_2B, T5_REDUCED], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure_folder(cache: Path, model_id: str, tiny: bool, device: str = "cpu") -> tuple[Path, float]:
    """The diffusers folder ``cache/model_id`` (built and saved on first use); seconds spent building."""
    folder = cache / model_id
    marker = folder / MARKER
    want = _recipe_hash(model_id, tiny)
    try:
        if json.loads(marker.read_text())["recipe"] == want:
            return folder, 0.0
    except (OSError, ValueError, KeyError):
        pass
    t0 = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{model_id}.", dir=cache))
    try:
        import gc

        import torch

        # Random init of billions of parameters is minutes on the CPU and seconds on the GPU.
        with torch.device(device):
            pipe = build_pipeline(model_id, tiny)
        pipe.save_pretrained(tmp, safe_serialization=True)
        del pipe
        gc.collect()
        if device == "cuda":
            torch.cuda.empty_cache()  # the timed runs are other processes: leave them the memory
        (tmp / MARKER).write_text(json.dumps({"recipe": want, "random_weights": True, "tiny": tiny}))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder, time.perf_counter() - t0


# -- one configuration, in its own process ------------------------------------------------------------------------
def _peak_vram() -> float | None:
    import torch

    return torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available() else None


def _reset_peak() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def run_backend(job: dict[str, Any]) -> dict[str, Any]:
    from generation.backends.diffusers_backend import DiffusersBackend
    from generation.backends.settings import BackendSettings
    from generation.request import GenerationRequest

    backend = DiffusersBackend(BackendSettings.from_env())
    request = GenerationRequest(
        model=job["model"],
        prompt=PROMPT,
        seed=1,
        width=job["width"],
        height=job["height"],
        num_frames=job["frames"],
        steps=job["steps"],
        guidance=job["guidance"],
        profile=job["profile"],
    )
    t0 = time.perf_counter()
    backend.generate(request)  # warm-up: loading, compiling, autotuning
    warmup = time.perf_counter() - t0
    _reset_peak()
    result = backend.generate(request)
    t = result.timings
    return {
        "s_per_step": t.get("s_per_step"),
        "denoise_s": t.get("denoise_s"),
        "decode_s": t.get("decode_s"),
        "shot_s": t.get("total_s"),
        "peak_gb": _peak_vram(),
        "warmup_s": warmup,
        "notes": result.notes,
        "frames": result.num_frames,
    }


def run_direct(job: dict[str, Any]) -> dict[str, Any]:
    import torch
    from diffusers import DiffusionPipeline

    from generation.models import get_model

    model = get_model(job["model"])
    cuda = job["device"] == "cuda"
    pipe = DiffusionPipeline.from_pretrained(job["folder"], torch_dtype=torch.bfloat16 if cuda else torch.float32)
    if cuda:
        pipe.to("cuda")
        if model.vae_fp32:
            pipe.vae.to(torch.float32)
    pipe.set_progress_bar_config(disable=True)
    import inspect

    accepted = set(inspect.signature(type(pipe).__call__).parameters)
    # The registry's call defaults are for its pipeline classes; keep the ones this class takes, as the backend does.
    kwargs = dict(
        {k: v for k, v in model.call_kwargs.items() if k in accepted},
        prompt=PROMPT,
        height=job["height"],
        width=job["width"],
        num_frames=job["frames"],
        num_inference_steps=job["steps"],
        guidance_scale=job["guidance"],
        output_type="np",
    )

    def shot() -> float:
        generator = torch.Generator(device=job["device"]).manual_seed(1)
        t0 = time.perf_counter()
        pipe(generator=generator, **kwargs)
        if cuda:
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    shot()
    _reset_peak()
    return {"shot_s": shot(), "peak_gb": _peak_vram()}


def run_client(job: dict[str, Any]) -> dict[str, Any]:
    from generation.client import GeneratorClient
    from generation.jobs import JobSpec

    work = Path(tempfile.mkdtemp(prefix="bench-client-"))
    env = {k: os.environ[k] for k in os.environ if k.startswith("PROMPTCUT_")}
    try:
        with GeneratorClient(work / "jobs.sqlite", work / "out", models_dir=job["cache"], env=env) as client:
            times = []
            for seed in (1, 2):  # the first is the warm-up (worker start, loading)
                spec = JobSpec(
                    model=job["model"],
                    prompt=PROMPT,
                    negative_prompt="",
                    seed=seed,
                    width=job["width"],
                    height=job["height"],
                    num_frames=job["frames"],
                    steps=job["steps"],
                    guidance=job["guidance"],
                    profile=job["profile"],
                )
                t0 = time.perf_counter()
                done = client.wait(client.submit(spec, no_cache=True).id, timeout=1800)
                if done.state != "done":
                    raise RuntimeError(f"worker job {done.state}: {done.message}")
                times.append(time.perf_counter() - t0)
        return {"shot_s": times[-1], "warmup_s": times[0]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


RUNNERS = {"backend": run_backend, "direct": run_direct, "client": run_client}


def child(job: dict[str, Any]) -> None:
    try:
        out = RUNNERS[job["runner"]](job)
    except Exception as exc:  # noqa: BLE001 - reported as one line in the table, the bench goes on
        out = {"error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"}
    print("RESULT " + json.dumps(out), flush=True)


# -- the plan ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    label: str
    runner: str
    profile_name: str  # Draft | Standard
    cache: bool = False
    compile: bool = False
    attention: bool = False


def plan_rows(quick: bool, cuda: bool) -> list[Row]:
    rows = [
        Row("draft", "backend", "Draft"),
        Row("draft direct", "direct", "Draft"),
        Row("draft client", "client", "Draft"),
    ]
    if quick:
        return rows
    rows += [
        Row("standard", "backend", "Standard"),
        Row("standard direct", "direct", "Standard"),
        Row("standard +cache", "backend", "Standard", cache=True),
    ]
    if cuda:  # compile and the attention backend are CUDA levers; on the CPU they are off whatever is asked
        rows += [
            Row("draft +compile", "backend", "Draft", compile=True),
            Row("draft +attn", "backend", "Draft", attention=True),
            Row("draft +compile +attn", "backend", "Draft", compile=True, attention=True),
            Row("draft client +compile +attn", "client", "Draft", compile=True, attention=True),
            Row("standard +cache +compile +attn", "backend", "Standard", cache=True, compile=True, attention=True),
        ]
    return rows


def job_for(row: Row, bm: BenchModel, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    draft = row.profile_name == "Draft"
    width, height = TINY_SIZE if args.tiny else bm.size
    steps = (TINY_STEPS if args.tiny else 4) if draft else (TINY_STEPS if args.tiny else bm.standard_steps)
    return {
        "runner": row.runner,
        "model": bm.model_id,
        "width": width,
        "height": height,
        "frames": TINY_FRAMES if args.tiny else bm.frames,
        "steps": steps,
        "guidance": 1.0 if draft else bm.standard_cfg,
        "profile": "standard" if row.cache else "final",  # final: nothing skipped, no LoRA looked up
        "device": "cuda" if args.cuda else "cpu",
        "folder": str(folder),
        "cache": str(args.cache),
    }


def env_for(row: Row, args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PROMPTCUT_MODELS": str(args.cache),
            "PROMPTCUT_DEVICE": "cuda" if args.cuda else "cpu",
            "PROMPTCUT_COMPILE": "on" if row.compile else "off",
            "PROMPTCUT_ATTENTION": args.attention if row.attention else "native",
            "PROMPTCUT_OFFLOAD": "none" if args.cuda else "auto",
            # Random-weight timings are not this machine's shot times: keep them out of the user's file.
            "PROMPTCUT_SHOT_TIMES": str(args.cache / "shot_times.json"),
            "HF_HUB_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_row(row: Row, bm: BenchModel, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    job = job_for(row, bm, args, folder)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env_for(row, args), timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"over {args.timeout} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {done.returncode}: {tail[:200]}"}


# -- the table --------------------------------------------------------------------------------------------------------
def _f(value: Any, unit: str = "s", digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f} {unit}"


def table(results: list[tuple[str, Row, dict[str, Any]]], device: str) -> list[str]:
    head = f"{'model':<17} {'run':<31} {'s/step':>10} {'denoise':>10} {'decode':>10} {'shot':>10} {'peak VRAM':>10}"
    lines = [
        f"5 s shot per model and speed lever on {device} (random weights; see the docstring)",
        head,
        "-" * len(head),
    ]
    direct = {(mid, r.profile_name): res.get("shot_s") for mid, r, res in results if r.runner == "direct"}
    for mid, row, res in results:
        if "error" in res:
            lines.append(f"{mid:<17} {row.label:<31} failed: {res['error']}")
            continue
        lines.append(
            f"{mid:<17} {row.label:<31} {_f(res.get('s_per_step'), 's', 3):>10} "
            f"{_f(res.get('denoise_s')):>10} {_f(res.get('decode_s')):>10} {_f(res.get('shot_s')):>10} "
            f"{_f(res.get('peak_gb'), 'GB', 1):>10}"
        )
    lines.append("")
    for mid, row, res in results:
        peer = direct.get((mid, row.profile_name))
        if row.label in ("draft", "standard") and peer and res.get("shot_s"):
            lines.append(f"worker-path overhead {mid} {row.label}: backend/direct = {res['shot_s'] / peer:.3f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuda", action="store_true", help="the real architectures on the GPU")
    parser.add_argument("--tiny", action="store_true", help="tiny twins on the CPU (the default without CUDA)")
    parser.add_argument("--quick", action="store_true", help="only Draft through backend, direct and client")
    parser.add_argument("--models", help=f"comma-separated, from: {', '.join(MODELS)}")
    parser.add_argument("--attention", default="auto", help="PROMPTCUT_ATTENTION for the +attn rows (default auto)")
    parser.add_argument("--cache", type=Path, help="where the built folders go (default: ~/.cache/promptcut-bench)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per configuration")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(json.loads(args.child))
        return 0
    import torch

    has_cuda = torch.cuda.is_available()
    if args.cuda and args.tiny:
        parser.error("--cuda and --tiny exclude each other")
    if args.cuda and not has_cuda:
        print("generation_speed: --cuda asked but torch sees no CUDA GPU on this machine", file=sys.stderr)
        return 2
    if not args.cuda:
        args.tiny = True
    ids = args.models.split(",") if args.models else list(MODELS)
    unknown = [m for m in ids if m not in MODELS]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.tiny and args.quick and not args.models:
        ids = ["wan2.1-t2v-1.3b"]
    base = args.cache or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "promptcut-bench"
    args.cache = (base / ("tiny" if args.tiny else "full")).absolute()
    device = torch.cuda.get_device_name(0) if args.cuda else "cpu (tiny twins at 64x64, 9 frames: plumbing only)"
    results: list[tuple[str, Row, dict[str, Any]]] = []
    for mid in ids:
        folder, built = ensure_folder(args.cache, mid, args.tiny, "cuda" if args.cuda else "cpu")
        if built:
            print(f"built {mid} into {folder} in {built:.0f} s", file=sys.stderr)
        for row in plan_rows(args.quick, args.cuda):
            res = run_row(row, MODELS[mid], args, folder)
            print(f"{mid} {row.label}: {json.dumps(res)}", file=sys.stderr)
            results.append((mid, row, res))
    print("\n".join(table(results, device)))
    return 1 if any("error" in res for _m, _r, res in results) else 0


if __name__ == "__main__":
    sys.exit(main())

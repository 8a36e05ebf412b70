"""The generator's worker path against calling the same diffusers pipeline directly, in one run. Not a test.

Part 1 (any machine): N jobs of one size with different seeds, (a) through ``GeneratorClient`` -> SQLite job
store -> worker process -> DiffusersBackend -> MP4 + sidecar, and (b) in this process with the same pipeline
class and weights (``tiny-wan`` loaded with ``WanPipeline.from_pretrained``), the same call arguments and the
same MP4 writer. Both sides are warm (worker start-up and model loading are reported apart, not counted).
Jobs run in back-to-back pairs (same seed, alternating which side goes first) so load elsewhere on a shared
machine hits both alike. Prints per-job times, the overhead ratio (target <= 1.05 once warm: the median of the
paired ratios, with the ratio of medians and of sums beside it), the orchestration cost in ms per job (submit ->
DONE minus the worker's own generate + encode), a check that both sides made identical frames, and the
cache-hit latency (an identical request: ms until it is DONE).

Part 2 (``--real-wan``, CUDA only): the real Wan 2.1 T2V 1.3B architecture built from its published configs
(transformer, VAE, UMT5-XXL text encoder) with random weights, at 832x480, 81 frames; seconds per shot and peak
GPU memory for: ``baseline`` (everything on the GPU, 50 steps, CFG 5), ``memory`` (model CPU offload + VAE
tiling, through ``generation.backends.memory``), ``fast`` (a step-distilled recipe's schedule: 4 steps, CFG 1)
and ``fast-compile`` (the same with the transformer's repeated blocks compiled). Random weights time the compute
exactly but say nothing about quality. Without CUDA it prints that it was skipped and why.

    .venv/bin/python bench/generation_overhead.py [--jobs 8] [--rounds 3] [--size 256x256] [--frames 33]
        [--steps 4] [--threads 1] [--device cpu] [--keep DIR]
    .venv/bin/python bench/generation_overhead.py --real-wan [--real-wan-steps 50] [--real-wan-runs ...]

``--threads`` sets torch's CPU threads on both sides (default 1: on a small shared machine OpenMP threads that
contend with other processes make CPU timings swing tenfold; 0 leaves torch's default).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Published configs of Wan-AI/Wan2.1-T2V-1.3B-Diffusers (transformer/config.json, scheduler/scheduler_config.json,
# text_encoder/config.json = google/umt5-xxl); the VAE is AutoencoderKLWan's defaults, which are Wan 2.1's.
WAN21_1_3B_TRANSFORMER = dict(
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
    image_dim=None,
    added_kv_proj_dim=None,
    rope_max_seq_len=1024,
)
UMT5_XXL = dict(
    vocab_size=256384,
    d_model=4096,
    d_kv=64,
    d_ff=10240,
    num_layers=24,
    num_heads=64,
    relative_attention_num_buckets=32,
    relative_attention_max_distance=128,
    feed_forward_proj="gated-gelu",
    dropout_rate=0.0,
    layer_norm_epsilon=1e-6,
    tie_word_embeddings=False,
)
WAN21_SCHEDULER = dict(prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000,
                       flow_shift=3.0)
REAL_WAN_RUNS = ("baseline", "fast", "fast-compile", "memory")


def parse_size(text: str) -> tuple[int, int]:
    w, _, h = text.lower().partition("x")
    return int(w), int(h)


def fmt(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


# ---------------------------------------------------------------------------------------------------------------
# Part 1: worker path vs direct
# ---------------------------------------------------------------------------------------------------------------


def make_specs(args: argparse.Namespace, seeds: list[int]) -> list[Any]:
    from generation.jobs import JobSpec

    w, h = parse_size(args.size)
    return [JobSpec.create(args.model, "a red fox runs through fresh snow", seed=s, width=w, height=h,
                           num_frames=args.frames, steps=args.steps) for s in seeds]


def load_direct(args: argparse.Namespace, models_dir: Path) -> tuple[Any, float]:
    """The same pipeline class and weights the backend loads, the plain diffusers way."""
    import diffusers
    import torch

    from generation.models import get_model
    from generation.testing import ensure_test_model

    info = get_model(args.model)
    folder = ensure_test_model(info.id, models_dir) if info.is_test_model else models_dir / info.id
    t0 = time.perf_counter()
    pipe = getattr(diffusers, info.base_pipeline).from_pretrained(
        str(folder), dtype=torch.float32 if args.device == "cpu" else torch.bfloat16, use_safetensors=True,
        local_files_only=True,
    )
    pipe.set_progress_bar_config(disable=True)
    pipe.to(args.device)
    return pipe, time.perf_counter() - t0


def direct_job(pipe: Any, spec: Any, out: Path) -> tuple[float, float]:
    """One job in this process: (pipeline seconds, encode seconds)."""
    import numpy as np
    import torch

    from generation.models import get_model
    from generation.writer import write_video

    info = get_model(spec.model)
    t0 = time.perf_counter()
    result = pipe(
        prompt=spec.prompt,
        negative_prompt=spec.negative_prompt,
        height=spec.height,
        width=spec.width,
        num_frames=spec.num_frames,
        num_inference_steps=spec.steps,
        guidance_scale=spec.guidance,
        generator=torch.Generator(device="cpu").manual_seed(spec.seed),
        output_type="np",
        **info.call_kwargs,
    )
    if torch.cuda.is_available() and str(pipe.device).startswith("cuda"):
        torch.cuda.synchronize()
    t1 = time.perf_counter()
    frames = (np.clip(np.asarray(result.frames[0], dtype=np.float32), 0, 1) * 255).round().astype(np.uint8)
    write_video(frames, out, info.fps)
    return t1 - t0, time.perf_counter() - t1


def decode(path: str | Path) -> Any:
    import av
    import numpy as np

    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])


def overhead(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    import numpy as np
    import torch

    from generation.client import GeneratorClient
    from generation.jobs import JobState

    models_dir = Path(args.models_dir) if args.models_dir else root / "models"
    seeds = list(range(1, args.jobs + 1))
    specs = make_specs(args, seeds)
    warm_spec = make_specs(args, [0])[0]
    worker_env = {"PROMPTCUT_DEVICE": args.device}
    if args.threads:
        worker_env.update(OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))

    print(f"model {args.model}, {specs[0].width}x{specs[0].height}, {specs[0].num_frames} frames, "
          f"{specs[0].steps} steps, {args.jobs} jobs x {args.rounds} rounds, device {args.device}, "
          f"torch threads {torch.get_num_threads()}", flush=True)

    # -- direct: warm up -------------------------------------------------------------------------------------------
    pipe, load_s = load_direct(args, models_dir)
    direct_dir = root / "direct"
    t0 = time.perf_counter()
    direct_job(pipe, warm_spec, direct_dir / "warm.mp4")
    print(f"direct: load {fmt(load_s)}, first job {fmt(time.perf_counter() - t0)} (not counted)", flush=True)

    # -- worker: start and warm up ---------------------------------------------------------------------------------
    client = GeneratorClient(root / "jobs.sqlite", root / "media", models_dir=models_dir, env=worker_env)
    t0 = time.perf_counter()
    warm = client.wait(client.submit(warm_spec, no_cache=True).id, timeout=600)
    first_job_s = time.perf_counter() - t0
    if warm.state is not JobState.DONE:
        raise SystemExit(f"the warm-up job failed: {warm.message}")
    startup_s = client.last_startup_s or float("nan")
    print(f"worker: start-up {fmt(startup_s)} (spawn -> ready: interpreter, torch, diffusers), first job incl. "
          f"start-up and model load {fmt(first_job_s)} (not counted)", flush=True)

    direct_jobs: list[float] = []  # each direct job: pipeline + MP4
    worker_jobs: list[float] = []  # each worker job: submit -> DONE as the client sees it
    pairs: list[float] = []  # worker / direct for the same seed, run back to back
    orchestration: list[float] = []  # worker wall minus the worker's own generate + encode, per job
    pipe_s: list[float] = []
    encode_s: list[float] = []
    worker_pipe_s: list[float] = []
    worker_encode_s: list[float] = []
    worker_outputs: dict[int, str] = {}

    def direct_one(r: int, spec: Any) -> float:
        p, e = direct_job(pipe, spec, direct_dir / f"r{r}-s{spec.seed}.mp4")
        pipe_s.append(p)
        encode_s.append(e)
        direct_jobs.append(p + e)
        return p + e

    def worker_one(r: int, spec: Any) -> float:
        t0 = time.perf_counter()
        job = client.wait(client.submit(spec, no_cache=True).id, timeout=600)
        wall = time.perf_counter() - t0
        if job.state is not JobState.DONE:
            raise SystemExit(f"a worker job failed: {job.message}")
        worker_jobs.append(wall)
        worker_outputs.setdefault(spec.seed, job.output or "")
        timings = job.result["timings"]
        encode = json.loads(Path(job.sidecar).read_text())["timings"]["encode_s"]
        worker_pipe_s.append(timings["pipeline_s"])
        worker_encode_s.append(encode)
        orchestration.append(wall - timings["total_s"] - encode)
        return wall

    # Pairs run back to back, alternating which side goes first, so load elsewhere on a shared machine hits
    # both sides alike; medians keep a burst from deciding the figure.
    for r in range(args.rounds):
        for i, spec in enumerate(specs):
            if (r + i) % 2 == 0:
                d, w = direct_one(r, spec), worker_one(r, spec)
            else:
                w, d = worker_one(r, spec), direct_one(r, spec)
            pairs.append(w / d)
        n = len(specs)
        print(f"round {r + 1}: direct {fmt(statistics.median(direct_jobs[-n:]))}/job, worker "
              f"{fmt(statistics.median(worker_jobs[-n:]))}/job (medians), paired ratio "
              f"{statistics.median(pairs[-n:]):.3f}", flush=True)

    same = all(np.array_equal(decode(direct_dir / f"r0-s{s}.mp4"), decode(worker_outputs[s])) for s in seeds[:2])

    # -- cache hits ------------------------------------------------------------------------------------------------
    hits = []
    for _ in range(50):
        t0 = time.perf_counter()
        job = client.submit(specs[0])
        hits.append(time.perf_counter() - t0)
        assert job.state is JobState.DONE
    client.close()
    t0 = time.perf_counter()
    fresh = GeneratorClient(root / "jobs.sqlite", root / "media", models_dir=models_dir)
    hit = fresh.submit(specs[0])
    fresh_hit_s = time.perf_counter() - t0
    assert hit.state is JobState.DONE and fresh.worker_pid is None
    fresh.close()

    med = statistics.median
    out = {
        "model": args.model,
        "size": f"{specs[0].width}x{specs[0].height}",
        "frames": specs[0].num_frames,
        "steps": specs[0].steps,
        "jobs": args.jobs,
        "rounds": args.rounds,
        "device": args.device,
        "torch_threads": torch.get_num_threads(),
        "direct_s_per_job_median": med(direct_jobs),
        "direct_pipeline_s_median": med(pipe_s),
        "direct_encode_s_median": med(encode_s),
        "worker_s_per_job_median": med(worker_jobs),
        "worker_pipeline_s_median": med(worker_pipe_s),
        "worker_encode_s_median": med(worker_encode_s),
        "ratio_paired_median": med(pairs),
        "ratio_of_medians": med(worker_jobs) / med(direct_jobs),
        "ratio_of_sums": sum(worker_jobs) / sum(direct_jobs),
        "orchestration_ms_per_job_median": med(orchestration) * 1000,
        "identical_frames": same,
        "worker_startup_s": startup_s,
        "worker_first_job_s": first_job_s,
        "cache_hit_ms_median": med(hits) * 1000,
        "cache_hit_ms_max": max(hits) * 1000,
        "cache_hit_new_client_ms": fresh_hit_s * 1000,
    }
    print()
    print(f"direct (pipeline + MP4)  {fmt(out['direct_s_per_job_median'])}/job  (pipeline "
          f"{fmt(out['direct_pipeline_s_median'])}, encode {fmt(out['direct_encode_s_median'])}; medians)")
    print(f"worker path              {fmt(out['worker_s_per_job_median'])}/job  (its pipeline "
          f"{fmt(out['worker_pipeline_s_median'])}, encode {fmt(out['worker_encode_s_median'])}; submit -> DONE)")
    print(f"overhead ratio           {out['ratio_paired_median']:.3f} (median of paired jobs; ratio of medians "
          f"{out['ratio_of_medians']:.3f}, of sums {out['ratio_of_sums']:.3f}); target <= 1.05 once warm")
    print(f"orchestration            {out['orchestration_ms_per_job_median']:.1f} ms/job median (submit -> DONE "
          "minus the worker's own generate + encode: SQLite, hashing, pipes, JSON, sidecar, thread hand-offs)")
    print(f"identical frames         {'yes' if same else 'NO'} (direct vs worker, same seeds)")
    print(f"worker start-up          {fmt(startup_s)} spawn -> ready (excluded); first job with model load "
          f"{fmt(first_job_s)}")
    print(f"cache hit                {out['cache_hit_ms_median']:.2f} ms median, {out['cache_hit_ms_max']:.2f} ms max "
          f"(submit -> DONE); new client + hit {out['cache_hit_new_client_ms']:.1f} ms, no worker started")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Part 2: real Wan 2.1 1.3B architecture on CUDA
# ---------------------------------------------------------------------------------------------------------------


def build_real_wan(device: Any, dtype: Any, *, shrink: bool = False) -> Any:
    """WanPipeline with the published Wan 2.1 T2V 1.3B architecture and random weights, built on ``device``.
    ``shrink``: the same code path with tiny widths (a CPU check of the plumbing; it measures nothing)."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    from generation.testing.tiny_parts import tokenizer as _tokenizer

    transformer_cfg = dict(WAN21_1_3B_TRANSFORMER)
    t5_cfg = dict(UMT5_XXL)
    vae_cfg: dict[str, Any] = {}
    if shrink:
        transformer_cfg.update(num_attention_heads=2, attention_head_dim=12, ffn_dim=32, num_layers=2, text_dim=32,
                               rope_max_seq_len=32)
        t5_cfg.update(vocab_size=1000, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4)
        vae_cfg = dict(base_dim=3, dim_mult=[1, 1, 1, 1], num_res_blocks=1)
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    with torch.device(device):
        try:
            torch.set_default_dtype(dtype)  # initialise in the target dtype: no float32 copy of UMT5-XXL
            text_encoder = UMT5EncoderModel(UMT5Config(**t5_cfg)).eval()
        finally:
            torch.set_default_dtype(previous)
        transformer = WanTransformer3DModel(**transformer_cfg)
        vae = AutoencoderKLWan(**vae_cfg)  # float32: the registry keeps Wan's VAE in float32 (vae_fp32)
    cast_like_from_pretrained(transformer, dtype)
    pipe = WanPipeline(
        tokenizer=_tokenizer(),
        text_encoder=text_encoder,
        vae=vae,
        scheduler=UniPCMultistepScheduler(**WAN21_SCHEDULER),
        transformer=transformer,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe


def cast_like_from_pretrained(model: Any, dtype: Any) -> None:
    """Cast to ``dtype`` but keep the model's ``_keep_in_fp32_modules`` in float32, as ``from_pretrained`` does."""
    keep = set(getattr(model, "_keep_in_fp32_modules", None) or ())
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if tensor.is_floating_point() and not keep & set(name.split(".")):
            tensor.data = tensor.data.to(dtype)


def real_wan(args: argparse.Namespace) -> dict[str, Any] | None:
    import torch

    from generation.backends.memory import MemoryPlan, apply_plan
    from generation.models import get_model

    shrink = args.real_wan_smoke
    if not shrink and not torch.cuda.is_available():
        why = "torch was built without CUDA" if torch.version.cuda is None else "no CUDA device is visible"
        print(f"\nreal Wan 2.1 1.3B: skipped: {why} (torch {torch.__version__}); it needs an NVIDIA GPU with "
              "about 30 GB free for the unoffloaded baseline.", flush=True)
        return None
    info = get_model("wan2.1-t2v-1.3b")
    device = torch.device("cpu" if shrink else "cuda")
    dtype = torch.bfloat16  # the smoke run too: it checks the same dtype handling
    size = info.sizes[0]
    width, height, frames = (64, 64, 9) if shrink else (size.width, size.height, info.default_frames)
    steps = 2 if shrink else args.real_wan_steps
    runs = [r for r in args.real_wan_runs.split(",") if r]
    unknown = sorted(set(runs) - set(REAL_WAN_RUNS))
    if unknown:
        raise SystemExit(f"unknown --real-wan-runs {unknown}; choose from {', '.join(REAL_WAN_RUNS)}")
    if shrink:  # model offload needs an accelerator; compiling a toy on the CPU proves little and takes long
        runs = [r for r in runs if r in ("baseline", "fast")]
    runs.sort(key=REAL_WAN_RUNS.index)  # memory last: offload moves the modules off the GPU

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    t0 = time.perf_counter()
    pipe = build_real_wan(device, dtype, shrink=shrink)
    sync()
    label = "shrunken Wan 2.1 1.3B code path (CPU plumbing check)" if shrink else "Wan 2.1 T2V 1.3B (random)"
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"\n{label} on {gpu}: built in {time.perf_counter() - t0:.1f} s; {width}x{height}, {frames} frames",
          flush=True)

    def shot(n_steps: int, guidance: float) -> tuple[float, float | None]:
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        sync()
        t = time.perf_counter()
        pipe(prompt="a red fox runs through fresh snow, cinematic", negative_prompt=info.default_negative_prompt,
             height=height, width=width, num_frames=frames, num_inference_steps=n_steps, guidance_scale=guidance,
             generator=torch.Generator(device="cpu").manual_seed(0), output_type="np")
        sync()
        seconds = time.perf_counter() - t
        peak = torch.cuda.max_memory_allocated(device) / 1024**3 if device.type == "cuda" else None
        return seconds, peak

    warm_s, _ = shot(2, info.default_guidance)  # kernels, allocator, cuDNN autotuning
    print(f"warm-up (2 steps) {warm_s:.1f} s", flush=True)
    results: dict[str, Any] = {"device": gpu, "width": width, "height": height, "frames": frames}
    for run in runs:
        extra = ""
        if run == "memory":
            pipe.to("cpu")
            if device.type == "cuda":
                torch.cuda.empty_cache()
            apply_plan(pipe, MemoryPlan("model", True, "bench: model CPU offload + VAE tiling"), device)
        if run == "fast-compile":
            try:
                if hasattr(pipe.transformer, "compile_repeated_blocks"):
                    pipe.transformer.compile_repeated_blocks(fullgraph=True)
                else:  # pragma: no cover - older diffusers
                    pipe.transformer = torch.compile(pipe.transformer)
                compile_s, _ = shot(2, 1.0)
            except Exception as exc:  # noqa: BLE001 - report and go on with the other runs
                print(f"  {run:13s} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}", flush=True)
                results[run] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                continue
            extra = f", compile + first call {compile_s:.1f} s (not counted)"
            results["compile_s"] = compile_s
        n_steps, guidance = (4, 1.0) if run.startswith("fast") else (steps, info.default_guidance)
        seconds, peak = shot(n_steps, guidance)
        results[run] = {"s_per_shot": seconds, "steps": n_steps, "guidance": guidance, "peak_gb": peak}
        peak_text = f", peak {peak:.1f} GB" if peak is not None else ""
        print(f"  {run:13s} {seconds:7.1f} s/shot ({n_steps} steps, CFG {guidance:g}){peak_text}{extra}", flush=True)
    if "s_per_shot" in results.get("baseline", {}):
        base = results["baseline"]["s_per_shot"]
        for run in runs:
            if run != "baseline" and "s_per_shot" in results.get(run, {}):
                print(f"  {run:13s} x{base / results[run]['s_per_shot']:.2f} against baseline", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="tiny-wan")
    parser.add_argument("--size", default="256x256")
    parser.add_argument("--frames", type=int, default=33)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--device", default="cpu", help="cpu or cuda, for both sides")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads on both sides (0: torch default)")
    parser.add_argument("--models-dir", default=None, help="default: a temporary folder (test models built there)")
    parser.add_argument("--keep", default=None, help="keep outputs in this folder")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--skip-overhead", action="store_true", help="only the --real-wan part")
    parser.add_argument("--real-wan", action="store_true", help="also time the real Wan 2.1 1.3B architecture (CUDA)")
    parser.add_argument("--real-wan-steps", type=int, default=50)
    parser.add_argument("--real-wan-runs", default=",".join(REAL_WAN_RUNS))
    parser.add_argument("--real-wan-smoke", action="store_true", help=argparse.SUPPRESS)  # CPU plumbing check
    args = parser.parse_args(argv)

    if args.threads:
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="promptcut-bench-gen-"))
    root.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["PROMPTCUT_MODELS"] = args.models_dir or str(root / "models")
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    figures: dict[str, Any] = {}
    try:
        if not args.skip_overhead:
            figures["overhead"] = overhead(args, root)
        if args.real_wan or args.real_wan_smoke:
            figures["real_wan"] = real_wan(args)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

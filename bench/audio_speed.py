"""How fast the sound paths are, each against a peer measured in the same run. Not a test.

Every figure is a ratio against something timed beside it, because a CPU or GPU's absolute speed says little
and the question is what PromptCut's path costs over the plain library call:

* **Speech, espeak-ng**: ``AudioBackend`` (which loads a private copy of the library for every job, chunks the
  text, trims silence) against the ``espeak-ng`` command-line program when one is installed (it pays a process
  start per line), and against the same library kept loaded across lines (our ctypes binding without the
  per-job load: what the fresh load costs).
* **Speech, Kokoro**: ``AudioBackend`` (G2P, chunking, voice pack, seeding, trimming) against a direct
  ``KModel(phonemes, style, speed)`` on the same phonemes (made once, outside the timing): what our wrapper adds.
* **Sound**: ``AudioBackend`` against ``StableAudioPipeline.from_pretrained(folder)(...)`` with the same prompt,
  seed, steps and length; and the worker path (``GeneratorClient`` submit to done: job store, worker process,
  WAV and sidecar written) against the in-process backend: the queue's cost in milliseconds.
* **Transcription**: ``AudioBackend`` (ffmpeg decodes the file, Whisper with word timings) against
  transformers' ``pipeline("automatic-speech-recognition")`` with word timestamps on the same 16 kHz samples
  (already in memory).

Speech and transcription are reported as "x real time" (seconds of sound per second of compute); each pair
also as a ratio (ours / peer: above 1 our path is faster for speed figures; overhead is ours' time over the
peer's). Each row is one warm-up, then ``--repeats`` timed runs, ours and the peer's alternating so that a
machine's drift hits both; median and the spread (min..max) are printed.

    .venv/bin/python bench/audio_speed.py --tiny                 # tiny random-weight models, 1 repeat (plumbing)
    .venv/bin/python bench/audio_speed.py --real [--repeats 5]   # installed models (else their tiny twins)
    .venv/bin/python bench/audio_speed.py --tiny --json          # the same figures as JSON

Tiny models have random weights: their times check the plumbing and the wrapper's fixed costs, nothing about
the real models' speed. With ``--real`` the installed Kokoro, Stable Audio Open and Whisper (the models folder or
the Hugging Face cache, ``generation.audio.locate``) are used; a missing one falls back to its tiny twin and
the row says so.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Nothing here may reach the hub: every model comes from a local folder.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# torchsde's Brownian tree warns on Stable Audio's last (zero) sigma in the direct call too; our path filters it.
warnings.filterwarnings("ignore", message="Should have ")

SPEECH = ("The harbour wakes up at dawn. Gulls circle over the fishing boats, and the first ferry sounds its horn "
          "across the water. By seven the market is loud with voices.")
SOUND = "rain on a tin roof, distant thunder"
SEED = 7
REAL = {  # the installed model each section prefers with --real, best first; the tiny twin otherwise
    "espeak": ("espeak-ng",),
    "kokoro": ("kokoro-82m",),
    "sound": ("stable-audio-open-1.0",),
    "transcript": ("whisper-large-v3-turbo", "whisper-small", "whisper-base"),
}
TINY = {"espeak": "espeak-ng", "kokoro": "tiny-kokoro", "sound": "tiny-stable-audio", "transcript": "tiny-whisper"}
SECTIONS = ("speech", "sound", "transcription")


# -- timing ----------------------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One path's timed runs: compute seconds per run and the seconds of sound each run made or heard."""

    name: str
    model: str
    role: str  # ours | peer | worker
    runs: list[float] = field(default_factory=list)
    audio_s: float = 0.0
    error: str = ""
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def x_real_time(self) -> float | None:
        m = self.median
        return self.audio_s / m if m and self.audio_s else None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, "role": self.role, "runs_s": self.runs,
                "median_s": self.median, "min_s": min(self.runs, default=None), "max_s": max(self.runs, default=None),
                "audio_s": self.audio_s or None, "x_real_time": self.x_real_time, "error": self.error or None,
                "note": self.note or None}


Job = Callable[[], float]  # one run; returns the seconds of sound it made or heard


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def measure(rows: list[tuple[Row, Job | None]], repeats: int) -> None:
    """Warm each path up once, then time ``repeats`` rounds, the paths alternating within a round. A path that
    fails keeps its one-line error and drops out; the others go on."""
    live = [(row, job) for row, job in rows if job is not None and not row.error]
    for row, job in live:
        try:
            row.audio_s = job()
        except Exception as exc:  # noqa: BLE001 - reported as one line, the bench goes on
            row.error = _one_line(exc)
    for _ in range(repeats):
        for row, job in live:
            if row.error:
                continue
            try:
                t0 = time.perf_counter()
                row.audio_s = job()
                row.runs.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001
                row.error = _one_line(exc)


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


# -- model folders -----------------------------------------------------------------------------------------------------
@dataclass
class Setup:
    device: str
    repeats: int
    real: bool
    cache: Path  # where tiny models are built
    work: Path  # scratch files of this run

    def root(self, model_id: str) -> str | None:
        """Where the backend and the worker look for ``model_id``: tiny twins in the bench's cache (never the
        user's models folder), real models where PromptCut finds them."""
        return str(self.cache) if model_id.startswith("tiny") else None

    def model(self, section: str) -> tuple[str, str]:
        """(model id, note) for a section: the best installed real model with --real, else the tiny twin."""
        from generation.audio.locate import find_audio_model

        if self.real:
            for model_id in REAL[section]:
                if find_audio_model(model_id, build_test_models=False) is not None:
                    return model_id, ""
            return TINY[section], f"{' / '.join(REAL[section])} not installed: its tiny twin instead"
        return TINY[section], ""

    def folder(self, model_id: str) -> Path:
        from generation.audio.locate import require_audio_model

        return Path(require_audio_model(model_id, models_root=self.root(model_id)).path)


def _backend(setup: Setup, model_id: str) -> Any:
    from generation.audio.backend import AudioBackend

    return AudioBackend(device=setup.device, models_root=setup.root(model_id))


# -- speech ----------------------------------------------------------------------------------------------------------
def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def espeak_cli_job(setup: Setup) -> Job | None:
    """The espeak-ng program speaking the same text to a WAV file, or None when it is not installed."""
    program = shutil.which("espeak-ng")
    if program is None:
        return None
    out = setup.work / "espeak-cli.wav"

    def job() -> float:
        subprocess.run([program, "-v", "en-us", "-s", "175", "-w", str(out), SPEECH], check=True,
                       capture_output=True, timeout=120)
        return _wav_seconds(out)

    return job


@contextlib.contextmanager
def espeak_kept_loaded() -> Iterator[Job]:
    """Our ctypes binding with the library loaded once for every line (what a job's fresh load costs)."""
    import numpy as np

    from generation.audio import speech_espeak as se

    with se._fresh_library() as engine:  # a private copy of its own: it does not share state with the jobs
        if not engine.set_voice("en-us"):
            raise RuntimeError("espeak-ng has no en-us voice")
        engine.lib.espeak_SetParameter(se._RATE, se.NORMAL_WPM, 0)

        def job() -> float:
            spoken = []
            for i, piece in enumerate(se.chunks(SPEECH)):
                engine.seed(SEED + i)
                spoken.append(engine.speak(piece, lambda: False))
            return float(sum(len(s) for s in spoken)) / engine.sample_rate if spoken else float(np.nan)

        yield job


def speech_section(setup: Setup) -> tuple[list[Row], list[dict[str, Any]]]:
    from generation.audio.job_spec import AudioJobSpec

    model_id, note = setup.model("kokoro")
    backend = _backend(setup, model_id)  # the basic voice needs no folder; Kokoro's decides where to look
    rows: list[Row] = []
    pairs: list[dict[str, Any]] = []

    # espeak-ng: the built-in basic voice.
    spec = AudioJobSpec.create("speech", "espeak-ng", SPEECH, voice="en-us", seed=SEED)
    ours = Row("espeak-ng (our path)", "espeak-ng", "ours")
    cli = Row("espeak-ng CLI", "espeak-ng", "peer")
    kept = Row("espeak-ng library kept loaded", "espeak-ng", "peer")
    cli_job = espeak_cli_job(setup)
    if cli_job is None:
        cli.error = "no peer: the espeak-ng program is not installed"
    with contextlib.ExitStack() as stack:
        try:
            kept_job: Job | None = stack.enter_context(espeak_kept_loaded())
        except Exception as exc:  # noqa: BLE001
            kept_job, kept.error = None, _one_line(exc)
        measure([(ours, lambda: backend.run(spec).seconds), (cli, cli_job), (kept, kept_job)], setup.repeats)
    rows += [ours, cli, kept]
    pairs += [_speed_pair("espeak-ng", ours, cli), _speed_pair("espeak-ng", ours, kept)]

    # Kokoro: our wrapper against KModel on the same phonemes.
    voice = "af_test" if model_id.startswith("tiny") else "af_heart"
    spec = AudioJobSpec.create("speech", model_id, SPEECH, voice=voice, seed=SEED)
    ours = Row(f"{model_id} (our path)", model_id, "ours", note=note)
    direct = Row(f"{model_id} KModel direct", model_id, "peer", note="same phonemes, made outside the timing")
    try:
        direct_job: Job | None = kmodel_job(setup, model_id, voice)
    except Exception as exc:  # noqa: BLE001
        direct_job, direct.error = None, _one_line(exc)
    measure([(ours, lambda: backend.run(spec).seconds), (direct, direct_job)], setup.repeats)
    rows += [ours, direct]
    pairs.append(_speed_pair(model_id, ours, direct))
    backend.unload()
    return rows, pairs


def kmodel_job(setup: Setup, model_id: str, voice: str) -> Job:
    """Kokoro's ``KModel`` called directly, as ``KPipeline`` would, on the phonemes our G2P makes of the text."""
    import numpy as np
    import torch
    from kokoro.model import KModel

    from generation.audio import speech_kokoro as sk
    from generation.audio.models import get_audio_model

    info = get_audio_model(model_id)
    folder = setup.folder(model_id)
    with sk.quiet_kokoro():
        model = KModel(repo_id=info.repo or "hexgrad/Kokoro-82M", config=str(folder / "config.json"),
                       model=str(sk._weights_file(info, folder))).to(setup.device).eval()
    pack = torch.load(folder / "voices" / f"{voice}.pt", map_location="cpu", weights_only=True).to(setup.device)
    phonemes = sk.text_chunks(sk.LoadedKokoro(model=model, folder=folder, device=setup.device), SPEECH, voice[0])

    def job() -> float:
        n = 0
        for ps in phonemes:
            audio = model(ps, pack[min(len(ps), len(pack)) - 1], 1.0)
            n += int(np.asarray(audio.detach().float().cpu()).shape[-1])
        return n / sk.SAMPLE_RATE

    return job


def _speed_pair(label: str, ours: Row, peer: Row) -> dict[str, Any]:
    a, b = ours.x_real_time, peer.x_real_time
    return {"label": label, "ours": ours.name, "peer": peer.name, "measure": "x real time, ours / peer",
            "ratio": a / b if a and b else None, "why_none": peer.error or ours.error or None}


# -- sound -----------------------------------------------------------------------------------------------------------
def sound_spec(setup: Setup, model_id: str, args: argparse.Namespace) -> Any:
    from generation.audio.job_spec import AudioJobSpec

    values: dict[str, Any] = {"seconds": args.seconds or (2.0 if model_id.startswith("tiny") else 10.0),
                              "seed": SEED}
    if args.steps:
        values["steps"] = args.steps
    return AudioJobSpec.create("sound", model_id, SOUND, **values)


def stable_audio_job(setup: Setup, spec: Any) -> Job:
    import torch
    from diffusers import StableAudioPipeline

    cuda = setup.device.startswith("cuda")
    pipe = StableAudioPipeline.from_pretrained(setup.folder(spec.model),
                                               torch_dtype=torch.float16 if cuda else torch.float32).to(setup.device)
    pipe.set_progress_bar_config(disable=True)

    def job() -> float:
        out = pipe(prompt=spec.prompt, negative_prompt=spec.negative_prompt or None,
                   num_inference_steps=spec.steps, guidance_scale=spec.guidance, audio_end_in_s=spec.seconds,
                   num_waveforms_per_prompt=1, generator=torch.Generator("cpu").manual_seed(spec.seed),
                   output_type="pt")
        out.audios[0].float().cpu()
        return spec.seconds

    return job


def worker_job(setup: Setup, client: Any, spec: Any) -> Job:
    """Submit to done through the job store and the worker process (never a cache hit)."""
    import dataclasses

    seeds = iter(range(spec.seed, spec.seed + 10_000))

    def job() -> float:
        one = dataclasses.replace(spec, seed=next(seeds))  # a new job each time, as a creator's retake is
        done = client.wait(client.submit(one, no_cache=True).id, timeout=3600)
        if done.state.value != "done":
            raise RuntimeError(f"the worker's job ended {done.state.value}: {done.message}")
        return float(done.result.get("seconds") or spec.seconds)

    return job


def sound_section(setup: Setup, args: argparse.Namespace) -> tuple[list[Row], list[dict[str, Any]]]:
    model_id, note = setup.model("sound")
    spec = sound_spec(setup, model_id, args)
    backend = _backend(setup, model_id)
    ours = Row(f"{model_id} (our path)", model_id, "ours", note=note)
    direct = Row(f"{model_id} StableAudioPipeline direct", model_id, "peer",
                 note=f"{spec.seconds:g} s, {spec.steps} steps, seed {spec.seed}")
    try:
        direct_job: Job | None = stable_audio_job(setup, spec)
    except Exception as exc:  # noqa: BLE001
        direct_job, direct.error = None, _one_line(exc)
    measure([(ours, lambda: backend.run(spec).seconds), (direct, direct_job)], setup.repeats)
    del direct_job
    rows = [ours, direct]
    pairs = [_overhead_pair(model_id, ours, direct)]
    if not args.no_worker:
        rows_w, pairs_w = worker_rows(setup, backend, spec)
        rows += rows_w
        pairs += pairs_w
    backend.unload()
    return rows, pairs


def worker_rows(setup: Setup, backend: Any, spec: Any) -> tuple[list[Row], list[dict[str, Any]]]:
    """The worker path against the in-process backend, for the sound and for the basic voice (whose job is so
    short that what is left is almost all queue)."""
    from generation.audio.job_spec import AudioJobSpec
    from generation.client import GeneratorClient

    voice = AudioJobSpec.create("speech", "espeak-ng", SPEECH, voice="en-us", seed=SEED)
    env = {"PROMPTCUT_DEVICE": setup.device, "HF_HUB_OFFLINE": "1"}
    rows: list[Row] = []
    pairs: list[dict[str, Any]] = []
    work = setup.work / "worker"
    with GeneratorClient(work / "jobs.sqlite", work / "out", models_dir=setup.root(spec.model), env=env) as client:
        for job_spec in (spec, voice):
            inproc = Row(f"{job_spec.model} in-process", job_spec.model, "ours")
            worker = Row(f"{job_spec.model} through the worker", job_spec.model, "worker",
                         note="submit to done: store, worker process, WAV + sidecar")
            measure([(inproc, lambda s=job_spec: backend.run(s).seconds),
                     (worker, worker_job(setup, client, job_spec))], setup.repeats)
            rows += [inproc, worker]
            a, b = worker.median, inproc.median
            pairs.append({"label": f"{job_spec.model} queue", "ours": worker.name, "peer": inproc.name,
                          "measure": "worker / in-process time", "ratio": a / b if a and b else None,
                          "extra_ms": (a - b) * 1000 if a and b else None,
                          "why_none": worker.error or inproc.error or None})
    return rows, pairs


def _overhead_pair(label: str, ours: Row, peer: Row) -> dict[str, Any]:
    a, b = ours.median, peer.median
    return {"label": label, "ours": ours.name, "peer": peer.name, "measure": "time, ours / peer (overhead)",
            "ratio": a / b if a and b else None, "extra_ms": (a - b) * 1000 if a and b else None,
            "why_none": peer.error or ours.error or None}


# -- transcription -----------------------------------------------------------------------------------------------------
def speech_source(setup: Setup) -> tuple[Path, Any]:
    """The espeak-ng line as a 16 kHz mono 16-bit WAV (ffmpeg resamples it), and its samples as float32."""
    import numpy as np

    from generation.audio.backend import AudioBackend
    from generation.audio.job_spec import AudioJobSpec
    from generation.audio.writer import write_wav
    from generation.ffmpeg import find_ffmpeg

    result = AudioBackend(device="cpu").run(AudioJobSpec.create("speech", "espeak-ng", SPEECH, seed=SEED))
    spoken = write_wav(result.samples, result.sample_rate, setup.work / "spoken.wav")
    source = setup.work / "spoken-16k.wav"
    subprocess.run([find_ffmpeg(), "-nostdin", "-v", "error", "-y", "-i", str(spoken), "-ac", "1", "-ar", "16000",
                    "-c:a", "pcm_s16le", str(source)], check=True, capture_output=True, timeout=120)
    with wave.open(str(source), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return source, samples


def asr_pipeline_job(setup: Setup, model_id: str, samples: Any, words: list[int]) -> Job:
    import torch
    from transformers import pipeline

    cuda = setup.device.startswith("cuda")
    asr = pipeline("automatic-speech-recognition", model=str(setup.folder(model_id)), device=setup.device,
                   dtype=torch.float16 if cuda else torch.float32)
    seconds = len(samples) / 16000

    def job() -> float:
        out = asr({"raw": samples, "sampling_rate": 16000}, return_timestamps="word",
                  generate_kwargs={"language": "en", "task": "transcribe"})
        _sync(setup.device)
        words.append(len(out.get("chunks") or []))
        return seconds

    return job


def transcription_section(setup: Setup) -> tuple[list[Row], list[dict[str, Any]]]:
    from generation.audio.job_spec import AudioJobSpec

    model_id, note = setup.model("transcript")
    source, samples = speech_source(setup)
    spec = AudioJobSpec.create("transcript", model_id, source=str(source), language="en", seed=SEED)
    backend = _backend(setup, model_id)
    ours = Row(f"{model_id} (our path)", model_id, "ours", note=note or "ffmpeg decodes the file; word timings")
    direct = Row(f"{model_id} ASR pipeline", model_id, "peer", note="word timestamps; samples already in memory")
    ours_words: list[int] = []
    peer_words: list[int] = []
    try:
        direct_job: Job | None = asr_pipeline_job(setup, model_id, samples, peer_words)
    except Exception as exc:  # noqa: BLE001
        direct_job, direct.error = None, _one_line(exc)

    def run_ours() -> float:
        result = backend.run(spec)
        ours_words.append(len(result.words))
        return float(result.timings.get("audio_s") or len(samples) / 16000)

    measure([(ours, run_ours), (direct, direct_job)], setup.repeats)
    # Decoding time follows the words said: a random model may say more by one path than by the other.
    ours.note += f"; {ours_words[-1] if ours_words else '?'} words"
    direct.note += f"; {peer_words[-1] if peer_words else '?'} words"
    backend.unload()
    return [ours, direct], [_speed_pair(model_id, ours, direct)]


# -- the report --------------------------------------------------------------------------------------------------------
def _t(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}x" if value >= 10 else f"{value:.2f}x"


def row_line(row: Row) -> str:
    if row.error:
        return f"  {row.name:<44} {row.error}"
    spread = f"({_t(min(row.runs))}..{_t(max(row.runs))}, n={len(row.runs)})" if row.runs else ""
    speed = f"{_x(row.x_real_time)} real time" if row.x_real_time else ""
    tail = f"  [{row.note}]" if row.note else ""
    return f"  {row.name:<44} {_t(row.median):>10} {spread:<30} {speed}{tail}"


def pair_line(pair: dict[str, Any], rows: dict[str, Row]) -> str:
    ours, peer = rows[pair["ours"]], rows[pair["peer"]]
    if pair["ratio"] is None:
        return f"{pair['label']}: {_x(ours.x_real_time)} real time (our path); {pair['why_none']}"
    if pair["measure"].startswith("x real time"):
        return (f"{pair['label']}: {_x(ours.x_real_time)} real time (our path) vs {_x(peer.x_real_time)} "
                f"({peer.name}): {pair['ratio']:.2f}x")
    return (f"{pair['label']}: {_t(ours.median)} ({ours.name}) vs {_t(peer.median)} ({peer.name}): "
            f"{pair['ratio']:.2f}x, {pair['extra_ms']:+.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny random-weight models, 1 repeat (the test's run)")
    parser.add_argument("--real", action="store_true", help="installed models where found (else tiny twins)")
    parser.add_argument("--repeats", type=int, help="timed runs per path after the warm-up (default 5; --tiny 1)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--device", default="", help="cpu, cuda (default: cpu with --tiny, else auto)")
    parser.add_argument("--seconds", type=float, default=0.0, help="the sound's length (default 2 s tiny, 10 s real)")
    parser.add_argument("--steps", type=int, default=0, help="the sound's steps (default: the model's)")
    parser.add_argument("--no-worker", action="store_true", help="skip the worker-process rows")
    parser.add_argument("--only", help=f"comma-separated sections from: {', '.join(SECTIONS)}")
    parser.add_argument("--cache", type=Path, help="where tiny models are built (default ~/.cache/promptcut-bench)")
    args = parser.parse_args(argv)
    if args.tiny and args.real:
        parser.error("--tiny and --real exclude each other")
    repeats = args.repeats if args.repeats is not None else (1 if args.tiny else 5)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    sections = args.only.split(",") if args.only else list(SECTIONS)
    if unknown := [s for s in sections if s not in SECTIONS]:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    import torch

    device = args.device or ("cpu" if not args.real else "cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        print("audio_speed: --device cuda asked but torch sees no CUDA GPU on this machine", file=sys.stderr)
        return 2
    base = args.cache or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "promptcut-bench"
    cache = (base / "audio-tiny").absolute()
    with tempfile.TemporaryDirectory(prefix="audio-speed-") as work:
        setup = Setup(device=device, repeats=repeats, real=args.real, cache=cache, work=Path(work))
        return report(setup, args, sections, torch)


def report(setup: Setup, args: argparse.Namespace, sections: list[str], torch: Any) -> int:
    results: dict[str, tuple[list[Row], list[dict[str, Any]]]] = {}
    for name in sections:
        print(f"audio_speed: {name} ...", file=sys.stderr, flush=True)
        try:
            if name == "speech":
                results[name] = speech_section(setup)
            elif name == "sound":
                results[name] = sound_section(setup, args)
            else:
                results[name] = transcription_section(setup)
        except Exception as exc:  # noqa: BLE001 - a section that cannot start is one line, the others go on
            results[name] = ([Row(name, "-", "ours", error=_one_line(exc))], [])
    where = torch.cuda.get_device_name(0) if setup.device.startswith("cuda") else f"cpu ({os.cpu_count()} cores)"
    kind = "installed models where found" if setup.real else "tiny random-weight models: plumbing, not model speed"
    # A missing peer program is a fact of this machine; any other failure means a figure is not what it says.
    failed = any(r.error and not r.error.startswith("no peer") for rows, _ in results.values() for r in rows)
    if args.json:
        print(json.dumps({"device": where, "models": "real" if setup.real else "tiny", "repeats": setup.repeats,
                          "sections": {n: {"rows": [r.to_dict() for r in rows], "comparisons": pairs}
                                       for n, (rows, pairs) in results.items()}}, indent=2))
        return 1 if failed else 0
    print(f"Sound paths on {setup.device}: {where}; {kind}; one warm-up, then {setup.repeats} run(s) per path, "
          "alternating; median (min..max)")
    for name, (rows, pairs) in results.items():
        print(f"\n== {name.capitalize()} ==")
        by_name = {r.name: r for r in rows}
        for pair in pairs:
            print(pair_line(pair, by_name))
        for row in rows:
            print(row_line(row))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The Ray actor that runs jobs on one GPU: the local worker's own ``generation.worker.Worker``, fed in-process.

Nothing here is a second pipeline: :class:`GenerationActor` hands the job to ``Worker`` as the worker process's
command reader would (a ``submit`` line), and the ``Worker`` runs it on its own thread with the same backend,
the same events, the same cancel between denoising steps and the same out-of-memory handling. Its events go to
a buffer instead of a pipe; the dispatcher reads them with :meth:`GenerationActor.events_since` while the job
runs, and :meth:`GenerationActor.run` returns the last of them with the take.

Takes come home one of two ways: ``shared`` (the actor sees the client's folder at the same path, so the worker
writes the take where it belongs) or ``bytes`` (written in a private folder on the node and returned over the
object store for the client to write). Conditioning files travel the other way as bytes, so a node needs none of
the project's files. A preview picture travels as bytes too, read when the worker announces it.

The class is plain Python: ``generation.cluster.dispatcher`` wraps it with ``ray.remote`` (threaded, so
``cancel`` and ``events_since`` run beside a job), which keeps Ray out of any process that only imports this.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from generation.worker import Protocol, Worker

FINAL_EVENTS = ("done", "error", "cancelled")
STAND_IN_DEVICE = "stand-in"


class BufferProtocol(Protocol):
    """The worker protocol into a callback: each event as the dict its JSON line would decode to."""

    def __init__(self, on_event: Any) -> None:
        super().__init__(None)  # type: ignore[arg-type]  # no stream: nothing is written
        self._on_event = on_event

    def send(self, event: str, **fields: Any) -> None:
        # Through JSON, as over the pipe: the client sees the same types (paths as strings, tuples as lists).
        msg = json.loads(json.dumps({"event": event, **fields}, default=str, ensure_ascii=False))
        self._on_event(msg)


class StandInWorker(Worker):
    """A worker whose jobs sleep ``seconds`` and write a few bytes (benches and tests of the dispatcher itself:
    the same actor, events and transfer, no torch)."""

    def __init__(self, proto: Protocol, *, seconds: float, models_dir: str | None = None) -> None:
        super().__init__(proto, models_dir=models_dir)
        self.seconds = seconds
        self._warm: list[str] = []

    def start_backend(self) -> dict[str, Any]:
        self.backend = self  # anything but None: a stop no longer means "still importing torch"
        return {"device": STAND_IN_DEVICE}

    def loaded(self) -> list[str]:
        return list(self._warm)

    def run_job(self, job: str, spec_data: dict[str, Any], output: str, expected_hash: str | None,
                cancel: threading.Event) -> None:
        self.proto.send("started", job=job)
        if cancel.wait(self.seconds):
            self.proto.send("cancelled", job=job)
            return
        model = str(spec_data.get("model"))
        self._warm = [model]
        video = Path(output)
        video.parent.mkdir(parents=True, exist_ok=True)
        video.write_bytes(f"stand-in take of {job}\n".encode())
        sidecar = video.with_suffix(".json")
        sidecar.write_text(json.dumps({"video": {"file": video.name}, "job": {"id": job}}))
        self.proto.send("done", job=job, output=str(video), sidecar=str(sidecar), mode="stand_in", notes=[],
                        timings={"sleep_s": self.seconds}, revision=None, pipeline_class=None)


class GenerationActor:
    """One GPU's worker. ``models_dir``: the node's models folder (else its ``$PROMPTCUT_MODELS``); ``slot``:
    the dispatcher's number for it (named in placements where Ray gives no GPU id); ``stand_in_s``: run
    :class:`StandInWorker` jobs of that many seconds instead of the real backend."""

    def __init__(self, models_dir: str | None = None, slot: int = 0, stand_in_s: float | None = None) -> None:
        self.slot = slot
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._job: str | None = None
        self._run_no: int | None = None
        self._final: threading.Event = threading.Event()
        # Cancels that came before their run, by (job, the dispatcher's run number): a late cancel of a run that
        # has ended never stops a later run of the same job.
        self._early_cancels: set[tuple[str, int | None]] = set()
        self._cancelled = False  # the current run was asked to stop (run() re-sends it once the Worker has it)
        self.loads = 0  # models this actor had to load (warm-model affinity keeps it low)
        proto = BufferProtocol(self._on_event)
        if stand_in_s is None:
            self.worker: Worker = Worker(proto, models_dir=models_dir)
        else:
            self.worker = StandInWorker(proto, seconds=stand_in_s, models_dir=models_dir)
        self.ready = self.worker.start_backend()  # warm imports before the first job, as the worker process does
        _torch_threads_from_env()
        threading.Thread(target=self._jobs, name="promptcut-jobs", daemon=True).start()

    # -- what the dispatcher calls ----------------------------------------------------------------------------
    def info(self, probe: tuple[str, str] | list[str] | None = None) -> dict[str, Any]:
        """Where this actor runs: node id and IP, Ray's GPU ids for it, the device, its pid and slot; with a
        ``probe`` (a path and the token the client wrote there), ``sees_output``: whether the client's output
        folder is shared with this node."""
        import ray

        ctx = ray.get_runtime_context()
        device = self.worker.reporter.fields(force=True).get("device_name") or self.ready.get("device")
        return {
            "node_id": ctx.get_node_id(),
            "node_ip": ray.util.get_node_ip_address(),
            "gpu_ids": [str(g) for g in ray.get_gpu_ids()],
            "device": device,
            "pid": os.getpid(),
            "slot": self.slot,
            "warm": self.warm_models(),
            "loads": self.loads,
            "sees_output": bool(probe) and self.can_see(*probe),
        }

    def warm_models(self) -> list[str]:
        """The models this actor holds loaded (most recently used last)."""
        backend = self.worker.backend
        loaded = getattr(backend, "loaded", None)
        return list(loaded()) if callable(loaded) else []

    def can_see(self, path: str, token: str) -> bool:
        """Whether ``path`` (a probe the client wrote) holds ``token`` here: the client's folder is shared."""
        try:
            return Path(path).read_text(encoding="utf-8").strip() == token
        except (OSError, UnicodeDecodeError):
            return False

    def events_since(self, n: int) -> dict[str, Any]:
        """The running (or last) job's events from the ``n``-th on, with ``start`` = ``n`` and its ``job``."""
        with self._lock:
            return {"job": self._job, "start": n, "events": [dict(e) for e in self._events[n:]]}

    def cancel(self, job_id: str, run_no: int | None = None) -> None:
        """Stop ``job_id`` between denoising steps (a ``cancelled`` event ends its run); a cancel that comes
        before its run makes that run end cancelled at once. ``run_no``: the run it is meant for (as given to
        :meth:`run`); None: whichever run of the job."""
        with self._lock:
            if self._job != job_id or (None not in (run_no, self._run_no) and run_no != self._run_no):
                self._early_cancels.add((job_id, run_no))
                return
            if self._final.is_set():
                return  # it has ended already; its run says how
            self._cancelled = True
        self.worker.cancel(job_id)

    def run(self, job_id: str, spec: dict[str, Any], output: str, expected_hash: str | None,
            transfer: str = "bytes", files: dict[str, bytes] | None = None,
            run_no: int | None = None) -> dict[str, Any]:
        """Run one job to its end. ``output``: where the take belongs on the client; ``transfer`` ``shared``
        writes it there, ``bytes`` returns it. ``files``: conditioning files' bytes by the path the spec names.
        Returns ``final`` (the ``done``/``error``/``cancelled`` event), ``events`` (all of them), ``warm``,
        ``loaded`` (whether the model had to be loaded) and, for ``bytes``, ``video``/``sidecar`` bytes and the
        sidecar's file name. ``run_no``: the dispatcher's number for this run, which its cancel names."""
        scratch = Path(tempfile.mkdtemp(prefix="promptcut-job-"))
        try:
            original = spec
            spec = _localise(spec, files or {}, scratch)
            target = output if transfer == "shared" else str(scratch / Path(output).name)
            before = self.warm_models()
            final = threading.Event()
            with self._lock:
                self._job, self._run_no, self._events, self._final = job_id, run_no, [], final
                cancelled_early = any(j == job_id and n in (None, run_no) for j, n in self._early_cancels)
                self._early_cancels.clear()  # any other is a late cancel of a run that has ended
                self._cancelled = False
            if cancelled_early:
                self._on_event({"event": "cancelled", "job": job_id})
            else:
                self.worker.handle_line(json.dumps({"cmd": "submit", "job": job_id, "spec": spec, "output": target,
                                                    "hash": expected_hash}))
                with self._lock:
                    resend = self._cancelled
                if resend:  # it came before the Worker knew the job, which drops a cancel of a job it does not know
                    self.worker.cancel(job_id)
                final.wait()
            with self._lock:
                events = [{k: v for k, v in e.items() if k != "preview_bytes"} for e in self._events]
            last = events[-1]
            model = spec.get("model")
            loaded = last.get("event") == "done" and model is not None and model not in before
            self.loads += int(loaded)
            result: dict[str, Any] = {"final": last, "events": events, "warm": self.warm_models(), "loaded": loaded,
                                      "finished_at": time.time()}
            if last.get("event") == "done" and spec is not original:
                _unlocalise_sidecar(Path(str(last.get("sidecar"))), spec, original)
            if last.get("event") == "done" and transfer != "shared":
                video, sidecar = Path(str(last.get("output"))), Path(str(last.get("sidecar")))
                result["video"] = video.read_bytes()
                result["sidecar"] = sidecar.read_bytes()
                result["sidecar_name"] = sidecar.name
            return result
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    # -- the worker's thread -----------------------------------------------------------------------------------
    def _jobs(self) -> None:
        """``Worker.run``, kept alive: a job that escapes the worker's own handling fails alone, not the actor."""
        while True:
            try:
                self.worker.run()
                return
            except Exception as exc:  # noqa: BLE001 - reported as the job's error; the next job runs
                traceback.print_exc()
                with self._lock:
                    job, ended = self._job, self._final.is_set()
                if job is not None and not ended:
                    first = (str(exc).strip().splitlines() or [""])[0]
                    self._on_event({"event": "error", "job": job, "kind": "internal", "fix": {},
                                    "message": f"{type(exc).__name__}: {first}"[:400],
                                    "hint": "See the Ray worker's log for the traceback."})

    def _on_event(self, msg: dict[str, Any]) -> None:
        preview = msg.get("preview")
        if msg.get("event") == "progress" and isinstance(preview, str) and preview:
            try:
                data: bytes | None = Path(preview).read_bytes()
            except OSError:
                data = None  # it was replaced or removed under us: the next one will do
            msg["preview_bytes"] = data
        with self._lock:
            if msg.get("job") != self._job:
                return  # a protocol complaint or a job that is not ours any more
            if "preview_bytes" in msg:
                for old in self._events:  # only the newest picture is worth its memory
                    old.pop("preview_bytes", None)
            self._events.append(msg)
            if msg.get("event") in FINAL_EVENTS:
                self._final.set()


def _localise(spec: dict[str, Any], files: dict[str, bytes], folder: Path) -> dict[str, Any]:
    """The spec with each conditioning file that came as bytes written into ``folder`` and named there. The
    content hash reads the files' bytes, never their names, so it is unchanged."""
    if not files:
        return spec
    out = dict(spec)
    names: dict[str, str] = {}

    def local(path: Any) -> Any:
        if not isinstance(path, str) or path not in files:
            return path
        if path not in names:
            target = folder / f"input-{len(names)}{Path(path).suffix}"
            target.write_bytes(files[path])
            names[path] = str(target)
        return names[path]

    for key, value in spec.items():
        out[key] = [local(v) for v in value] if isinstance(value, list) else local(value)
    return out


def _unlocalise_sidecar(sidecar: Path, local: dict[str, Any], original: dict[str, Any]) -> None:
    """The sidecar names the conditioning files by the client's paths, as a local take's does (what "make it
    again" reads), not by this node's scratch copies."""
    back = {lv: ov for key, value in local.items() for lv, ov in _pairs(value, original.get(key)) if lv != ov}
    if not back:
        return

    def restore(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: restore(v) for k, v in node.items()}
        if isinstance(node, list):
            return [restore(v) for v in node]
        return back.get(node, node) if isinstance(node, str) else node

    from generation.leftovers import write_atomically

    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        write_atomically(sidecar, (json.dumps(restore(data), indent=2) + "\n").encode("utf-8"))
    except (OSError, ValueError):
        pass  # the take stands; its sidecar names the copies


def _pairs(local: Any, original: Any) -> list[tuple[str, Any]]:
    if isinstance(local, list) and isinstance(original, list):
        return [(lv, ov) for lv, ov in zip(local, original, strict=False) if isinstance(lv, str)]
    return [(local, original)] if isinstance(local, str) else []


def _torch_threads_from_env() -> None:
    """Torch's intra-op threads as ``$OMP_NUM_THREADS`` says: on a CPU node each actor keeps to its share."""
    try:
        n = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return
    if n < 1:
        return
    import sys

    torch = sys.modules.get("torch")  # only when the backend imported it: a stand-in never pays for torch
    if torch is not None:
        torch.set_num_threads(n)

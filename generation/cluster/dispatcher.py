"""Hands claimed jobs to Ray actors and brings their events and takes home. Driven by one thread (the cluster
client's pump); Ray's answers arrive as items in the pump's inbox.

* Actors start when work is first queued, one per slot (``workers``), each taking one unit of the configured
  resource. A job goes only to an actor that has answered :meth:`GenerationActor.info` (so never to one Ray
  cannot place yet).
* Routing: the pump claims up to one job per idle actor; each job goes to an idle actor that already holds its
  model (warm-model affinity), else to a cold one: one holding nothing first, then the least recently used.
* A running job's events are polled from its actor every :data:`POLL_S`; the ``run`` call's own answer brings
  the rest, the final event and (over the object store) the take, written here atomically at the job's
  content-addressed path: a cluster take and a local take of the same request are the same file.
* Cancel: a job whose store row asks for it gets ``actor.cancel``. An actor that dies (its process killed, its
  node gone) puts its job back in the queue with the attempts counted as locally (``settle_after_crash``) and
  is replaced after the local worker's restart backoff. A CUDA out-of-memory error is the worker's own
  ``error`` event: one job fails with its reason and the actor goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generation.client_events import apply_job_event, device_fields, finished_event, settle_after_crash
from generation.events import DeviceReport, Event
from generation.jobs import Job, JobState, JobStore
from generation.leftovers import mkstemp_beside, write_atomically
from generation.worker_progress import preview_path

from .config import GPU

POLL_S = 0.2  # how often a running job's events are fetched from its actor
CANCEL_POLL_S = 0.25  # how often running jobs' cancel flags are re-read from the store
MAX_CONCURRENCY = 4  # one thread runs the job; cancel, events_since and info run beside it
FINAL_EVENTS = ("done", "error", "cancelled")
CLOSE_WAIT_S = 2.0  # how long closing waits for a run's answer on its way
# How long closing waits for killed actors to be gone (it goes on as soon as they are): an actor that outlives
# the close would write its next preview into a shared folder. On a loaded machine Ray takes seconds.
KILL_WAIT_S = 10.0
# Conditioning files a spec may name (video and audio specs): they travel to the node as bytes.
FILE_KEYS = ("first_image", "last_image", "prefix_video", "suffix_video", "color_reference", "reference_images",
             "source")
_EVENT_FIELDS = {f.name for f in dataclasses.fields(Event)}

_remote_class: Any = None


def remote_actor_class() -> Any:
    """``GenerationActor`` as a Ray actor class (made once; Ray is imported here, never at module load)."""
    global _remote_class
    if _remote_class is None:
        import ray

        from .actor import GenerationActor

        _remote_class = ray.remote(GenerationActor)
    return _remote_class


@dataclass
class Slot:
    """One actor's place: its handle (None while dead), what it told about itself, what it runs."""

    index: int
    handle: Any = None
    generation: int = 0  # bumped per actor started here: answers from a replaced actor are told apart
    info: dict[str, Any] | None = None  # set once the actor answered: it is placed and warm
    warm: list[str] = field(default_factory=list)
    last_used: float = 0.0
    transfer: str = "bytes"
    job: Job | None = None
    run_no: int = 0  # bumped per job sent, so a late poll of an earlier run is ignored
    seen: int = 0  # events of the running job handled so far
    poll_out: bool = False
    last_poll: float = 0.0
    cancel_sent: bool = False
    started: bool = False  # the running job was reported started: a death from here on is the job's to count
    crashes: int = 0
    restart_at: float = 0.0
    loads: int = 0

    @property
    def ready(self) -> bool:
        return self.handle is not None and self.info is not None

    @property
    def idle(self) -> bool:
        return self.ready and self.job is None

    def where(self) -> tuple[str, str | None]:
        """(node IP, GPU ids or None) once known."""
        info = self.info or {}
        gpus = info.get("gpu_ids") or []
        return str(info.get("node_ip") or "?"), (",".join(gpus) if gpus else None)

    def placement(self) -> str:
        node, gpu = self.where()
        return f"node {node} · GPU {gpu}" if gpu is not None else f"node {node} · worker {self.index + 1}"


class Dispatcher:
    """Actors, routing and results for one cluster client. ``inbox``: the pump's queue (Ray's answers are put
    there as ``("cluster", ...)`` items); ``emit``: the client's event sink. ``actor_env``: the actors'
    environment variables; ``actor_kwargs``: more arguments for ``GenerationActor`` (``stand_in_s``)."""

    def __init__(
        self,
        store: JobStore,
        output_dir: Path,
        *,
        resource: str,
        workers: int,
        transfer: str,
        inbox: queue.Queue[tuple[Any, ...]],
        emit: Callable[[Event], None],
        max_attempts: int,
        log_path: Path,
        restart_delays: tuple[float, ...],
        models_dir: str | None = None,
        actor_env: Mapping[str, str] | None = None,
        actor_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        self.store, self.output_dir = store, output_dir
        self.resource, self.transfer = resource, transfer
        self.inbox, self.emit = inbox, emit
        self.max_attempts, self.log_path, self.restart_delays = max_attempts, log_path, restart_delays
        self.models_dir = models_dir
        self.actor_env = dict(actor_env or {})
        self.actor_kwargs = dict(actor_kwargs or {})
        self.slots = [Slot(i) for i in range(workers)]
        self.placements: dict[str, str] = {}
        self.closing = False
        self._probe: tuple[str, str] | None = None
        self._last_cancel_check = 0.0

    # -- state ------------------------------------------------------------------------------------------------
    @property
    def busy(self) -> int:
        return sum(1 for s in self.slots if s.job is not None)

    @property
    def actors(self) -> int:
        return sum(1 for s in self.slots if s.handle is not None)

    def next_timeout(self, idle_poll_s: float) -> float:
        if self.busy:
            return POLL_S
        now = time.monotonic()
        waits = [s.restart_at - now for s in self.slots if s.handle is None and s.restart_at > now]
        return max(0.01, min([idle_poll_s, *waits]))

    def actor_pids(self) -> list[int]:
        return [int(s.info["pid"]) for s in self.slots if s.info is not None and s.handle is not None]

    def running_on(self, job_id: str) -> dict[str, Any] | None:
        """What the actor running ``job_id`` said about itself (its pid, node, ...); None when none runs it."""
        for s in self.slots:
            if s.job is not None and s.job.id == job_id and s.info is not None:
                return dict(s.info)
        return None

    def actor_info(self) -> list[dict[str, Any] | None]:
        """What each slot's actor said about itself (None while one starts or is dead), loads counted here."""
        return [None if s.info is None else {**s.info, "warm": list(s.warm), "loads": s.loads, "slot": s.index}
                for s in self.slots]

    # -- the pump's tick --------------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.closing:
            return
        now = time.monotonic()
        queued = self.store.next_queued() is not None
        if queued or self.busy:
            self.start_all()
        if self.busy and now - self._last_cancel_check >= CANCEL_POLL_S:
            self._last_cancel_check = now
            for slot in self.slots:
                if slot.job is not None and not slot.cancel_sent:
                    job = self.store.find(slot.job.id)
                    if job is None or job.cancel_requested:  # asked here or by another process: the store says
                        slot.handle.cancel.remote(slot.job.id, slot.run_no)
                        slot.cancel_sent = True
        for slot in self.slots:
            if slot.job is not None and not slot.poll_out and now - slot.last_poll >= POLL_S:
                self._poll(slot, now)
        idle = [s for s in self.slots if s.idle]
        if idle and queued:
            jobs: list[Job] = []
            while len(jobs) < len(idle):
                job = self.store.claim_next()
                if job is None:
                    break
                jobs.append(job)
            for job, slot in route(jobs, idle):
                self._dispatch(job, slot)

    def handle(self, item: tuple[Any, ...]) -> None:
        """One of Ray's answers (an inbox item ``("cluster", what, slot, generation, ...)``)."""
        _, what, index, generation, *rest = item
        slot = self.slots[index]
        if generation != slot.generation or slot.handle is None:
            return  # from an actor that has been replaced
        if what == "info":
            self._on_info(slot, rest[0])
        elif what == "run":
            run_no, future = rest
            if slot.job is not None and run_no == slot.run_no:
                self._on_run(slot, future)
        elif what == "poll":
            run_no, future = rest
            if run_no == slot.run_no:
                slot.poll_out = False
                if slot.job is not None:
                    self._on_poll(slot, future)

    # -- actors -----------------------------------------------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "num_cpus": 0,  # the GPU (or its stand-in) is what an actor holds; CPUs are the node's to share
            "max_concurrency": MAX_CONCURRENCY,
            "max_restarts": 0,  # a dead actor is replaced here, where its job is settled
            "runtime_env": {"env_vars": dict(self.actor_env)},
        }
        if self.resource == GPU:
            options["num_gpus"] = 1
        else:
            options["resources"] = {self.resource: 1}
        return options

    def start_all(self) -> None:
        """Start each actor that is not running (or waiting out a restart delay)."""
        now = time.monotonic()
        for slot in self.slots:
            if slot.handle is None and now >= slot.restart_at and not self.closing:
                self._start(slot)

    def _start(self, slot: Slot) -> None:
        slot.generation += 1
        slot.info, slot.warm, slot.job, slot.transfer = None, [], None, "bytes"
        slot.handle = remote_actor_class().options(**self._options()).remote(
            self.models_dir, slot.index, **self.actor_kwargs
        )
        self._ask(slot, "info", slot.handle.info.remote(self._probe_file()))
        self.emit(Event("worker_started", None, message=f"Ray worker {slot.index + 1} starting"))

    def _ask(self, slot: Slot, what: str, ref: Any, *extra: Any) -> None:
        item = ("cluster", what, slot.index, slot.generation, *extra)
        ref.future().add_done_callback(lambda fut: self.inbox.put((*item, fut)))

    def _probe_file(self) -> tuple[str, str] | None:
        """A file in the output folder an actor reads to tell whether it sees the folder (``auto`` transfer)."""
        if self.transfer != "auto":
            return None
        if self._probe is None:
            token = os.urandom(16).hex()
            try:
                self.output_dir.mkdir(parents=True, exist_ok=True)
                fd, name = mkstemp_beside(self.output_dir / "cluster-probe")
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(token)
            except OSError:
                return None  # a folder we cannot write: bytes it is
            self._probe = (name, token)
        return self._probe

    def _on_info(self, slot: Slot, future: Any) -> None:
        try:
            info = future.result()
        except Exception as exc:  # noqa: BLE001 - an actor that could not start is a dead one
            self._died(slot, f"could not start ({_short(exc)})")
            return
        slot.info = info
        slot.warm = list(info.get("warm") or [])
        shared = self.transfer == "shared" or (self.transfer == "auto" and bool(info.get("sees_output")))
        slot.transfer = "shared" if shared else "bytes"
        self.emit(Event("worker_ready", None, message=f"Ray worker {slot.index + 1} ready on {slot.placement()} "
                                                      f"({info.get('device') or 'no device'})"))

    def _died(self, slot: Slot, why: str) -> None:
        job, handle, started = slot.job, slot.handle, slot.started
        where = slot.placement() if slot.info is not None else f"Ray worker {slot.index + 1}"
        slot.handle, slot.info, slot.job, slot.warm = None, None, None, []
        slot.crashes += 1
        delay = self.restart_delays[min(slot.crashes - 1, len(self.restart_delays) - 1)]
        slot.restart_at = time.monotonic() + delay
        with contextlib.suppress(Exception):
            import ray

            ray.kill(handle, no_restart=True)
        self.emit(Event("worker_exited", None, message=f"Ray worker {slot.index + 1} on {where} {why}"))
        if job is None:
            return
        _remove(preview_path(str(job.output)))
        if self.closing or not started:
            # The actor was gone before it began the job (it died idle, say) or we are closing: the job did
            # nothing to be charged an attempt for, as with the local worker.
            what = f"the generator {why} on {where}" + ("" if started else " before the job started")
            self._give_back(slot, job, f"{what}; trying again", cancelled=f"cancelled ({what})")
            return
        ended, requeued = settle_after_crash(
            self.store, job.id, f"{why} on {where}", max_attempts=self.max_attempts, log_path=self.log_path
        )
        if ended is not None:
            self._emit_finished(slot, ended)
        elif requeued is not None:
            self.emit(requeued)

    def _give_back(self, slot: Slot, job: Job, requeued: str, *, cancelled: str = "cancelled") -> None:
        """A running job the generator let go of through no fault of its own: queued again without an attempt
        counted (``requeued``, the store's message), or ended ``cancelled`` when its cancel was asked."""
        found = self.store.find(job.id)
        if found is None or found.state is not JobState.RUNNING:
            return
        if found.cancel_requested:
            self._emit_finished(slot, self.store.set_cancelled(job.id, cancelled))
            return
        self.store.requeue(job.id, requeued, count_attempt=False)
        if not self.closing:
            self.emit(Event("requeued", job.id, 0.0, requeued))

    # -- jobs -------------------------------------------------------------------------------------------------
    def _dispatch(self, job: Job, slot: Slot) -> None:
        slot.job, slot.seen, slot.poll_out, slot.cancel_sent, slot.started = job, 0, False, False, False
        slot.run_no += 1
        slot.last_used = slot.last_poll = time.monotonic()
        self.placements[job.id] = slot.placement()
        spec = job.spec.to_dict()
        files = {} if self.transfer == "shared" else _conditioning_files(spec)
        ref = slot.handle.run.remote(job.id, spec, str(job.output), job.hash, slot.transfer, files, slot.run_no)
        self._ask(slot, "run", ref, slot.run_no)

    def _poll(self, slot: Slot, now: float) -> None:
        slot.poll_out, slot.last_poll = True, now
        self._ask(slot, "poll", slot.handle.events_since.remote(slot.seen), slot.run_no)

    def _on_poll(self, slot: Slot, future: Any) -> None:
        try:
            answer = future.result()
        except Exception:  # noqa: BLE001 - a dead actor is noticed by its run call
            return
        assert slot.job is not None
        if answer.get("job") != slot.job.id or answer.get("start") != slot.seen:
            return
        events = []
        for msg in answer.get("events") or []:
            if msg.get("event") in FINAL_EVENTS:
                break  # the run call's answer brings the end, with the take
            events.append(msg)
        for msg in latest_progress(events):
            self._apply(slot, msg)
        slot.seen += len(events)

    def _on_run(self, slot: Slot, future: Any) -> None:
        import ray

        job = slot.job
        assert job is not None
        try:
            answer = future.result()
        except ray.exceptions.RayTaskError as exc:  # our own code failed in the actor; the actor lives on
            _remove(preview_path(str(job.output)))
            self._apply(slot, {"event": "error", "job": job.id, "kind": "internal",
                               "message": f"the Ray worker failed: {_short(exc.cause or exc)}", "hint": ""})
            slot.job = None
            return
        except Exception as exc:  # noqa: BLE001 - the actor or its node is gone
            self._died(slot, _death_reason(exc))
            return
        for msg in latest_progress([m for m in answer["events"][slot.seen:] if m.get("event") not in FINAL_EVENTS]):
            self._apply(slot, msg)
        slot.warm = list(answer.get("warm") or [])
        slot.loads += int(bool(answer.get("loaded")))
        final = dict(answer["final"])
        if final.get("event") == "done" and "video" in answer:
            final = self._write_take(job, final, answer)
        _remove(preview_path(str(job.output)))
        slot.crashes = 0
        self._apply(slot, final)
        slot.job = None

    def _write_take(self, job: Job, final: dict[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
        video = Path(str(job.output))
        sidecar = video.with_name(str(answer["sidecar_name"]))
        try:
            video.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(video, answer["video"])
            write_atomically(sidecar, answer["sidecar"])  # last: a sidecar beside a video means a whole take
        except OSError as exc:
            _remove(video)
            return {"event": "error", "job": job.id, "kind": "write", "hint": "",
                    "message": f"could not write the take {video}: {exc.strerror or exc}"}
        return {**final, "output": str(video), "sidecar": str(sidecar)}

    def _apply(self, slot: Slot, msg: dict[str, Any]) -> None:
        """One event line about the slot's job into the store and out as events (with where it runs)."""
        job = slot.job
        assert job is not None
        msg = {**msg, "job": job.id}
        if msg.get("event") == "started":
            slot.started = True
        if msg.get("event") == "progress":
            msg["preview"] = self._preview(slot, job, msg)
            msg.pop("preview_bytes", None)
        mem = device_fields(DeviceReport.from_message(msg))
        update = apply_job_event(self.store, msg, mem, closing=self.closing)
        for ev in update.events:
            self.emit(self._placed(slot, ev))
        if update.finished is not None:
            self._emit_finished(slot, update.finished, update.mem)

    def _preview(self, slot: Slot, job: Job, msg: Mapping[str, Any]) -> str | None:
        if not msg.get("preview"):
            return None
        if slot.transfer == "shared":
            return str(msg["preview"])  # written where it belongs
        data = msg.get("preview_bytes")
        if not data:
            return None  # a newer picture superseded it before it was fetched
        path = preview_path(str(job.output))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # the take's folder: made by its first picture
            write_atomically(path, data)
        except OSError:
            return None  # a preview must never fail the job
        return str(path)

    def _emit_finished(self, slot: Slot, job: Job, mem: Mapping[str, Any] | None = None) -> None:
        event = finished_event(job, mem)
        if event is not None:
            self.emit(self._placed(slot, event))

    def _placed(self, slot: Slot, event: Event) -> Event:
        """The event with the node and GPU that ran its job, where ``Event`` has those fields."""
        if slot.info is None or "node" not in _EVENT_FIELDS:
            return event
        node, gpu = slot.where()
        return dataclasses.replace(event, node=node, gpu=gpu if gpu is not None else f"worker {slot.index + 1}")

    # -- the end ----------------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop every actor; running jobs go back to the queue for the next client (or end cancelled when their
        cancel was asked), as the local client's close does. A run that has just ended is kept: its answer is
        waited for a moment and its take written."""
        self.closing = True
        import ray

        self._await_answers(CLOSE_WAIT_S)
        # Running jobs are told to stop first, which stops their previews: a killed actor is reported dead before
        # its process has gone, and on a shared folder it could write one more picture after ours are removed.
        stops = [s.handle.cancel.remote(s.job.id, s.run_no) for s in self.slots
                 if s.job is not None and s.handle is not None]
        with contextlib.suppress(Exception):
            ray.get(stops, timeout=CLOSE_WAIT_S)
        handles = [s.handle for s in self.slots if s.handle is not None]
        for handle in handles:
            with contextlib.suppress(Exception):
                ray.kill(handle, no_restart=True)
        # Gone before their previews are removed: a live actor on a shared folder would write its next one.
        _wait_gone(handles, KILL_WAIT_S)
        for slot in self.slots:
            job = slot.job
            slot.job, slot.handle, slot.info = None, None, None
            if job is not None:
                _remove(preview_path(str(job.output)))
                self._give_back(slot, job, "interrupted: the generator was closed")
        if self._probe is not None:
            _remove(Path(self._probe[0]))
            self._probe = None

    def _await_answers(self, wait_s: float) -> None:
        """Handle Ray's answers for up to ``wait_s`` while a job runs (the pump has stopped reading them); the
        client's own items go back in its inbox."""
        deadline = time.monotonic() + wait_s
        held: list[tuple[Any, ...]] = []
        while any(s.job is not None and s.handle is not None for s in self.slots):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                item = self.inbox.get(timeout=left)
            except queue.Empty:
                break
            if item[0] == "cluster":
                self.handle(item)
            else:
                held.append(item)
        for item in held:
            self.inbox.put(item)


def _wait_gone(handles: list[Any], wait_s: float) -> None:
    """Wait up to ``wait_s`` until each killed actor answers no more (a call on a dead actor fails)."""
    import ray

    deadline = time.monotonic() + wait_s
    for handle in handles:
        while (left := deadline - time.monotonic()) > 0:
            try:
                ray.get(handle.events_since.remote(0), timeout=min(left, 0.5))
            except ray.exceptions.GetTimeoutError:
                continue
            except Exception:  # noqa: BLE001 - dead: what we wait for
                break
            time.sleep(0.05)


def route(jobs: list[Job], idle: list[Slot]) -> list[tuple[Job, Slot]]:
    """Pair claimed jobs (queue order) with idle slots: an actor already holding the job's model first; else an
    actor holding nothing, then the least recently used."""
    free = list(idle)
    pairs: list[tuple[Job, Slot]] = []
    cold: list[Job] = []
    for job in jobs:
        warm = [s for s in free if job.spec.model in s.warm]
        if warm:
            slot = max(warm, key=lambda s: s.last_used)
            free.remove(slot)
            pairs.append((job, slot))
        else:
            cold.append(job)
    for job in cold:
        slot = min(free, key=lambda s: (bool(s.warm), s.last_used))
        free.remove(slot)
        pairs.append((job, slot))
    return pairs


def _conditioning_files(spec: Mapping[str, Any]) -> dict[str, bytes]:
    """The bytes of each file the spec names; one that cannot be read stays a path, so the worker reports it
    missing in its usual words."""
    out: dict[str, bytes] = {}
    for key in FILE_KEYS:
        value = spec.get(key)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str) and path and path not in out:
                with contextlib.suppress(OSError):
                    out[path] = Path(path).read_bytes()
    return out


def latest_progress(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A poll's events with each run of plain step reports cut to its last: a fast model reports dozens of steps
    a second, and every report is a write to the job store; people see the latest one anyway. A report that
    brings a preview picture, or ends a stage, is kept."""
    kept = []
    for i, msg in enumerate(events):
        after = events[i + 1] if i + 1 < len(events) else None
        if (msg.get("event") == "progress" and "preview" not in msg and after is not None
                and after.get("event") == "progress" and after.get("stage") == msg.get("stage")):
            continue
        kept.append(msg)
    return kept


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _short(exc: BaseException, limit: int = 200) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Ray's own words (from its core) when an actor went because its node did; the error keeps no field for it.
_NODE_DIED = "The actor died because its node has died."


def _death_reason(exc: BaseException) -> str:
    """Why an actor went, in a few words (Ray's own message runs to many lines), told by the error's type and
    fields: every killed worker process's message mentions nodes and the OOM killer as possible causes."""
    import ray.exceptions as rex

    if isinstance(exc, rex.OutOfMemoryError):
        return "was killed for lack of memory"
    if isinstance(exc, rex.NodeDiedError | rex.LocalRayletDiedError):
        return "died with its node"
    if isinstance(exc, rex.ActorDiedError):
        if exc.preempted:
            return "died with its node (preempted)"
        if exc.actor_init_failed:
            return "could not start"
        if _NODE_DIED in str(getattr(exc, "error_msg", "") or exc):
            return "died with its node"
        return "died (the Ray worker process died)"
    return f"died ({type(exc).__name__})"

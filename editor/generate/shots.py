"""Generated shots on a live timeline: plan a segment's job, queue it, follow it, attach its take when done.

The window's counterpart of :func:`editor.generate.fill`, which blocks; this never does. The window calls
:meth:`ShotQueue.poll` from a timer and :meth:`ShotQueue.sync` after every edit; every change to the timeline
goes through the ``do`` callable it was given (the window's undo stack), so attaching a take is an undo step
like any other edit.

Which job answers which clip is worked out, not remembered: a clip's *recorded spec* (prompt, model, seed,
size, conditioning images: everything its job used, see ``recorded_spec``) and the source frames it plays
name the job. So a split or pasted copy of a queued segment shows the same job and receives the same take,
undo and redo need no bookkeeping, and after reopening a project every pending segment that was queued (its
spec has a seed) is submitted again, which the job store answers with the job already queued, running or
done (an identical request never runs twice). A pending segment whose spec or length changed (the prompt
edited, the clip trimmed longer than its job covers) is planned again; its old job is cancelled when no
other clip needs it.

Speech and sound clips on audio tracks go through the same machinery with an audio job instead of a planned
video job (``editor.generate.audio_queue``): a speech take sets its clip's length; a transcript of a clip's
sound becomes a caption track.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from editor.generate.audio_queue import AudioQueue
from editor.generate.audio_shots import AudioPlan
from editor.generate.catalog import ModelError, require_installed, resolve_model
from editor.generate.continuity import (
    REPLAN_LABEL,
    current_sources,
    neighbours_changed,
    replanned_conditioning,
    stale_for_neighbours,
)
from editor.generate.places import GenerationPlaces
from editor.generate.runner import job_failure, job_state
from editor.generate.shot_jobs import Request, Ticket, covered_frames, one_line, short
from editor.generate.shot_planning import plan_shot
from editor.generate.shot_status import (
    LIVE,
    STALE_NEIGHBOURS,
    Conditioning,
    ShotOptions,
    ShotStatus,
    conditioning_for,
    profile_for,
)
from editor.generate.takes import TakeActions, active_profile, sidecar_spec, sound_commands
from editor.media.info import MediaError
from editor.media.probe import media_source_from_info, probe
from editor.model import Command, GeneratedClip, GenerationSpec, Take, Timeline, TrackKind, new_id
from editor.model.commands import AddMedia, AddTake, Group, Overwrite, SetClipProperties
from generation.errors import GenerationError
from generation.plan import PlannedJob, random_seed

# The names callers import from here (the window, the prompt box, tools).
__all__ = ["LIVE", "Conditioning", "ShotOptions", "ShotQueue", "ShotStatus", "sidecar_spec"]


class ShotQueue(AudioQueue, TakeActions):
    """Generated segments of one document and their jobs on one generator client (made on first need):
    video shots on video tracks, speech and sound clips on audio tracks (``AudioQueue``)."""

    def __init__(self, *, timeline: Callable[[], Timeline], do: Callable[[Command], bool],
                 places: GenerationPlaces, client_factory: Callable[[], Any],
                 default_model: Callable[[], str | None] = lambda: None,
                 seed_source: Callable[[], int] = random_seed) -> None:
        self._timeline = timeline
        self._do = do
        self.places = places
        self._client_factory = client_factory
        self._client: Any = None
        self.default_model = default_model
        self.seed_source = seed_source
        self.tickets: dict[str, Ticket] = {}
        self.plan_failures: dict[str, str] = {}   # recorded spec hash -> why it could not be queued
        self.notices: list[str] = []               # one-liners for the status bar, taken by the window
        self.events_seen: list[Any] = []           # the client's events of the last poll (the queue panel's)
        self._pool: ThreadPoolExecutor | None = None
        self._requests: list[Request] = []        # planned in the background, applied in order by poll
        self._planning: set[tuple] = set()         # re-plans under way (not to start them twice)
        # (clip id, spec hash, neighbours' descriptors) already re-planned once: undoing the re-plan keeps the
        # old frames (doing it again would make the neighbour's edit impossible to undo past).
        self._reframed_from: set[tuple] = set()
        # Called with the clips that received takes in a sync (the storyboard fits shots to their narration).
        self.on_attached: Callable[[list[GeneratedClip]], None] | None = None
        # Whether a video clip starts from the last frame of the clip before it when it is planned (a chained
        # storyboard's shots: editor.storyboard.cards.chained_first, set by whoever shows the storyboard).
        self.starts_from_previous: Callable[[Timeline, str], bool] = lambda _tl, _clip_id: False
        self._audio_init()

    # --- the client ---------------------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        if self._client is None:
            self.places.make()
            self._client = self._client_factory()
        return self._client

    @property
    def started(self) -> bool:
        return self._client is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._requests.clear()
        self._close_audio()
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    @property
    def timeline(self) -> Timeline:
        return self._timeline()

    # --- what a model can do ------------------------------------------------------------------------------

    def model_for(self, spec_model: str | None) -> str:
        """The model a segment will use: its own, else the default; ModelError when none is usable."""
        return resolve_model(spec_model or self.default_model() or None)

    @staticmethod
    def conditioning_for(model_id: str) -> Conditioning:
        return conditioning_for(model_id)

    # --- creating and queueing ----------------------------------------------------------------------------
    #
    # Planning reads neighbouring frames (a decode and a PNG) and submitting hashes the conditioning images:
    # tens of milliseconds each, too long for the GUI thread. Both run on one background thread over a
    # snapshot of the timeline; what they produce is applied on the caller's thread by ``poll`` (or at once
    # by the blocking ``create``), so the timeline is only ever edited there.

    def request(self, track_id: str, start: int, duration: int, options: ShotOptions, *,
                on_done: Callable[[GeneratedClip | None, str], None] | None = None) -> bool:
        """Plan and queue a new segment in the background; ``poll`` places it (one undo step) when ready and
        calls ``on_done(clip, "")``, or ``on_done(None, reason)``. False (reason in ``notices``) when refused
        at once."""
        tl = self.timeline
        track = tl.track(track_id)
        if track.kind is not TrackKind.VIDEO:
            return self._refuse("Generated shots go on video tracks", on_done)
        if not options.prompt.strip():
            return self._refuse("Type what the shot should show first", on_done)
        if duration < 1 or start < 0:
            return self._refuse("A shot needs at least one frame", on_done)
        try:
            profile = profile_for(self.model_for(options.model), options.profile)
        except ModelError as exc:
            return self._refuse(f"Cannot generate this shot: {one_line(exc)}", on_done)
        spec = GenerationSpec(prompt=options.prompt.strip(), negative_prompt=options.negative_prompt.strip(),
                              model=options.model or "", seed=options.seed, steps=options.steps, profile=profile,
                              match_colors=options.match_colors)
        clip = GeneratedClip(new_id("g"), start, duration, spec=spec, name="")
        return self.request_clip(track_id, clip, first=options.continue_previous, last=options.land_on_next,
                                 on_done=on_done)

    def request_clip(self, track_id: str, clip: GeneratedClip, *, first: bool, last: bool,
                     on_done: Callable[[GeneratedClip | None, str], None] | None = None,
                     also: tuple[Command, ...] = ()) -> bool:
        """Plan and queue a segment made by the caller (its spec may carry conditioning videos, a profile...);
        ``poll`` places it with ``also`` in one undo step. ``first``/``last``: take the neighbours' frames."""
        try:
            self.model_for(clip.spec.model)   # a missing model is said at once, without a thread
            require_installed(self.model_for(clip.spec.model))
        except ModelError as exc:
            return self._refuse(f"Cannot generate this shot: {one_line(exc)}", on_done)
        self._dispatch(Request("new", track_id, clip, on_done=on_done, also=tuple(also)), self.timeline,
                       first=first, last=last, reuse_images=False)
        return True

    def create(self, track_id: str, start: int, duration: int, options: ShotOptions,
               timeout: float = 120) -> GeneratedClip | None:
        """``request`` and wait for it: the new segment (placed and queued), or None (reason in ``notices``).
        For headless callers and tests; the window uses ``request``."""
        got: list[GeneratedClip | None] = []
        if not self.request(track_id, start, duration, options, on_done=lambda clip, _why: got.append(clip)):
            return None
        self._finish_requests(wait=timeout)
        return got[0] if got else None

    def regenerate(self, clip_id: str, count: int = 1) -> int:
        """New takes with new seeds for a segment (``count`` > 1: variations), planned in the background.
        Returns how many were asked for."""
        track, clip = self._generated(clip_id)
        if clip.spec.is_audio:
            return self._regenerate_audio(track.id, clip, count)
        n = max(1, count)
        tl = self.timeline
        for _ in range(n):
            fresh = clip.moved(spec=replace(clip.spec, seed=self.seed_source()))
            first = bool(clip.spec.first_image) or self.starts_from_previous(tl, clip.id)
            self._dispatch(Request("take", track.id, fresh, original=clip), tl, first=first,
                           last=bool(clip.spec.last_image), reuse_images=True)
        return n

    def retry(self, clip_id: str) -> bool:
        """Queue a failed or cancelled segment's job again."""
        _, clip = self._generated(clip_id)
        if clip.spec.seed is None:   # a draft (never queued): give it a seed, which queues it
            if not self._do(SetClipProperties(clip.id, spec=replace(clip.spec, seed=self.seed_source()),
                                              label="Generate shot")):
                return False
            self.sync({clip.id})
            return True
        ticket = self._ticket_for(clip)
        if ticket is None or ticket.state not in ("failed", "cancelled"):
            self.plan_failures.pop(clip.spec.content_hash(), None)
            self.sync({clip.id})
            return True
        try:
            self.client.retry(ticket.job_id)
        except Exception as exc:   # noqa: BLE001 - the store refused: say so, keep going
            self.notices.append(f"Cannot retry: {one_line(exc)}")
            return False
        ticket.state, ticket.fraction, ticket.message, ticket.eta_s = "queued", 0.0, "", None
        return True

    def cancel(self, clip_id: str) -> bool:
        """Cancel the job a segment waits for (queued: at once; running: between two steps)."""
        try:
            _, clip = self._generated(clip_id)
        except KeyError:
            return False
        done_any = False
        for ticket in self.tickets.values():
            if not ticket.final and (ticket.clip_id == clip.id or self._answers(ticket, clip)):
                with contextlib.suppress(Exception):
                    self.client.cancel(ticket.job_id)
                    done_any = True
        return done_any

    def _refuse(self, reason: str, on_done: Callable[[GeneratedClip | None, str], None] | None) -> bool:
        self.notices.append(reason)
        if on_done is not None:
            on_done(None, reason)
        return False

    def _dispatch(self, req: Request, tl: Timeline, *, first: bool, last: bool, reuse_images: bool) -> None:
        client = self.client   # made here, on the caller's thread
        snapshot = tl.copy()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shot-planner")
        req.future = self._pool.submit(self._prepare, client, snapshot, req.track_id, req.clip, first, last,
                                       reuse_images)
        self._requests.append(req)

    def _reframe(self, track_id: str, clip: GeneratedClip, tl: Timeline) -> None:
        """Take a shot's conditioning frames again from its neighbours as they are now, in the background;
        ``poll`` sets the new spec (one undo step) when the clip is still as it was."""
        req = Request("reframe", track_id, clip)
        seen = (clip.id, clip.spec.content_hash(), current_sources(tl, tl.track(track_id), clip))
        if req.key in self._planning or seen in self._reframed_from:
            return
        self._reframed_from.add(seen)
        self._planning.add(req.key)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shot-planner")
        snapshot = tl.copy()
        req.future = self._pool.submit(
            lambda: replanned_conditioning(snapshot, snapshot.track(track_id), clip, self.places.frames_dir,
                                           self._model_or_none(clip.spec.model)))
        self._requests.append(req)

    def _model_or_none(self, spec_model: str | None) -> str | None:
        try:
            return self.model_for(spec_model)
        except ModelError:
            return None

    def _reframed(self, req: Request, spec: GenerationSpec) -> None:
        try:
            _, now = self._generated(req.clip.id)
        except KeyError:
            return
        if now.spec == req.clip.spec and spec != now.spec:   # not edited meanwhile
            self._do(SetClipProperties(now.id, spec=spec, label=REPLAN_LABEL))

    def _prepare(self, client: Any, tl: Timeline, track_id: str, clip: GeneratedClip, first: bool, last: bool,
                 reuse_images: bool) -> tuple[PlannedJob, GenerationSpec, Any, list[str]]:
        """On the planner thread: plan the job on the snapshot and submit it."""
        if clip.spec.is_audio:
            plan = self._plan_audio(tl, clip)
            return plan, clip.spec, client.submit(plan.job), []
        model = self.model_for(clip.spec.model)
        require_installed(model)
        job, recorded, notes = plan_shot(tl, clip, track_id, model=model, frames_dir=self.places.frames_dir,
                                         seed_source=self.seed_source, first=first, last=last,
                                         reuse_images=reuse_images)
        return job, recorded, client.submit(job.job_spec()), notes

    def _finish_requests(self, wait: float | None = None) -> bool:
        """Apply the finished background requests in the order they were made (``wait``: block up to that
        many seconds for all of them). True when something changed."""
        if wait is not None:
            for req in list(self._requests):
                with contextlib.suppress(Exception):
                    req.future.result(timeout=wait)
        changed = False
        while self._requests and self._requests[0].future.done():
            req = self._requests.pop(0)
            self._planning.discard(req.key)
            changed = True
            if req.kind == "reframe":
                try:
                    spec, notes = req.future.result()
                except Exception as exc:   # noqa: BLE001 - frames that cannot be taken again: said, kept
                    self.notices.append(f"Cannot re-plan a shot after its neighbours changed: {one_line(exc)}")
                    continue
                self.notices.extend(notes)
                self._reframed(req, spec)
                continue
            try:
                job, recorded, submitted, notes = req.future.result()
            except (ModelError, GenerationError, ValueError, MediaError, OSError) as exc:
                self._request_failed(req, one_line(exc))
                continue
            except Exception as exc:   # noqa: BLE001 - a surprise on the planner thread: one line, keep going
                self._request_failed(req, f"{type(exc).__name__}: {one_line(exc)}")
                continue
            self.notices.extend(notes)
            self._request_done(req, job, recorded, submitted)
        return changed

    def _request_failed(self, req: Request, reason: str) -> None:
        if req.kind == "new":
            self._refuse(f"Cannot generate this shot: {reason}", req.on_done)
        elif req.kind == "take":
            self.notices.append(f"Cannot regenerate: {reason}")
        else:
            self.plan_failures[req.clip.spec.content_hash()] = reason

    def _request_done(self, req: Request, job: PlannedJob, recorded: GenerationSpec, submitted: Any) -> None:
        tl = self.timeline
        if req.kind == "new":
            clip = req.clip.moved(spec=recorded)
            try:
                busy = tl.track(req.track_id).clips_in(clip.start, clip.end)
            except KeyError:
                busy = True
            placed = not busy and self._do(Group(f"Generate {short(recorded.prompt)!r}",
                                                 [Overwrite(req.track_id, clip, clip.start), *req.also]))
            if not placed:
                with contextlib.suppress(Exception):
                    self.client.cancel(submitted.id)
                self._refuse("Cannot generate this shot: that place on the track was filled meanwhile", req.on_done)
                return
            self._track(submitted, clip.id, recorded, job)
            if req.on_done is not None:
                req.on_done(clip, "")
        elif req.kind == "take":
            target = req.original or req.clip
            self._track(submitted, target.id, recorded, job, extra_take=True)
        else:
            try:
                _, now = self._generated(req.clip.id)
            except KeyError:
                now = None
            if now is not None and now.spec == req.clip.spec and recorded != now.spec:
                self._do(SetClipProperties(now.id, spec=recorded, label="Re-plan generated shot"))
            self._track(submitted, req.clip.id, recorded, job)

    def _track(self, submitted: Any, clip_id: str, recorded: GenerationSpec, job: PlannedJob | AudioPlan, *,
               extra_take: bool = False) -> Ticket:
        if isinstance(job, AudioPlan):
            ticket = Ticket(submitted.id, clip_id, recorded, job.frames, extra_take=extra_take, audio=job.job)
        else:
            ticket = Ticket(submitted.id, clip_id, recorded, covered_frames(job, self.timeline), extra_take=extra_take)
        self._update_from_job(ticket, submitted)
        self.tickets[ticket.job_id] = ticket
        self.plan_failures.pop(recorded.content_hash(), None)
        return ticket

    # --- following the jobs -------------------------------------------------------------------------------

    def poll(self) -> bool:
        """Apply finished background plans, read the client's events, attach finished takes. True when
        something a clip shows has changed."""
        changed = self._finish_requests()
        probed = [t for t in self.tickets.values() if t.probing is not None and t.probing.done() and not t.probe_seen]
        if probed:   # a take's probe came back: sync attaches it
            for t in probed:
                t.probe_seen = True
            changed = True
            self.sync()
        if self._client is None:
            self.events_seen = []
            return changed
        events = self._client.poll()
        self.events_seen = events
        changed |= self._poll_transcripts(events)
        for ev in events:
            if ev.kind in ("worker_exited",) and ev.message:
                self.notices.append(f"The generator stopped ({ev.message}); it restarts by itself")
            if ev.kind == "requeued":
                self.notices.append("The generator stopped under a job; the job runs again")
            ticket = self.tickets.get(ev.job_id or "")
            if ticket is None:
                continue
            changed = True
            if ev.kind in ("queued", "requeued"):
                ticket.state, ticket.fraction, ticket.eta_s, ticket.message = "queued", 0.0, None, ""
            elif ev.kind in ("started", "progress"):
                ticket.preview = getattr(ev, "preview", None) or ticket.preview
                ticket.state = "generating"
                ticket.fraction = float(ev.fraction or 0.0)
                ticket.eta_s = ev.eta_s
                ticket.message = ev.stage or ev.message
            elif ev.kind in ("done", "error", "cancelled"):
                self._update_from_job(ticket, self._client.get(ticket.job_id))
        if changed:
            self.sync()
        return changed

    def _update_from_job(self, ticket: Ticket, job: Any) -> None:
        state = job_state(job)
        if state == "done":
            ticket.state, ticket.fraction, ticket.output, ticket.eta_s = "done", 1.0, job.output, None
        elif state in ("failed", "cancelled"):
            ticket.state, ticket.message, ticket.eta_s = state, job_failure(job), None
        elif state == "running":
            ticket.state, ticket.fraction = "generating", float(getattr(job, "progress", 0.0) or 0.0)
        else:
            ticket.state = "queued"

    def sync(self, only: set[str] | None = None) -> bool:
        """Bring jobs and clips together after an edit or an event: attach finished takes to the segments
        they answer; queue segments that were queued once (their spec has a seed) but no job answers now
        (reopened, trimmed longer, prompt edited); cancel jobs no clip needs any more. True when it edited."""
        tl = self.timeline
        edited = False
        wanted: set[str] = set()
        attached: list[str] = []
        for track in (*tl.video_tracks, *tl.audio_tracks):
            for clip in list(track.clips):
                if not isinstance(clip, GeneratedClip) or (only is not None and clip.id not in only):
                    continue
                if not clip.spec.is_audio and not track.locked and neighbours_changed(tl, track, clip):
                    self._reframe(track.id, clip, tl)
                for ticket in self._tickets_for(clip):
                    wanted.add(ticket.job_id)
                    if ticket.state == "done" and ticket.output and clip.id not in ticket.attached and (
                            clip.pending or (ticket.extra_take and ticket.clip_id == clip.id)) and \
                            self._attach(ticket, clip):
                        edited = True
                        attached.append(clip.id)
                if clip.pending and not track.locked and clip.spec.seed is not None and not any(
                        True for _ in self._tickets_for(clip, need_cover=True)):
                    if clip.spec.content_hash() in self.plan_failures:
                        continue
                    req = Request("replan", track.id, clip)
                    if req.key in self._planning:
                        continue
                    self._planning.add(req.key)
                    first = bool(clip.spec.first_image) or (
                        not clip.spec.is_audio and self.starts_from_previous(tl, clip.id))
                    self._dispatch(req, tl, first=first, last=bool(clip.spec.last_image), reuse_images=True)
        if only is None and self._client is not None and not self._requests:
            for ticket in self.tickets.values():
                if ticket.job_id not in wanted and ticket.state in LIVE and not ticket.extra_take:
                    with contextlib.suppress(Exception):
                        self._client.cancel(ticket.job_id)
        self._announce([c for c in (self._clip_or_none(i) for i in attached) if c is not None])
        return edited

    def _clip_or_none(self, clip_id: str) -> GeneratedClip | None:
        try:
            return self._generated(clip_id)[1]
        except KeyError:
            return None

    def _answers(self, ticket: Ticket, clip: GeneratedClip, need_cover: bool = True) -> bool:
        if ticket.extra_take:
            return ticket.clip_id == clip.id
        if ticket.spec != clip.spec or (ticket.audio is not None and not self._audio_answers(ticket, clip)):
            return False
        return not need_cover or ticket.frames >= clip.source_in + clip.duration

    def _tickets_for(self, clip: GeneratedClip, need_cover: bool = True):
        return (t for t in self.tickets.values() if self._answers(t, clip, need_cover))

    def _ticket_for(self, clip: GeneratedClip) -> Ticket | None:
        """The job that matters for a clip's state: a live one first, else the latest."""
        found = [t for t in self._tickets_for(clip) if not t.extra_take or t.state != "done"]
        live = [t for t in found if t.state in LIVE]
        if live:
            return live[-1]
        return found[-1] if found else None

    def _take_info(self, ticket: Ticket) -> Any:
        """The take's probe once it is known; None while it runs beside the caller's thread (``poll`` looks
        again), False when the file cannot be read (the ticket then says why)."""
        if ticket.probing is None:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shot-planner")
            ticket.probing = self._pool.submit(probe, Path(ticket.output or ""))
        if not ticket.probing.done():
            return None
        try:
            return ticket.probing.result()
        except MediaError as exc:
            ticket.state, ticket.message = "failed", f"the take cannot be read: {one_line(exc)}"
            return False

    def _attach(self, ticket: Ticket, clip: GeneratedClip) -> bool:
        output = Path(ticket.output or "")
        commands: list[Command] = []
        media = next((m for m in self.timeline.media.values() if m.path == str(output)), None)
        if media is None:   # parts of a split segment share one take, and one pool entry
            info = self._take_info(ticket)
            if not info:
                return False
            media = media_source_from_info(info, new_id("m"), str(output))
            commands.append(AddMedia(media))
        ticket.attached.add(clip.id)
        if ticket.audio is not None:
            return self._do(Group(f"Take for {short(clip.spec.prompt)!r}",
                                  [*commands, *self._audio_take(ticket, clip, media)]))
        take = Take(media_id=media.id, spec_hash=ticket.spec.content_hash(), spec=ticket.spec)
        if ticket.extra_take and clip.spec != ticket.spec:
            commands.append(SetClipProperties(clip.id, spec=ticket.spec))
        commands.append(AddTake(clip.id, take))
        playing = clip.moved(takes=(*clip.takes, take), active_take=len(clip.takes))
        commands += sound_commands(self.timeline, playing, media)   # the take's own sound, linked (LTX-2)
        return self._do(Group(f"Take for {short(clip.spec.prompt)!r}", commands))

    # --- what a clip shows --------------------------------------------------------------------------------

    def status(self, clip: GeneratedClip) -> ShotStatus:
        ticket = self._ticket_for(clip)
        if not clip.pending:
            live = next((t for t in self.tickets.values() if t.extra_take and t.clip_id == clip.id
                         and t.state in LIVE), None)
            if live is not None:
                return ShotStatus("generating" if live.state == "generating" else "queued", live.fraction,
                                  live.eta_s, "new take", live.job_id)
            if any(r.kind == "take" and r.original is not None and r.original.id == clip.id
                   for r in self._requests):
                return ShotStatus("queued", message="preparing a new take")
            if clip.spec.is_audio:
                return self._audio_ready_status(clip)
            take = clip.takes[clip.active_take or 0]
            profile = active_profile(self.timeline, clip)
            if take.spec_hash != clip.spec.content_hash():
                why = STALE_NEIGHBOURS if stale_for_neighbours(
                    self.take_specs(clip)[clip.active_take or 0], clip.spec) else ""
                return ShotStatus("stale", 1.0, message=why, profile=profile)
            return ShotStatus("ready", 1.0, profile=profile)
        if ticket is None:
            failure = self.plan_failures.get(clip.spec.content_hash())
            if failure:
                return ShotStatus("failed", message=failure)
            return ShotStatus("draft" if clip.spec.seed is None else "queued")
        if ticket.state == "done":
            return ShotStatus("queued", 1.0, None, "placing the take", ticket.job_id)
        return ShotStatus(ticket.state, ticket.fraction, ticket.eta_s, ticket.message, ticket.job_id,
                          ticket.preview if ticket.state == "generating" else None)

    def status_by_id(self, clip_id: str) -> ShotStatus | None:
        try:
            _, clip = self.timeline.find(clip_id)
        except KeyError:
            return None
        return self.status(clip) if isinstance(clip, GeneratedClip) else None

    def _generated(self, clip_id: str):
        track, clip = self.timeline.find(clip_id)
        if not isinstance(clip, GeneratedClip):
            raise KeyError(clip_id)
        return track, clip

"""The window's side of generated shots: the prompt box, live states, takes, fill gaps, the generator's queue.

One :class:`ShotsUi` per window, given the window as a :class:`ShotsHost` (what it reads and drives: the
document's path and timeline, the edits, the timeline view, the viewer, the inspector). It owns the
document's :class:`~editor.generate.shots.ShotQueue` (made anew when another document opens; its generator
worker starts only when a shot needs it), polls it from a timer, keeps the fill dialog's typing for the
document, and tells the timeline, the viewer, the inspector and the queue panel when something they show has changed.
The generator runs in its own process: nothing here waits for it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from editor.generate.gaps import FillMemory, FillPlan, place_for_shot
from editor.generate.places import places_for
from editor.generate.shots import ShotOptions, ShotQueue, ShotStatus
from editor.model import Clip, GeneratedClip, MediaClip, Timeline, TrackKind
from editor.model.commands import AddTrack
from editor.storyboard.cards import chained_first
from editor.ui.edits import Edits
from editor.ui.fill_gaps_dialog import FillGapsDialog
from editor.ui.inspector import Inspector
from editor.ui.prompt_box import PromptBox
from editor.ui.timeline_view import TimelineView
from editor.ui.viewer import Viewer
from generation.models import ModelInfo

POLL_MS = 100
DEFAULT_SECONDS = 3.0


class _Relay(QObject):
    """Carries a line from the generator client's pump thread to ``say`` on the GUI thread (a queued signal)."""

    line = Signal(str)


def _client_factory(places, say: Callable[[str], object]) -> Callable[[], object]:
    """The document's generator client, on the Ray cluster when one is chosen (Models > Generator or
    ``$PROMPTCUT_RAY_ADDRESS``). The GUI thread never waits for Ray: the client connects in the background and
    jobs wait in the store meanwhile. A cluster that cannot be used is one line through ``say`` (on the GUI
    thread: at once for a bad address or a missing Ray, when the connection fails otherwise), and the shots are
    made on this computer instead: a missing cluster must not stop the work."""
    relays: list[_Relay] = []   # the latest client's, kept as long as the factory (and its queue) lives

    def make():
        from editor.generate.preferences import cluster_config, load_preferences, worker_env
        from generation.cluster.client import open_generator
        from generation.cluster.config import ClusterUnavailable

        prefs = load_preferences()
        env = worker_env(prefs)
        try:
            cluster = cluster_config(prefs)
            if cluster is not None:
                relay = _Relay()   # made here, on the GUI thread: its queued signal is delivered there
                relay.line.connect(say, Qt.ConnectionType.QueuedConnection)
                relays[:] = [relay]
                return open_generator(places.store_path, places.output_dir, cluster=cluster, env=env,
                                      fallback_local=True, on_fallback=relay.line.emit)
        except (ClusterUnavailable, ValueError) as exc:
            say(f"Ray cluster not used ({' '.join(str(exc).split())}); generating on this computer")
        return open_generator(places.store_path, places.output_dir, env=env)
    return make


def _default_model() -> str | None:
    from editor.generate.preferences import load_preferences

    return load_preferences().default_model


def _warm_up() -> None:
    with contextlib.suppress(Exception):
        import editor.generate.catalog  # noqa: F401
        import editor.generate.preferences  # noqa: F401
        import generation.client  # noqa: F401
        import generation.cluster.client  # noqa: F401
        import generation.locate  # noqa: F401


class ShotsHost(Protocol):
    """The window as generated shots see it (the main window is one)."""

    path: Path | None
    edits: Edits
    timeline_view: TimelineView
    viewer: Viewer
    inspector: Inspector

    @property
    def timeline(self) -> Timeline: ...


class ShotsUi(QObject):
    """``changed()`` after anything a generated clip shows has changed; ``message(str)`` for the status bar."""

    changed = Signal()
    message = Signal(str)
    events = Signal(list)    # the generator client's events, for the queue panel
    attached = Signal(list)  # generated clips whose takes just arrived (after the storyboard's fit)

    def __init__(self, window: ShotsHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window   # the inspector reads ``shots.window.timeline_view`` (its take thumbnails)
        self.queue: ShotQueue = self._new_queue()
        self.fill_memory = FillMemory.empty()   # the fill dialog's typing, while this document is open
        self.fill_dialog: FillGapsDialog | None = None
        self.prompt_box: PromptBox | None = None
        # The quality and colour match last asked for: the next prompt box starts from them (this session).
        self.last_profile = ""
        self.last_match_colors = False
        self._prompt_target: tuple[str, int, int | None] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self._sync_pending = False
        window.edits.stack.indexChanged.connect(self._edited)
        view = window.timeline_view
        view.shot_status = self.status
        view.generate_requested.connect(self.open_prompt)
        view.context_entries = self.context_entries
        window.viewer.card_for = self.card_for
        view.art.ready.connect(self._art_ready)   # a take's thumbnail for the inspector's list
        # The generator's client and the planner import a good deal on first use; do it beside the GUI
        # thread now, not in the middle of the first Enter in the prompt box.
        threading.Thread(target=_warm_up, name="shots-warm-up", daemon=True).start()

    # --- the document ------------------------------------------------------------------------------

    def _new_queue(self) -> ShotQueue:
        places = places_for(self.window.path)
        queue = ShotQueue(timeline=lambda: self.window.timeline, do=self.window.edits.do, places=places,
                          client_factory=_client_factory(places, self.message.emit), default_model=_default_model)
        queue.on_attached = self._attached
        queue.starts_from_previous = chained_first   # a chained storyboard's shots continue the one before
        return queue

    def _attached(self, clips: list[GeneratedClip]) -> None:
        """Takes arrived: when narration was among them, the storyboard's shots take its length (after the
        queue's own edit has landed, as an undo step of its own); then ``attached`` says which."""
        clips = list(clips)

        def later() -> None:
            if any(c.spec.kind == "speech" for c in clips) and self.window.timeline.story.storyboard is not None:
                self._fit_to_narration()
            self.attached.emit(clips)

        QTimer.singleShot(0, self, later)

    def _fit_to_narration(self) -> None:
        from editor.model import EditError
        from editor.storyboard.edits import fit_to_narration

        try:
            command = fit_to_narration(self.window.timeline)
        except EditError as exc:
            self.message.emit(str(exc).splitlines()[0])
            return
        if command is not None:
            self.window.edits.do(command)

    def document_changed(self) -> None:
        """Another document: its own job store and takes folder; pending shots it has resume."""
        self.close_prompt()
        self.queue.close()
        self.queue = self._new_queue()
        self.fill_memory = FillMemory.empty()
        self.resume()

    def resume(self) -> None:
        if any(c.spec.seed is not None for c in self.window.timeline.pending_segments()):
            self._run_sync()

    def close(self) -> None:
        self.timer.stop()
        self.close_prompt()
        if self.fill_dialog is not None:
            with contextlib.suppress(RuntimeError):   # already gone with the window
                self.fill_dialog.close()
        self.queue.close()

    # --- polling -----------------------------------------------------------------------------------

    def poll(self) -> None:
        try:
            changed = self.queue.poll()
        except Exception as exc:   # noqa: BLE001 - the generator's trouble must never take the window down
            self.message.emit(f"Generator: {exc}".splitlines()[0])
            return
        if self.queue.events_seen:
            self.events.emit(list(self.queue.events_seen))
        self._flush_notices()
        if changed:
            self._refresh()

    def _edited(self, *_ignored: object) -> None:
        # After the edit has landed (and not inside the undo stack's signal), bring jobs and clips together.
        if not self._sync_pending:
            self._sync_pending = True
            QTimer.singleShot(0, self, self._run_sync)

    def _run_sync(self) -> None:
        self._sync_pending = False
        try:
            self.queue.sync()
        except Exception as exc:   # noqa: BLE001
            self.message.emit(f"Generator: {exc}".splitlines()[0])
        self._flush_notices()
        self._refresh()

    def _flush_notices(self) -> None:
        while self.queue.notices:
            self.message.emit(self.queue.notices.pop(0))

    def _refresh(self) -> None:
        with contextlib.suppress(RuntimeError):   # the window is being torn down
            self._refresh_views()

    def _refresh_views(self) -> None:
        w = self.window
        w.timeline_view.update()
        w.inspector.refresh_generated()
        if any(isinstance(t.clip_at(w.timeline_view.playhead), GeneratedClip) for t in w.timeline.video_tracks):
            w.viewer.show_frame(w.timeline, w.timeline_view.playhead)
        self.changed.emit()

    def _art_ready(self, _key: object) -> None:
        with contextlib.suppress(RuntimeError):
            self.window.inspector.refresh_generated()

    # --- what clips show ---------------------------------------------------------------------------

    def status(self, clip: GeneratedClip) -> ShotStatus | None:
        return self.queue.status(clip)

    def card_for(self, clip: GeneratedClip) -> tuple[str, float | None]:
        status = self.queue.status(clip)
        return status.text(), (status.fraction if status.state == "generating" else None)

    # --- the prompt box ----------------------------------------------------------------------------

    def open_prompt(self, track_id: str, start: int, end: int | None = None, *, prompt: str = "") -> PromptBox:
        """Open the prompt box on a track at ``start``: over the gap [start, end), or (end None) for a shot of
        the default length there."""
        self.close_prompt()
        w = self.window
        view = w.timeline_view
        fps = float(w.timeline.fps)
        seconds = (end - start) / fps if end is not None else DEFAULT_SECONDS
        models, default, missing = self._model_choices()
        note = " ".join(n for n in (missing, self._needs_note()) if n)
        box = PromptBox(view, models=models, model=default, conditioning_for=ShotQueue.conditioning_for,
                        seconds=seconds, max_seconds=(end - start) / fps if end is not None else None,
                        seed_source=self.queue.seed_source, prompt=prompt, note=note,
                        profile=self.last_profile, match_colors=self.last_match_colors,
                        title="Generate shot" if end is not None else "Generate shot at the playhead")
        box.submitted.connect(self._prompt_submitted)
        box.closed.connect(self.close_prompt)
        box.adjustSize()
        top, h = view.row_of(track_id)
        x = max(0, min(int(view.x_of(start)), view.width() - box.width() - 4))
        y = top + h if top + h + box.height() <= view.height() else max(0, top - box.height())
        box.move(QPoint(x, y))
        box.show()
        box.raise_()
        box.prompt.setFocus()
        self.prompt_box = box
        self._prompt_target = (track_id, start, end)
        return box

    def close_prompt(self) -> None:
        box, self.prompt_box = self.prompt_box, None
        self._prompt_target = None
        if box is not None:
            box.hide()
            box.deleteLater()
            with contextlib.suppress(RuntimeError):
                self.window.timeline_view.setFocus()

    def _prompt_submitted(self, options: ShotOptions, seconds: float) -> None:
        if self._prompt_target is None or self.prompt_box is None:
            return
        track_id, start, end = self._prompt_target
        fps = self.window.timeline.fps
        frames = max(1, round(seconds * float(fps)))
        if end is not None:
            frames = min(frames, end - start)
        box = self.prompt_box
        if box.asked_profile:   # picked, not the model's default: remembered for the next box
            self.last_profile = options.profile
        self.last_match_colors = options.match_colors
        box.setEnabled(False)
        box.show_error("")
        box.title.setText("Queuing…")

        def done(clip: GeneratedClip | None, reason: str) -> None:
            if self.prompt_box is not box:
                if clip is None:
                    self.message.emit(reason)
                return
            if clip is None:
                if self.queue.notices and self.queue.notices[-1] == reason:
                    self.queue.notices.pop()
                box.setEnabled(True)
                box.title.setText("Generate shot")
                box.show_error(reason)
                box.prompt.setFocus()
                return
            self.close_prompt()
            self.window.timeline_view.select({clip.id})
            self.message.emit(f"Queued “{options.prompt[:40]}” (seed {clip.spec.seed})")
            self._refresh()

        self.queue.request(track_id, start, frames, options, on_done=done)

    def _model_choices(self) -> tuple[list[tuple[str, str]], str | None, str]:
        """The prompt box's models as (id, label), the one to select (the default model when it can be used,
        else an installed one), and a sentence when the default is missing but another real model is there
        ("" otherwise: with none installed, ``_needs_note`` says so)."""
        from editor.generate.catalog import model_choices, model_rows, preferred_choice

        choices = model_choices(model_rows(sizes=False))
        default, missing = preferred_choice(choices, _default_model())
        if not any(c.usable and not c.model.is_test_model for c in choices):
            missing = ""
        return [(c.model.id, c.label) for c in choices], default.model.id if default else None, missing

    def _needs_note(self) -> str:
        """What generation lacks on this machine, plainly; "" when a GPU and a real model are there."""
        from editor.generate.catalog import model_rows
        from editor.generate.preferences import nvidia_gpu_present

        parts = []
        if not any(r.installed and not r.model.is_test_model for r in model_rows(sizes=False)):
            parts.append("No video model is installed: Generate ▸ Models and Settings downloads one. Test models "
                         "run meanwhile, and make noise.")
        if not nvidia_gpu_present():
            parts.append("No NVIDIA GPU: shots are made on the CPU, very slowly.")
        return " ".join(parts)

    def generate_at_playhead(self) -> PromptBox | None:
        """G: over the marked range (I/O) if the playhead is in it, else over the whole gap the playhead is in,
        else at the playhead after a track's last clip, else on a new video track on top (see
        :func:`~editor.generate.gaps.place_for_shot`)."""
        w = self.window
        view = w.timeline_view
        marked = (view.mark_in, view.mark_out) if view.mark_in is not None and view.mark_out is not None \
            and view.mark_in < view.mark_out else None
        place = place_for_shot(w.timeline, view.playhead, marked)
        if place.track is not None:
            return self.open_prompt(place.track.id, place.start, place.end)
        if not w.edits.do(AddTrack(TrackKind.VIDEO)):
            return None
        return self.open_prompt(w.timeline.video_tracks[-1].id, place.start, None)

    # --- fill gaps ---------------------------------------------------------------------------------

    def fill_gaps_dialog(self, track_id: str | None = None, *, all_tracks: bool = False,
                         parent: QWidget | None = None) -> FillGapsDialog | None:
        """One prompt per gap of a track (the selected clip's, else the bottom video track) or, with
        ``all_tracks``, of the picture (the bottom track's gaps: upper tracks' gaps are overlays coming and
        going). Non-modal; its Generate queues the gaps that have a prompt with the model chosen there."""
        from editor.generate.catalog import model_choices, model_rows

        tl = self.window.timeline
        if not tl.video_tracks:
            self.message.emit("No video track to fill")
            return None
        if track_id is None and not all_tracks:
            sel = self.window.timeline_view.selected_clips()
            track_id = sel[0][0].id if sel and sel[0][0].kind is TrackKind.VIDEO else tl.video_tracks[0].id
        dialog = FillGapsDialog(tl, [track_id] if track_id else [tl.video_tracks[0].id],
                                model_choices(model_rows(sizes=False)), preferred=_default_model(),
                                memory=self.fill_memory, parent=parent or self.window.timeline_view.window())
        dialog.accepted.connect(lambda: self.fill_gaps(dialog.plan(), dialog.chosen_model()))
        self.fill_dialog = dialog
        dialog.open()
        return dialog

    def fill_gaps(self, plan: FillPlan, model: ModelInfo | None) -> int:
        """Queue the shots of ``plan`` with ``model`` (None: the default model); returns how many were taken."""
        asked = sum(self.queue.request(track_id, start, end - start,
                                       ShotOptions(prompt, model=model.id if model is not None else None))
                    for track_id, start, end, prompt in plan.requests)
        self.poll()
        self.message.emit(plan.summary(asked))
        return asked

    # --- actions on segments -----------------------------------------------------------------------

    def selected_generated(self) -> list[GeneratedClip]:
        return [c for _, c in self.window.timeline_view.selected_clips() if isinstance(c, GeneratedClip)]

    def regenerate(self, clip_id: str | None = None, count: int = 1) -> int:
        ids = [clip_id] if clip_id else [c.id for c in self.selected_generated()]
        if not ids:
            self.message.emit("Select a generated shot to regenerate")
            return 0
        asked = sum(self.queue.regenerate(cid, count) for cid in ids)
        self._flush_notices()
        self.message.emit(f"Queuing {asked} new take{'s' * (asked != 1)}")
        self._refresh()
        return asked

    def retry(self, clip_id: str) -> None:
        self.queue.retry(clip_id)
        self._flush_notices()
        self._refresh()

    def cancel(self, clip_id: str) -> None:
        if self.queue.cancel(clip_id):
            self.message.emit("Cancelling…")
        self._refresh()

    def promote(self, clip_id: str | None = None) -> bool:
        """Promote to Final: the draft take's seed and prompt again with the final recipe, as a new take."""
        ids = [clip_id] if clip_id else [c.id for c in self.selected_generated()
                                         if self.queue.status(c).can_promote]
        if not ids:
            self.message.emit("Select a generated shot whose take is a draft to promote it")
            return False
        asked = sum(self.queue.promote(cid) for cid in ids)
        self._flush_notices()
        if asked:
            self.message.emit(f"Promoting {asked} shot{'s' * (asked != 1)} to Final (same seed and prompt)")
        self._refresh()
        return bool(asked)

    def can_promote_selection(self) -> bool:
        return any(self.queue.status(c).can_promote for c in self.selected_generated())

    def switch_take(self, clip_id: str, index: int) -> bool:
        ok = self.queue.switch_take(clip_id, index)
        self._refresh()
        return ok

    def context_entries(self, track, clip: Clip | None, frame: int) -> list[tuple[str, Callable[[], object] | None]]:
        view = self.window.timeline_view
        if clip is None:
            if track.kind is not TrackKind.VIDEO:
                return []
            gap = view.gap_around(track, frame)
            out: list[tuple[str, Callable[[], object] | None]] = []
            if gap is not None:
                out.append(("Generate shot…", lambda: self.open_prompt(*gap)))
            out.append(("Fill gaps on this track…", lambda: self.fill_gaps_dialog(track.id)))
            return out
        sound = self._sound_entries(track, clip)
        if isinstance(clip, MediaClip) and track.kind is TrackKind.VIDEO:
            return self._extend_entries(clip) + sound
        if not isinstance(clip, GeneratedClip):
            return sound
        status = self.queue.status(clip)
        out = [("Regenerate (new seed)", lambda: self.regenerate(clip.id)),
               ("Variations (4 seeds)", lambda: self.regenerate(clip.id, 4)), *sound]
        if status.can_promote:
            out.append(("Promote to Final", lambda: self.promote(clip.id)))
        if status.can_retry:
            out.append(("Generate" if status.state == "draft" else "Retry", lambda: self.retry(clip.id)))
        if status.live:
            out.append(("Cancel generation", lambda: self.cancel(clip.id)))
        return out

    def _sound_entries(self, track, clip: Clip) -> list[tuple[str, Callable[[], object] | None]]:
        """Transcribe to captions (a clip whose media has sound), Generate matching sound (a video shot)."""
        out: list[tuple[str, Callable[[], object] | None]] = []
        media = self.window.timeline.media.get(clip.media_id() or "")
        if media is not None and media.has_audio and (track.kind is TrackKind.AUDIO or
                                                      isinstance(clip, MediaClip)):
            out.append(("Transcribe to captions", lambda: self.transcribe(clip.id)))
        if isinstance(clip, GeneratedClip) and track.kind is TrackKind.VIDEO and not clip.spec.is_audio:
            out.append(("Generate matching sound", lambda: self.matching_sound(clip.id)))
        return out

    def transcribe(self, clip_id: str) -> bool:
        """The clip's speech as a caption track (a local Whisper model, in the background)."""
        asked = self.queue.transcribe(clip_id)
        self._flush_notices()
        if asked:
            self.message.emit("Transcribing… the captions appear when it is done")
        self._refresh()
        return asked

    def matching_sound(self, clip_id: str) -> bool:
        """A sound clip under the shot, made from its prompt, on the first free audio track."""
        asked = self.queue.matching_sound(clip_id)
        self._flush_notices()
        if asked:
            self.message.emit("Generating matching sound")
        self._refresh()
        return asked

    def _extend_entries(self, clip: MediaClip) -> list[tuple[str, Callable[[], object] | None]]:
        """Generative extend from the menu: two seconds past the clip's end, or before its start."""
        from editor.ui import extend_ui

        view = self.window.timeline_view
        frames = max(1, round(2 * self.window.timeline.fps))
        tail = ("Extend with AI… (2 s after)", lambda: extend_ui.offer_extension(view, clip.id, "tail", frames))
        head = ("Extend with AI… (2 s before)",
                (lambda: extend_ui.offer_extension(view, clip.id, "head", frames)) if clip.start > 0 else None)
        return [tail, head]

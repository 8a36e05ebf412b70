"""The shot queue's sound side: speech and sound clips on audio tracks (their jobs, takes and states), a sound
made to match a video shot, and captions transcribed from a clip's sound.

:class:`AudioQueue` is a part of :class:`editor.generate.shots.ShotQueue` (which it is mixed into): the queue
plans, submits, follows and attaches audio clips' jobs with the same machinery as video shots; what differs
lives here and in :mod:`editor.generate.audio_shots`. A transcript is not a take: when its job is done its words
become a caption track over the clip (one undo step, ``editor.generate.transcripts``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from editor.generate.audio_shots import (
    AudioPlan,
    attach_commands,
    audio_model_installed,
    audio_plan,
    plan_or_none,
    sound_clip,
    sound_model,
    take_spec,
    transcriber,
    transcript_source,
    voice_changed,
    words_inside,
)
from editor.generate.catalog import ModelError
from editor.generate.runner import job_failure, job_state
from editor.generate.shot_jobs import Request, Ticket, TranscriptTicket, one_line, short
from editor.generate.shot_status import STALE_VOICE, ShotStatus
from editor.generate.takes import take_sound
from editor.model import Command, EditError, GeneratedClip, MediaSource, Take, Timeline, TrackKind
from editor.model.commands import Group, SetClipProperties
from generation.audio.job_spec import AudioJobSpec
from generation.errors import GenerationError


class AudioQueue:
    """Mixed into ShotQueue: the attributes below are the queue's."""

    notices: list[str]
    tickets: dict[str, Ticket]
    seed_source: Callable[[], int]
    on_attached: Callable[[list[GeneratedClip]], None] | None
    _client: Any
    _pool: ThreadPoolExecutor | None

    timeline: Timeline
    client: Any
    _do: Callable[[Command], bool]

    def _audio_init(self) -> None:
        self.transcripts: dict[str, TranscriptTicket] = {}   # job id -> what its words are for
        self._transcribing: list[tuple[str, str, str | None, Future]] = []   # (clip, file, track, submit)

    # --- asking for sounds --------------------------------------------------------------------------------

    def request_sound(self, track_id: str | None, start: int, duration: int, prompt: str, *,
                      model: str | None = None) -> bool:
        """A sound clip made from ``prompt`` at ``start`` (on ``track_id``, else the first audio track free
        over its span, else a new "SFX" track: one undo step), queued at once. False (reason in ``notices``)
        when refused."""
        tl = self.timeline
        if not prompt.strip():
            return self._say("Describe the sound first")
        if duration < 1 or start < 0:
            return self._say("A sound needs at least one frame")
        if track_id is not None:
            try:
                track = tl.track(track_id)
            except KeyError:
                return self._say(f"There is no track {track_id}")
            if track.kind is not TrackKind.AUDIO:
                return self._say("Sounds go on audio tracks")
            if track.clips_in(start, start + duration):
                return self._say("Cannot make this sound: that place on the track is taken")
        try:
            sound_model(model or "")
        except ModelError as exc:
            return self._say(f"Cannot make this sound: {one_line(exc)}")
        commands, clip = sound_clip(tl, track_id, start, duration, prompt, model=model or "",
                                    seed=self.seed_source())
        if not self._do(Group(f"Sound {short(prompt.strip())!r}", commands)):
            return self._say("Cannot make this sound here")
        self.sync({clip.id})
        return True

    def matching_sound(self, video_clip_id: str, *, model: str | None = None) -> bool:
        """A sound for a generated video shot, made from its prompt, under it on the first free audio track.
        False (reason in ``notices``) when the shot's take already brings its own sound (LTX-2)."""
        tl = self.timeline
        try:
            track, clip = tl.find(video_clip_id)
        except KeyError:
            return self._say("That shot is no longer on the timeline")
        if track.kind is not TrackKind.VIDEO or not isinstance(clip, GeneratedClip) or not clip.spec.prompt.strip():
            return self._say("A matching sound is made for a generated video shot, from its prompt")
        if take_sound(tl, clip) is not None:
            return self._say(f"{short(clip.spec.prompt)!r} already has its own sound: its take made it")
        return self.request_sound(None, clip.start, clip.duration, clip.spec.prompt, model=model)

    def _say(self, reason: str) -> bool:
        self.notices.append(reason)
        return False

    # --- planning, regenerating, attaching ----------------------------------------------------------------

    def _plan_audio(self, tl: Timeline, clip: GeneratedClip) -> AudioPlan:
        """On the planner thread: the job for an audio clip; ModelError when its model is not here."""
        sound_id = sound_model(clip.spec.model).id if clip.spec.kind == "sound" else ""
        plan = audio_plan(tl, clip, sound_model_id=sound_id)
        audio_model_installed(plan.job.model)
        return plan

    def _audio_answers(self, ticket: Ticket, clip: GeneratedClip) -> bool:
        """The job was made for the clip as it is now: same spec, same voice (the storyboard's may change),
        same length for a sound. A sound clip without its own model keeps the model its job used."""
        assert ticket.audio is not None
        plan = plan_or_none(self.timeline, clip, ticket.audio.model)
        if plan is None:
            return False
        job = plan.job if ticket.audio.kind != "sound" else replace(plan.job, seconds=ticket.audio.seconds)
        return job == ticket.audio

    def _regenerate_audio(self, track_id: str, clip: GeneratedClip, count: int) -> int:
        """Sound: new takes with new seeds. Speech: the voices here say a line the same way every time, so a
        new take is made only when the words, voice, speed or pitch differ from the take that plays."""
        tl = self.timeline
        if clip.spec.kind == "speech":
            now = plan_or_none(tl, clip, "")
            if not clip.pending and now is not None:
                made = clip.takes[clip.active_take or 0].spec
                before = plan_or_none(tl, clip.moved(spec=made), "") if made is not None else None
                if before is not None and before.job == now.job:
                    self.notices.append("This line is already spoken with these words and voice: change the "
                                        "text, voice, speed or pitch for another take")
                    return 0
            self._dispatch(Request("take", track_id, clip, original=clip), tl, first=False, last=False,
                           reuse_images=True)
            return 1
        n = max(1, count)
        for _ in range(n):
            fresh = clip.moved(spec=replace(clip.spec, seed=self.seed_source()))
            self._dispatch(Request("take", track_id, fresh, original=clip), tl, first=False, last=False,
                           reuse_images=True)
        return n

    def _audio_take(self, ticket: Ticket, clip: GeneratedClip, media: MediaSource) -> list[Command]:
        """Attaching an audio take: the take (recording the voice it was spoken in), the clip cut or grown to
        it (speech becomes as long as its speech)."""
        assert ticket.audio is not None
        take = Take(media_id=media.id, spec_hash=ticket.spec.content_hash(), spec=take_spec(ticket.spec, ticket.audio))
        commands: list[Command] = []
        if ticket.extra_take and clip.spec != ticket.spec:
            commands.append(SetClipProperties(clip.id, spec=ticket.spec))
        return [*commands, *attach_commands(self.timeline, clip, media, take)]

    def _audio_ready_status(self, clip: GeneratedClip) -> ShotStatus:
        take = clip.takes[clip.active_take or 0]
        if take.spec_hash != clip.spec.content_hash():
            return ShotStatus("stale", 1.0)
        if voice_changed(self.timeline, clip):
            return ShotStatus("stale", 1.0, message=STALE_VOICE)
        return ShotStatus("ready", 1.0)

    def _announce(self, clips: list[GeneratedClip]) -> None:
        if clips and self.on_attached is not None:
            self.on_attached(clips)

    # --- captions from a clip's sound ---------------------------------------------------------------------

    def transcribe(self, clip_id: str, *, model: str | None = None, language: str = "",
                   track_id: str | None = None) -> bool:
        """Transcribe the sound a clip plays (a recorded clip, or a generated clip's take) in the background;
        when done, its words become captions over the clip (a new caption track, or ``track_id``'s cues over
        the clip replaced: one undo step). False (reason in ``notices``) when refused at once."""
        tl = self.timeline
        try:
            _, clip = tl.find(clip_id)
        except KeyError:
            return self._say("That clip is no longer on the timeline")
        try:
            source = transcript_source(tl, clip)
            info = transcriber(model)
            job = AudioJobSpec.create("transcript", info.id, source=str(source.path), language=language)
        except (ModelError, GenerationError, ValueError) as exc:
            return self._say(f"Cannot transcribe: {one_line(exc)}")
        client = self.client
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shot-planner")
        # Submitting hashes the whole file: not on the caller's thread.
        self._transcribing.append((clip.id, str(source.path), track_id, self._pool.submit(client.submit, job)))
        return True

    def transcribing(self, clip_id: str) -> bool:
        """A transcript of the clip is on its way."""
        return any(c == clip_id for c, *_ in self._transcribing) or any(
            t.clip_id == clip_id and t.state in ("queued", "generating") for t in self.transcripts.values())

    def _poll_transcripts(self, events: list[Any]) -> bool:
        """Follow transcript jobs: submitted ones get a ticket, finished ones become captions."""
        changed = False
        while self._transcribing and self._transcribing[0][3].done():
            clip_id, path, track_id, future = self._transcribing.pop(0)
            changed = True
            try:
                submitted = future.result()
            except Exception as exc:   # noqa: BLE001 - the store refused (a file gone): one line
                self.notices.append(f"Cannot transcribe: {one_line(exc)}")
                continue
            ticket = TranscriptTicket(submitted.id, clip_id, path, track_id)
            self.transcripts[ticket.job_id] = ticket
            if job_state(submitted) in ("done", "failed", "cancelled"):   # known already (the cache)
                self._transcript_done(ticket, submitted)
        for ev in events:
            ticket = self.transcripts.get(ev.job_id or "")
            if ticket is None or ticket.state in ("done", "failed", "cancelled"):
                continue
            changed = True
            if ev.kind in ("started", "progress"):
                ticket.state = "generating"
            elif ev.kind in ("done", "error", "cancelled"):
                self._transcript_done(ticket, self._client.get(ticket.job_id))
        return changed

    def _transcript_done(self, ticket: TranscriptTicket, job: Any) -> None:
        state = job_state(job)
        if state != "done":
            ticket.state, ticket.message = state, job_failure(job)
            if state == "failed":
                self.notices.append(f"Cannot transcribe: {ticket.message}")
            return
        ticket.state = "done"
        from editor.generate.transcripts import caption_command, cues_from_words
        from generation.audio.writer import read_transcript

        tl = self.timeline
        try:
            _, clip = tl.find(ticket.clip_id)
            source = transcript_source(tl, clip)
        except (KeyError, ValueError):
            self.notices.append("The transcribed clip is no longer on the timeline: no captions made")
            return
        if str(source.path) != ticket.source:
            self.notices.append(f"{clip.name or 'The clip'} plays another file now: no captions made")
            return
        try:
            words = words_inside(list(read_transcript(job.output)["words"]), source)
        except GenerationError as exc:
            self.notices.append(f"Cannot read the transcript: {one_line(exc)}")
            return
        if not words:
            self.notices.append(f"No words heard in {clip.name or 'the clip'}")
            return
        cues = cues_from_words(words, fps=tl.fps, offset_frames=clip.start,
                               source_in_seconds=source.source_in_seconds, speed=source.speed,
                               duration_frames=clip.duration)
        try:
            command = caption_command(tl, cues, track_id=ticket.track_id)
        except (EditError, ValueError) as exc:
            self.notices.append(f"Cannot place the captions: {one_line(exc)}")
            return
        if not self._do(command):
            self.notices.append("Cannot place the captions there")

    def _close_audio(self) -> None:
        for *_, future in self._transcribing:
            with contextlib.suppress(Exception):
                future.cancel()
        self._transcribing.clear()

    # The queue's own methods this part calls.
    def sync(self, only: set[str] | None = None) -> bool: ...   # pragma: no cover - ShotQueue's

    def _dispatch(self, req: Request, tl: Timeline, *, first: bool, last: bool,
                  reuse_images: bool) -> None: ...   # pragma: no cover - ShotQueue's

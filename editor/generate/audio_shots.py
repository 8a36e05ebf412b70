"""Speech and sound clips in the shot queue: which audio job answers a clip, what attaching its take does, and
where a new sound clip or a transcript's source comes from. Plain functions over a timeline (no client, no
threads): ``editor.generate.audio_queue`` runs them for :class:`editor.generate.shots.ShotQueue`.

A speech clip's job is its words in its voice (the clip's own, else the storyboard's, else the basic voice);
the take it makes sets the clip's length (speech has no length of its own to ask for). A sound clip's job asks
for the clip's length in seconds, up to what the model makes in one take.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from editor.generate.audio_catalog import default_sound_model, default_transcriber, is_installed
from editor.generate.catalog import ModelError
from editor.model import Clip, GeneratedClip, GenerationSpec, MediaClip, MediaSource, Take, Timeline, TrackKind, new_id
from editor.model.commands import AddTake, AddTrack, Command, Overwrite, TrimTail, free_audio_track
from generation.audio.job_spec import AudioJobSpec
from generation.audio.models import AudioModelInfo, UnknownAudioModel, get_audio_model, split_voice
from generation.errors import GenerationError

DEFAULT_VOICE = "espeak-ng:en-us"
SOUND_TRACK_NAME = "SFX"
EVERYTHING = sys.maxsize   # a speech job covers any length: its take says how long the clip is


@dataclass(frozen=True)
class AudioPlan:
    """An audio clip's job and the source frames (timeline rate) its take will cover."""

    job: AudioJobSpec
    frames: int


def voice_for(tl: Timeline, spec: GenerationSpec) -> str:
    """The "<model>:<voice>" a speech clip is spoken in: its own, else the storyboard's, else the basic voice."""
    board = tl.story.storyboard if tl.story is not None else None
    return spec.voice or (board.voice if board is not None and board.voice else "") or DEFAULT_VOICE


def audio_model_installed(model_id: str) -> AudioModelInfo:
    """``model_id``'s registry entry when it can run here; ModelError (one line, what to do) when not."""
    try:
        info = get_audio_model(model_id)
    except UnknownAudioModel as exc:
        raise ModelError(str(exc)) from None
    if not is_installed(info):
        raise ModelError(f"{info.name} is not installed: run `promptcut models download {info.id}`")
    return info


def sound_model(spec_model: str) -> AudioModelInfo:
    """The model a sound clip uses: its own (installed), else the best installed sound model."""
    info = audio_model_installed(spec_model) if spec_model else default_sound_model()
    if info.kind != "sound":
        raise ModelError(f"{info.name} makes {info.kind}, not sound")
    return info


def transcriber(model: str | None) -> AudioModelInfo:
    info = audio_model_installed(model) if model else default_transcriber()
    if info.kind != "transcript":
        raise ModelError(f"{info.name} does not transcribe speech")
    return info


def audio_plan(tl: Timeline, clip: GeneratedClip, *, sound_model_id: str = "") -> AudioPlan:
    """The job that makes ``clip``'s take (``sound_model_id``: the model a sound clip without its own uses,
    resolved by the caller so this reads no files). GenerationError or ValueError for a bad spec."""
    board = tl.story.storyboard if tl.story is not None else None
    return _plan(clip.spec, clip.source_in + clip.source_frames, tl.fps, board.voice if board is not None else "",
                 sound_model_id)


@lru_cache(maxsize=4096)   # sync asks again for every clip and ticket after each edit
def _plan(spec: GenerationSpec, frames: int, fps: Fraction, board_voice: str, sound_model_id: str) -> AudioPlan:
    seed = spec.seed if spec.seed is not None else 0
    if spec.kind == "speech":
        info, voice = split_voice(spec.voice or board_voice or DEFAULT_VOICE)
        job = AudioJobSpec.create("speech", info.id, spec.prompt.strip(), voice=voice.id,
                                  speed=spec.voice_speed or 1.0, pitch=spec.pitch or 0.0, seed=seed)
        return AudioPlan(job, EVERYTHING)
    if spec.kind != "sound":
        raise ValueError("not a speech or sound clip")
    model = get_audio_model(spec.model or sound_model_id)
    seconds = Fraction(frames) / fps
    capped = bool(model.max_seconds) and seconds > Fraction(model.max_seconds)
    if capped:   # one take is as long as the model makes; attaching cuts the clip to it
        seconds = Fraction(model.max_seconds)
    # Asked to the next millisecond up, so the take covers the clip (attaching cuts the clip to the take).
    extra = {name: value for name, value in (("steps", spec.steps), ("guidance", spec.guidance),
                                             ("negative_prompt", spec.negative_prompt)) if value}
    job = AudioJobSpec.create("sound", model.id, spec.prompt.strip(), seconds=math.ceil(seconds * 1000) / 1000,
                              seed=seed, **extra)
    return AudioPlan(job, EVERYTHING if capped else frames)


def plan_or_none(tl: Timeline, clip: GeneratedClip, sound_model_id: str) -> AudioPlan | None:
    try:
        return audio_plan(tl, clip, sound_model_id=sound_model_id)
    except (GenerationError, ValueError):
        return None


def take_spec(spec: GenerationSpec, job: AudioJobSpec) -> GenerationSpec:
    """What a speech take records: the clip's spec with the voice it was spoken in (the storyboard's voice may
    change later; the take keeps what it is). The take's ``spec_hash`` stays the clip's own spec's."""
    if spec.kind == "speech" and not spec.voice:
        return replace(spec, voice=f"{job.model}:{job.voice}")
    return spec


def voice_changed(tl: Timeline, clip: GeneratedClip) -> bool:
    """A speech clip plays a take spoken in another voice than it would be spoken in now."""
    if clip.pending or clip.spec.kind != "speech":
        return False
    spec = clip.takes[clip.active_take or 0].spec
    return spec is not None and bool(spec.voice) and _same_voice(spec.voice) != _same_voice(voice_for(tl, clip.spec))


@lru_cache(maxsize=256)
def _same_voice(voice: str) -> str:
    """``voice`` written out as "<model>:<voice id>" (a bare model name is its default voice), to compare; a
    voice the registry does not know compares as it is."""
    try:
        info, found = split_voice(voice)
    except (GenerationError, KeyError, ValueError):
        return voice
    return f"{info.id}:{found.id}"


def attach_commands(tl: Timeline, clip: GeneratedClip, media: MediaSource, take: Take) -> list[Command]:
    """Add ``take`` to an audio clip (``media`` in the pool or added before these run), the clip fitted to it."""
    return fitted(tl, clip, media, AddTake(clip.id, take))


def fitted(tl: Timeline, clip: GeneratedClip, media: MediaSource, play: Command) -> list[Command]:
    """``play`` (a command that makes the clip play ``media``) with the clip fitted to it, in the order that
    keeps every step valid: a spoken line never plays past its speech, so it grows after the longer take plays
    and shrinks before the shorter one does."""
    fit = fit_commands(tl, clip, media)
    grows = any(isinstance(c, TrimTail) and c.to > clip.end for c in fit)
    return [play, *fit] if grows else [*fit, play]


def fit_commands(tl: Timeline, clip: GeneratedClip, media: MediaSource) -> list[Command]:
    """Fit an audio clip to the take ``media`` it is about to play (run before the take is made active): a
    speech clip becomes as long as its speech (floor, at least a frame), never past the next clip on its track;
    any audio clip is cut to the take when the take is shorter (a model rounds to its own step)."""
    frames = media.duration_frames(tl.fps)
    if frames is None or clip.speed != 1:
        return []
    take_end = clip.start + max(1, frames - clip.source_in)   # where the take runs out on the timeline
    end = min(clip.end, take_end)
    if clip.spec.kind == "speech":
        track, _ = tl.find(clip.id)
        later = [c.start for c in track.clips if c.start >= clip.end]
        end = min([take_end, *later])
    return [TrimTail(clip.id, end, linked=False)] if end != clip.end else []


def sound_clip(tl: Timeline, track_id: str | None, start: int, duration: int, prompt: str, *,
               model: str = "", seed: int) -> tuple[list[Command], GeneratedClip]:
    """The commands that put a new sound clip at ``start`` (on ``track_id``, else the first audio track free
    over its span, else a new "SFX" track) and the clip."""
    spec = GenerationSpec(prompt=prompt.strip(), model=model, seed=seed, kind="sound")
    clip = GeneratedClip(new_id("g"), start, duration, spec=spec, name="")
    commands: list[Command] = []
    if track_id is None:
        free = free_audio_track(tl, start, start + duration)
        if free is None:
            add = AddTrack(TrackKind.AUDIO, name=SOUND_TRACK_NAME)
            commands.append(add)
            track_id = add.track_id
        else:
            track_id = free.id
    commands.append(Overwrite(track_id, clip, start))
    return commands, clip


@dataclass(frozen=True)
class Source:
    """What a transcript is made of: the file, and the part of it the clip plays."""

    path: Path
    source_in_seconds: Fraction
    seconds: Fraction
    speed: Fraction


def transcript_source(tl: Timeline, clip: Clip) -> Source:
    """The sound a clip plays, for a transcript; ValueError (one line) when it plays none."""
    media_id = clip.media_id() if isinstance(clip, (MediaClip, GeneratedClip)) else None
    media = tl.media.get(media_id or "")
    if media is None:
        what = "has no take yet" if isinstance(clip, GeneratedClip) else "plays no media"
        raise ValueError(f"{clip.name or clip.id} {what}: there is nothing to transcribe")
    if not media.has_audio:
        raise ValueError(f"{clip.name or media.name} has no sound to transcribe")
    speed = Fraction(clip.speed) if clip.speed else Fraction(1)
    return Source(Path(media.path), Fraction(clip.source_in) / tl.fps, Fraction(clip.source_frames) / tl.fps, speed)


def words_inside(words: list[dict], source: Source) -> list[dict]:
    """The transcript's words the clip plays (a word half inside is kept, cut to the clip's part)."""
    first = float(source.source_in_seconds)
    last = float(source.source_in_seconds + source.seconds)
    out = []
    for w in words:
        try:
            start, end = float(w["start"]), float(w["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if end <= first or start >= last:
            continue
        out.append({**w, "start": max(start, first), "end": min(max(end, start), last)})
    return out


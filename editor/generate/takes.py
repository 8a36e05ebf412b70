"""A generated clip's takes: the commands that attach one (with its sound) or switch to another, and the spec
each take was made with.

A take whose file has sound (LTX-2 makes its own) brings it as a clip on an audio track, linked to the
generated clip as the bin places a video's picture and sound (``editor.model.commands.Place``): the same
``link`` id, the picture's own sound detached, so it is heard once, from the audio track, and moves, trims and
deletes with the picture. The sound goes on the first audio track free over the clip's range, else a new audio
track. Switching takes keeps the sound with the take that plays: the sound clip is pointed at the new take's
file, removed when that take is silent (the picture's sound is no longer detached then), or placed when the
new take has sound and the old one had none. All of it is part of the attaching or switching undo step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from editor.generate.shot_jobs import Request
from editor.model import (
    Clip,
    GeneratedClip,
    GenerationSpec,
    MediaClip,
    MediaSource,
    Take,
    Timeline,
    Track,
    TrackKind,
    new_id,
)
from editor.model.commands import AddTrack, Command, Delete, Group, Link, Overwrite, SetActiveTake, SetClipProperties


class DetachSound(SetClipProperties):
    """Set whether a clip's own sound is detached (it plays from a linked audio clip), which SetClipProperties
    does not offer: placing a take's sound changes it on the picture."""

    label = "Detach sound"

    def __init__(self, clip_id: str, detached: bool) -> None:
        super().__init__(clip_id)
        self.detached = detached

    def new_clip(self, tl: Timeline, clip: Clip) -> Clip:
        return clip.moved(sound_detached=self.detached)


def take_sound(tl: Timeline, clip: GeneratedClip) -> tuple[str, MediaClip] | None:
    """The (audio track id, clip) that plays ``clip``'s take sound: linked to it and playing one of its takes."""
    if clip.link is None:
        return None
    takes = {t.media_id for t in clip.takes}
    for track in tl.audio_tracks:
        for other in track.clips:
            if other.link == clip.link and isinstance(other, MediaClip) and other.media in takes:
                return track.id, other
    return None


def sound_commands(tl: Timeline, clip: GeneratedClip, media: MediaSource) -> list[Command]:
    """What makes ``clip`` (as it will stand, playing ``media``) heard from a linked audio clip when ``media``
    has sound, and only from itself when it has none. Run after the picture's take is in place (``media`` in
    the pool), in the same group."""
    found = take_sound(tl, clip)
    if not (media.has_audio and media.has_video):
        if found is None:
            return []
        return [Delete(found[1].id, linked=False), DetachSound(clip.id, False)]
    if found is not None:
        return [] if found[1].media == media.id else [SetClipProperties(found[1].id, media=media.id,
                                                                        label="Take sound follows the take")]
    # Linked after placing (a link with one member is dropped at once); an extension's group is kept.
    sound = MediaClip(new_id("c"), clip.start, clip.duration, source_in=clip.source_in, name=clip.name,
                      media=media.id, speed=clip.speed, reverse=clip.reverse, volume=clip.volume)
    commands: list[Command] = []
    track_id = next((t.id for t in tl.audio_tracks
                     if not t.locked and not t.clips_in(clip.start, clip.end)), None)
    if track_id is None:
        add = AddTrack(TrackKind.AUDIO)
        commands.append(add)
        track_id = add.track_id
    commands += [Overwrite(track_id, sound, sound.start), Link([clip.id, sound.id], link_id=clip.link or new_id("l")),
                 DetachSound(clip.id, True)]
    return commands


def take_specs(tl: Timeline, clip: GeneratedClip) -> list[GenerationSpec | None]:
    """Each take's spec: recorded with the take, else read from the job's JSON sidecar beside its video
    (None where neither is there)."""
    out: list[GenerationSpec | None] = []
    for take in clip.takes:
        media = tl.media.get(take.media_id)
        out.append(clip_spec_of(take) or (None if media is None else sidecar_spec(Path(media.path), clip.spec)))
    return out


def clip_spec_of(take: Take) -> GenerationSpec | None:
    """The clip spec a take answers: its recorded spec, less the voice filled in for a speech clip that
    followed the storyboard's voice (a speech take records the voice it was spoken in), so choosing the take
    keeps the clip following the storyboard."""
    spec = take.spec
    if spec is not None and spec.kind == "speech" and spec.voice and spec.content_hash() != take.spec_hash:
        plain = replace(spec, voice="")
        if plain.content_hash() == take.spec_hash:
            return plain
    return spec


def active_profile(tl: Timeline, clip: GeneratedClip) -> str:
    """The profile of the take that plays ("draft", "standard", "final"), "" when none plays."""
    if clip.pending:
        return ""
    spec = take_specs(tl, clip)[clip.active_take or 0]
    return (spec or clip.spec).job_profile


def sidecar_spec(video: Path, like: GenerationSpec) -> GenerationSpec | None:
    """Roughly the GenerationSpec a take was made with, from the job spec in its sidecar (``<stem>.json``):
    for takes of projects written before takes recorded their spec. The prompt and negative prompt are the
    clip's where the sidecar has none."""
    try:
        data = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    job = data.get("job") if isinstance(data, dict) else None
    spec = job.get("spec") if isinstance(job, dict) else None
    if isinstance(spec, dict):
        try:
            return GenerationSpec(
                prompt=str(spec.get("prompt", like.prompt)),
                negative_prompt=like.negative_prompt,
                model=str(spec.get("model") or like.model),
                seed=spec.get("seed"), steps=spec.get("steps"), guidance=spec.get("guidance"),
                width=spec.get("width"), height=spec.get("height"),
                first_image=spec.get("first_image"), last_image=spec.get("last_image"))
        except (TypeError, ValueError):
            return None
    return None


class TakeActions:
    """The shot queue's choices between a clip's takes (mixed into ``editor.generate.shots.ShotQueue``)."""

    notices: list[str]
    timeline: Timeline
    _do: Callable[[Command], bool]

    def promote(self, clip_id: str) -> bool:
        """"Promote to Final": a new take of the segment with the same seed, prompt and conditioning made with
        the final recipe (its steps and guidance, not the draft's). When it lands the clip plays it (one undo
        step, as any new take). False (reason in ``notices``) when the playing take is not a draft."""
        track, clip = self._generated(clip_id)
        if active_profile(self.timeline, clip) != "draft":
            self.notices.append("Only a draft take can be promoted to Final")
            return False
        spec = take_specs(self.timeline, clip)[clip.active_take or 0] or clip.spec
        final = clip.moved(spec=replace(spec, profile="final", steps=None, guidance=None))
        self._dispatch(Request("take", track.id, final, original=clip), self.timeline,
                       first=bool(spec.first_image), last=bool(spec.last_image), reuse_images=True)
        return True

    def take_specs(self, clip: GeneratedClip) -> list[GenerationSpec | None]:
        """Each take's spec: recorded with the take, else read from the job's JSON sidecar beside its video
        (None where neither is there)."""
        return take_specs(self.timeline, clip)

    def switch_take(self, clip_id: str, index: int) -> bool:
        """Play another take (one undo step); the clip's spec follows the take, so it is not stale."""
        _, clip = self._generated(clip_id)
        if clip.active_take == index or not 0 <= index < len(clip.takes):
            return False
        spec = self.take_specs(clip)[index]
        media = self.timeline.media.get(clip.takes[index].media_id)
        commands: list[Command] = [SetActiveTake(clip.id, index)]
        if media is not None and clip.spec.is_audio:   # speech is as long as the take it plays
            from editor.generate.audio_shots import fitted

            commands = fitted(self.timeline, clip, media, commands[0])
        if spec is not None and spec != clip.spec:
            commands.append(SetClipProperties(clip.id, spec=spec))
        if media is not None:   # the sound clip follows the take that plays (removed when that one is silent)
            commands += sound_commands(self.timeline, clip.moved(active_take=index), media)
        return self._do(Group(f"Choose take {index + 1}", commands))

    # The queue's own methods these call.
    def _generated(self, clip_id: str) -> tuple[Track, GeneratedClip]: ...   # pragma: no cover - ShotQueue's

    def _dispatch(self, req: Request, tl: Timeline, *, first: bool, last: bool,
                  reuse_images: bool) -> None: ...   # pragma: no cover - ShotQueue's

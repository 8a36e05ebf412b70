"""A segment's sound as ffmpeg filter chains: every sound delayed to its exact sample offset, at its level,
mixed with ``amix normalize=0``. Called by ``editor.render.ffgraph`` for each segment it renders.

A sound follows its plan layer (``editor.render.plan.SoundLayer``): a reversed one reads its source range
and plays it backwards (``areverse``), a sped one is time-stretched keeping its pitch (``atempo``, chained
for speeds beyond 0.5..2), a freeze frame is silent (as Premiere's frame hold). Its gain per sample is
``SoundLayer.gain_at``: keyframed dB levels times the fade and crossfade envelope, evaluated by ``aeval``
at every sample. The preview mix (``editor.playback.mixer``) does the same with the same filters.
"""

from __future__ import annotations

from collections.abc import Callable

from editor.media.sound_gain import animated, gain_expr
from editor.media.stretch import source_range, tempo_chain
from editor.render.plan import Segment, SoundLayer, output_samples
from editor.render.settings import ExportSettings


def sound_chains(seg: Segment, settings: ExportSettings, facts: dict, P: str,
                 input_for: Callable[[SoundLayer], int], chains: list[str]) -> str | None:
    """Append the chains mixing ``seg``'s sounds; returns the mix's label, or None when nothing sounds."""
    fps = settings.fps
    sr = settings.sample_rate

    def at(frame: int) -> int:   # exact output sample of a frame of this segment
        return output_samples(seg.frame + frame, fps, sr) - seg.sample

    n_samples = seg.samples
    sound_labels = []
    for n, sound in enumerate(seg.sounds):
        f = facts[sound.media_id]
        speed = sound.timing.speed
        if not f.has_audio or speed == 0:
            continue
        k = input_for(sound)
        first, length = at(sound.offset), at(sound.end) - at(sound.offset)
        steps = [f"aresample={sr}:async=1:first_pts=0"]
        if f.channels == 1:
            steps.append("pan=stereo|c0=c0|c1=c0")
        steps.append(f"aformat=sample_fmts=fltp:sample_rates={sr}:channel_layouts=stereo")
        steps += timing_steps(sound, fps, sr)
        steps += gain_steps(sound, fps)
        steps.append(f"apad=whole_len={length},atrim=end_sample={length}")
        if first:
            steps.append(f"adelay=delays={first}S:all=1")
        chains.append(f"[{k}:a]{','.join(steps)}[{P}s{n}]")
        sound_labels.append(f"{P}s{n}")
    end_all = f"apad=whole_len={n_samples},atrim=end_sample={n_samples},aformat=sample_fmts=flt"
    if len(sound_labels) > 1:
        joined = "".join(f"[{x}]" for x in sound_labels)
        # amix stamps its output from input 0's frames only: once that input ends before the others (a sound
        # delayed after it), the rest of the mix comes out without timestamps (AV_NOPTS_VALUE), and whether it
        # does depends on thread timing. The concat of a batched run then adds that to its offsets and fails
        # ("Invalid data found when processing input"). Every sound here starts at pts 0 and is padded to
        # exact sample counts, so the mix's timestamps are its sample count.
        chains.append(f"{joined}amix=inputs={len(sound_labels)}:normalize=0:duration=longest:dropout_transition=0,"
                      f"asetpts=N/SR/TB,{end_all}[{P}a]")
    elif sound_labels:
        chains.append(f"[{sound_labels[0]}]{end_all}[{P}a]")
    return f"{P}a" if sound_labels else None


def timing_steps(sound: SoundLayer, fps, sr: int) -> list[str]:
    """Filters playing the layer's source range at its speed: backwards for a reversed one (only its range:
    the input reads on past it), stretched keeping the pitch."""
    speed = sound.timing.speed
    steps = []
    if speed < 0:
        _, count = source_range(sound.start, sound.frames, speed, fps, sr)
        steps += [f"atrim=end_sample={count}", "areverse"]
    tempo = tempo_chain(speed)
    if tempo:
        steps.append(tempo)
    return steps


def gain_steps(sound: SoundLayer, fps) -> list[str]:
    """The layer's gain: one volume when constant, else evaluated per sample at the sample's clip frame
    (time counted from the layer's first sample, as the preview counts it)."""
    if not animated(sound.levels, sound.envelope):
        g = sound.gain_at(0)
        return [] if abs(g - 1.0) <= 1e-9 else [f"volume={g:.9f}"]
    t = sound.timing
    frame = f"({float(t.clip_frame):.17g}+t*{float(fps * t.rate):.17g})"
    g = gain_expr(sound.gain, sound.levels, sound.envelope, frame)
    return ["asetpts=N/SR/TB", f"aeval='val(0)*{g}|val(1)*{g}':c=same"]

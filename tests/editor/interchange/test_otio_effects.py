"""Transitions, speed, fades, transforms, gain keys and text in OpenTimelineIO, both ways.

Conventions under test (see ``editor.interchange.otio_effects``): a transition sits in the track between the
two clips it joins, in_offset = frames before the cut, out_offset = after; a time-warped clip's
``source_range`` starts at its first media frame and lasts its length ON THE TRACK.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest

from editor.interchange import read_otio, timeline_from_otio, timeline_to_otio, write_otio
from editor.interchange.otio import METADATA_KEY, path_to_url
from editor.media import synth
from editor.model import MediaClip, MediaKind, MediaSource, Settings, TextClip, Timeline, TrackKind
from editor.model.effects import Transform, Transition, TransitionKind
from editor.model.keyframes import Curve, Ease
from editor.model.text import PRESETS, TextStyle

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange
RATE = 30.0


def rng(start: float, duration: float) -> otio.opentime.TimeRange:
    return TR(RT(start, RATE), RT(duration, RATE))


def reimport(tl_otio: otio.schema.Timeline):
    """Serialise to JSON text and read it back, the path a file takes."""
    return timeline_from_otio(otio.adapters.read_from_string(tl_otio.to_json_string(), "otio_json"))


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("otio-effects-media")
    return {
        "grey": synth.indexed_clip(d / "grey ramp.mp4", frames=90, step=2),
        "blue": synth.color_clip(d / "blue.mp4", "blue", 3.0, size=(160, 90), tone_hz=660),
    }


def external(path: Path, frames: int = 90) -> otio.schema.ExternalReference:
    return otio.schema.ExternalReference(target_url=path_to_url(str(path)), available_range=rng(0, frames))


def foreign_file(sources: dict[str, Path]) -> otio.schema.Timeline:
    """What another editor writes: a 2x clip, a centred 10-frame dissolve into a plain clip, a freeze frame."""
    fast = otio.schema.Clip(name="fast", media_reference=external(sources["grey"]), source_range=rng(0, 30))
    fast.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    plain = otio.schema.Clip(name="plain", media_reference=external(sources["blue"]), source_range=rng(10, 30))
    frozen = otio.schema.Clip(name="frozen", media_reference=external(sources["grey"]), source_range=rng(20, 15))
    frozen.effects.append(otio.schema.FreezeFrame())
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(fast)
    track.append(otio.schema.Transition(transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                        in_offset=RT(5, RATE), out_offset=RT(5, RATE)))
    track.append(plain)
    track.append(frozen)
    result = otio.schema.Timeline(name="from another editor")
    result.tracks.append(track)
    return result


def shape(tl: otio.schema.Timeline) -> list[list[tuple]]:
    """The parts of an OTIO timeline both tools must agree on: items, ranges, media, transitions, effects."""
    tracks = []
    for track in tl.tracks:
        items = []
        for item in track:
            if isinstance(item, otio.schema.Transition):
                items.append(("Transition", item.transition_type, item.in_offset, item.out_offset))
            elif isinstance(item, otio.schema.Clip):
                effects = tuple((e.schema_name(), e.time_scalar) for e in item.effects)
                items.append(("Clip", item.name, item.source_range, item.media_reference.target_url, effects))
            else:
                items.append((item.schema_name(), item.trimmed_range()))
        tracks.append(items)
    return tracks


# --- a foreign file with the three standard effects -----------------------------------------------------------


def test_dissolve_time_warp_and_freeze_frame_import(sources: dict[str, Path]) -> None:
    result = reimport(foreign_file(sources))
    assert result.warnings == []
    fast, plain, frozen = result.timeline.video_tracks[0].clips
    placed = [(c.start, c.duration, c.source_in) for c in (fast, plain, frozen)]
    assert placed == [(0, 30, 0), (30, 30, 10), (60, 15, 20)]
    assert (fast.speed, fast.reverse, fast.source_frames) == (2, False, 60)
    assert fast.transition is None
    assert plain.speed == 1 and plain.transition == Transition(TransitionKind.DISSOLVE, before=5, after=5)
    assert frozen.speed == 0 and frozen.source_frame(7) == 20


def test_dissolve_time_warp_and_freeze_frame_export_to_the_same_otio(sources: dict[str, Path]) -> None:
    given = foreign_file(sources)
    imported = reimport(given).timeline
    written = timeline_to_otio(imported, name="again")
    assert shape(written) == shape(given)
    # and once more through our model: nothing drifts
    assert shape(timeline_to_otio(reimport(written).timeline)) == shape(given)


def test_imported_effects_render(sources: dict[str, Path], tmp_path: Path) -> None:
    from editor.render import export, resolve_settings

    tl = reimport(foreign_file(sources)).timeline
    out = export(tl, tmp_path / "effects.mp4", resolve_settings(tl, size="180x320", loudness="off")).path
    lumas = []
    with av.open(str(out)) as container:
        for frame in container.decode(video=0):
            rgb = frame.to_ndarray(format="rgb24").astype(float)
            lumas.append(rgb[140:180, 70:110].mean(axis=(0, 1)))
    assert len(lumas) == 75   # 2x: 60 source frames in 30; the dissolve adds no length; 15 frozen
    grey = [float(c.mean()) for c in lumas]
    # output frame i of the 2x clip shows source frame 2i (luma 16 + 4i, so RGB grey 4i * 255/219)
    def ramp(source_frame: float) -> float:
        return 2 * source_frame * 255 / 219

    for i in range(0, 24, 3):
        assert abs(grey[i] - ramp(2 * i)) < 5, (i, grey[i], ramp(2 * i))
    # the dissolve's middle frame (the cut, frame 30) is half the outgoing grey (source frame 60: the 2x clip
    # carried on past its end) and half the incoming blue
    expected = (np.full(3, ramp(60)) + np.array([0.0, 0.0, 255.0])) / 2
    assert np.abs(lumas[30] - expected).max() < 12, (lumas[30], expected)
    # the freeze frame holds source frame 20
    assert all(abs(g - ramp(20)) < 5 for g in grey[60:75]), grey[60:75]


# --- mapping details ------------------------------------------------------------------------------------------


def test_dips_travel_as_custom_transitions_and_foreign_custom_ones_import_as_dissolves(
    sources: dict[str, Path],
) -> None:
    def track_with(transition: otio.schema.Transition) -> otio.schema.Timeline:
        track = otio.schema.Track()
        track.append(otio.schema.Clip(name="a", media_reference=external(sources["grey"]), source_range=rng(0, 30)))
        track.append(transition)
        track.append(otio.schema.Clip(name="b", media_reference=external(sources["blue"]), source_range=rng(0, 30)))
        tl = otio.schema.Timeline()
        tl.tracks.append(track)
        return tl

    ours = otio.schema.Transition(transition_type="Custom_Transition", in_offset=RT(0, RATE),
                                  out_offset=RT(8, RATE), metadata={METADATA_KEY: {"kind": "dip_white"}})
    result = reimport(track_with(ours))
    assert result.warnings == []
    assert result.timeline.video_tracks[0].clips[1].transition == Transition(TransitionKind.DIP_WHITE, 0, 8)

    wipe = otio.schema.Transition(name="Barn Door", transition_type="Custom_Transition",
                                  in_offset=RT(4, RATE), out_offset=RT(4, RATE))
    result = reimport(track_with(wipe))
    assert result.timeline.video_tracks[0].clips[1].transition == Transition(TransitionKind.DISSOLVE, 4, 4)
    assert len(result.warnings) == 1 and "'Custom_Transition' imported as a dissolve" in result.warnings[0]


def test_transitions_that_do_not_join_two_clips_are_dropped_with_a_warning(sources: dict[str, Path]) -> None:
    def dissolve(frames: float = 5) -> otio.schema.Transition:
        return otio.schema.Transition(transition_type="SMPTE_Dissolve", in_offset=RT(frames, RATE),
                                      out_offset=RT(frames, RATE))

    track = otio.schema.Track()
    track.append(dissolve())   # nothing before it
    track.append(otio.schema.Clip(name="a", media_reference=external(sources["grey"]), source_range=rng(0, 30)))
    track.append(dissolve())   # a gap after it
    track.append(otio.schema.Gap(duration=RT(10, RATE)))
    track.append(otio.schema.Clip(name="b", media_reference=external(sources["blue"]), source_range=rng(0, 30)))
    track.append(dissolve(40))   # longer than both clips: shortened to fit
    track.append(otio.schema.Clip(name="c", media_reference=external(sources["grey"]), source_range=rng(0, 20)))
    disabled = otio.schema.Clip(name="d", media_reference=external(sources["blue"]), source_range=rng(0, 20))
    disabled.enabled = False
    track.append(disabled)
    track.append(dissolve())   # its outgoing clip is disabled: kept (the clip stays on the timeline, disabled)
    track.append(otio.schema.Clip(name="e", media_reference=external(sources["grey"]), source_range=rng(0, 20)))
    track.append(otio.schema.Clip(name="song", media_reference=external("/m/song.mp3"), source_range=rng(0, 20)))
    track.append(dissolve())   # its outgoing clip is left out (a sound file on a video track)
    track.append(otio.schema.Clip(name="f", media_reference=external(sources["grey"]), source_range=rng(0, 20)))
    tl = otio.schema.Timeline()
    tl.tracks.append(track)
    result = reimport(tl)
    assert result.timeline.problems() == []
    clips = {c.name: c for c in result.timeline.video_tracks[0].clips}
    assert [c.transition for c in clips.values()] == [None, None, Transition(TransitionKind.DISSOLVE, 30, 20), None,
                                                      Transition(TransitionKind.DISSOLVE, 5, 5), None]
    assert [c.enabled for c in clips.values()] == [True, True, True, False, True, True]
    text = " | ".join(result.warnings)
    assert text.count("does not sit between two clips; dropped") == 2
    assert "longer than the clips it joins; shortened" in text
    assert "no clip ends where it starts; dropped" in text


def test_audio_transitions_are_crossfades(sources: dict[str, Path]) -> None:
    track = otio.schema.Track(kind=otio.schema.TrackKind.Audio)
    track.append(otio.schema.Clip(name="a", media_reference=external(sources["grey"]), source_range=rng(0, 30)))
    track.append(otio.schema.Transition(transition_type="SMPTE_Dissolve", in_offset=RT(6, RATE),
                                        out_offset=RT(0, RATE)))
    track.append(otio.schema.Clip(name="b", media_reference=external(sources["blue"]), source_range=rng(0, 30)))
    tl = otio.schema.Timeline()
    tl.tracks.append(track)
    result = reimport(tl)
    assert result.warnings == []
    assert result.timeline.audio_tracks[0].clips[1].transition == Transition(TransitionKind.DISSOLVE, 6, 0)
    assert shape(timeline_to_otio(result.timeline)) == shape(tl)


@pytest.mark.parametrize(("scalar", "speed", "reverse", "warned"), [
    (-2.0, Fraction(2), True, False),
    (0.5, Fraction(1, 2), False, False),
    (1 / 3, Fraction(1, 3), False, False),
    (-1.0, Fraction(1), True, False),
    (25.0, Fraction(10), False, True),
    (0.01, Fraction(1, 10), False, True),
    (-40.0, Fraction(10), True, True),
])
def test_time_scalars_become_speeds_and_out_of_range_ones_are_clamped(
    sources: dict[str, Path], scalar: float, speed: Fraction, reverse: bool, warned: bool
) -> None:
    clip = otio.schema.Clip(name="warped", media_reference=external(sources["grey"], 2000), source_range=rng(3, 9))
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=scalar))
    track = otio.schema.Track()
    track.append(clip)
    tl = otio.schema.Timeline()
    tl.tracks.append(track)
    result = reimport(tl)
    (ours,) = result.timeline.video_tracks[0].clips
    assert (ours.speed, ours.reverse, ours.source_in, ours.duration) == (speed, reverse, 3, 9)
    assert any("clamped" in w for w in result.warnings) == warned
    assert result.timeline.problems() == []


def test_a_time_warp_on_a_still_is_ignored_with_a_warning(tmp_path: Path) -> None:
    clip = otio.schema.Clip(name="logo", media_reference=otio.schema.ExternalReference(target_url="/m/logo.png"),
                            source_range=rng(0, 30))
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    track = otio.schema.Track()
    track.append(clip)
    tl = otio.schema.Timeline()
    tl.tracks.append(track)
    result = reimport(tl)
    (ours,) = result.timeline.video_tracks[0].clips
    assert ours.speed == 1 and result.timeline.problems() == []
    assert any("its time warp was ignored" in w for w in result.warnings)


def test_foreign_clips_import_plain_and_bad_promptcut_effect_metadata_is_reported(sources: dict[str, Path]) -> None:
    clip = otio.schema.Clip(name="x", media_reference=external(sources["grey"]), source_range=rng(0, 30))
    clip.metadata[METADATA_KEY] = {"transform": "{not json", "gain": '{"value": 900}', "fade_in": 20,
                                   "fade_out": 20, "interpolation": "magic"}
    track = otio.schema.Track()
    track.append(clip)
    tl = otio.schema.Timeline()
    tl.tracks.append(track)
    result = reimport(tl)
    (ours,) = result.timeline.video_tracks[0].clips
    assert ours.transform == Transform() and ours.gain == Curve(0.0) and ours.interpolation == ""
    assert ours.fade_in + ours.fade_out <= ours.duration
    assert result.timeline.problems() == []
    text = " | ".join(result.warnings)
    for words in ("unreadable transform", "gain has a value outside", "unknown interpolation", "fades for longer"):
        assert words in text


# --- our own round trip -----------------------------------------------------------------------------------------


def every_effect(folder: Path) -> Timeline:
    """Every effect the model holds, with awkward numbers: keyed transforms, gain keys, fades, all transition
    kinds and placements, speeds with odd fractions, reverse, freeze, interpolation, text and captions."""
    tl = Timeline.empty(Settings(1080, 1920, Fraction(30000, 1001), 48000), video_tracks=3, audio_tracks=1)
    for media_id, name, kind, video, audio in (("m-a", "a.mov", MediaKind.VIDEO, True, True),
                                               ("m-b", "b.mov", MediaKind.VIDEO, True, True),
                                               ("m-s", "song.wav", MediaKind.AUDIO, False, True)):
        (folder / name).write_bytes(b"x")
        tl.media[media_id] = MediaSource(media_id, str(folder / name), kind, Fraction(600), video, audio, 1920, 1080)
    v1, v2, v3 = tl.video_tracks
    a1 = tl.audio_tracks[0]
    transform = Transform(
        x=Curve(0.1).with_key(0, 0.1 + 0.7, Ease.EASE_IN_OUT).with_key(40, -0.3333333333333333, Ease.HOLD),
        scale=Curve(1.0 + 1e-15).with_key(10, 0.1 + 0.2, Ease.EASE_OUT),
        rotation=Curve(-12.5), opacity=Curve(0.7).with_key(5, 0.25, Ease.EASE_IN), crop_left=Curve(0.09528585757271815),
        crop_bottom=Curve(0.2))
    gain = Curve(0.0).with_key(0, -6.02059991327962).with_key(20, -0.020060180541624874).with_key(50, 3.1, Ease.HOLD)
    v1.clips += [
        MediaClip("c1", 0, 60, 100, name="slow reverse", media="m-a", speed=Fraction(1, 3), reverse=True,
                  interpolation="flow", transform=transform, fade_in=10, fade_out=7, gain=gain, volume=0.8),
        MediaClip("c2", 60, 45, 30, name="fast", media="m-b", speed=Fraction(5, 2), interpolation="blend",
                  transition=Transition(TransitionKind.DIP_WHITE, 0, 12)),
        MediaClip("c3", 105, 30, 12, name="frozen", media="m-a", speed=Fraction(0),
                  transition=Transition(TransitionKind.DIP_BLACK, 9, 0)),
        MediaClip("c4", 135, 40, 200, name="odd speed", media="m-b", speed=Fraction(1234, 1001),
                  transition=Transition(TransitionKind.DISSOLVE, 7, 8)),
    ]
    style = TextStyle(font="Inter", size=0.1 + 0.2, color="#FF8800CC", bold=True, outline_width=0.07,
                      shadow_color="#00000080", shadow_offset=(0.01, -0.02), box_color="#11223344", align="left",
                      x=0.3333333333333333, y=0.71)
    v2.clips += [
        TextClip("t1", 20, 50, name="title", text="Hello ' : % \\ \" 🎬\nمرحبا", style=style,
                 transform=Transform(scale=Curve(1.0).with_key(0, 0.5).with_key(20, 1.0)), fade_in=5),
        TextClip("t2", 70, 30, text="lower third", style=PRESETS["Lower third"],
                 transition=Transition(TransitionKind.DISSOLVE, 10, 10)),
    ]
    v3.captions = True
    v3.clips += [TextClip("q1", 0, 30, text="first cue", style=PRESETS["Caption"]),
                 TextClip("q2", 40, 25, text="second\ncue", style=PRESETS["Caption"])]
    a1.solo = True
    a1.clips += [
        MediaClip("s1", 0, 80, 0, media="m-s", gain=Curve(-3.0), fade_in=20),
        MediaClip("s2", 80, 80, 500, media="m-s", speed=Fraction(3, 2), reverse=True,
                  transition=Transition(TransitionKind.DISSOLVE, 30, 0), fade_out=15),
    ]
    tl.check()
    return tl


def test_every_effect_text_and_captions_round_trip_exactly(tmp_path: Path) -> None:
    tl = every_effect(tmp_path)
    path = write_otio(tl, tmp_path / "all effects.otio")
    result = read_otio(path)
    assert result.warnings == []
    assert result.timeline == tl
    assert result.timeline.problems() == []


def test_text_clips_are_text_generators_and_caption_tracks_are_flagged(tmp_path: Path) -> None:
    tl = every_effect(tmp_path)
    written = timeline_to_otio(tl)
    v2, v3 = written.tracks[1], written.tracks[2]
    title = next(item for item in v2 if isinstance(item, otio.schema.Clip))
    ref = title.media_reference
    assert isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind == "text"
    assert ref.parameters["text"] == "Hello ' : % \\ \" 🎬\nمرحبا" and ref.parameters["style"]["align"] == "left"
    assert v3.metadata[METADATA_KEY]["captions"] is True and v2.metadata[METADATA_KEY]["captions"] is False
    # a text generator from a tool that knows only the parameters: the style comes from them
    del title.metadata[METADATA_KEY]["style"]
    back = reimport(written).timeline
    assert back.video_tracks[1].clips[0].text == tl.video_tracks[1].clips[0].text
    assert back.video_tracks[1].clips[0].style.align == "left"
    assert back.video_tracks[2].captions and not back.video_tracks[1].captions


def test_a_text_generator_without_text_or_on_an_audio_track_is_left_out() -> None:
    tl = otio.schema.Timeline()
    for kind, params in (("Video", {"style": {"size": 0.1}}), ("Audio", {"text": "hi"})):
        track = otio.schema.Track(kind=kind)
        track.append(otio.schema.Clip(name="t", source_range=rng(0, 10), media_reference=otio.schema.GeneratorReference(
            generator_kind="text", parameters=params)))
        tl.tracks.append(track)
    result = reimport(tl)
    assert [t.clips for t in result.timeline.tracks] == [[], []]
    assert any("without text" in w for w in result.warnings)
    assert any("text clip on an audio track" in w for w in result.warnings)
    assert result.timeline.tracks[1].kind is TrackKind.AUDIO


def test_speed_in_the_file_follows_the_otio_layout(tmp_path: Path) -> None:
    """OTIO places a time-warped clip by its source_range duration (range_in_parent does not scale it): our
    export writes the track length there, so OTIO and we agree on where every clip sits."""
    tl = every_effect(tmp_path)
    written = timeline_to_otio(tl)
    for otio_track, track in zip(written.tracks, tl.tracks, strict=True):
        placed = [item.range_in_parent() for item in otio_track if isinstance(item, otio.schema.Clip)]
        assert [(round(r.start_time.value), round(r.duration.value)) for r in placed] == \
            [(c.start, c.duration) for c in track.clips]
    fast = written.tracks[0][2]   # clip, transition, clip
    assert fast.name == "fast" and [e.time_scalar for e in fast.effects] == [2.5]
    assert written.tracks[0][0].effects[0].time_scalar == pytest.approx(-1 / 3)
    assert isinstance(written.tracks[0][4].effects[0], otio.schema.FreezeFrame)

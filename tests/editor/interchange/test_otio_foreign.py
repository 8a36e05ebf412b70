"""Importing OTIO made by other tools: plain OTIO objects, no promptcut metadata."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.interchange import read_otio, timeline_from_otio
from editor.interchange.otio import snap_rate
from editor.model import GeneratedClip, GenerationSpec, MediaClip, MediaKind, TrackKind
from editor.model.effects import Transition, TransitionKind

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def rng(start: float, duration: float, rate: float) -> otio.opentime.TimeRange:
    return TR(RT(start, rate), RT(duration, rate))


def external(url: str, available: otio.opentime.TimeRange | None = None) -> otio.schema.ExternalReference:
    return otio.schema.ExternalReference(target_url=url, available_range=available)


def clip(name: str, ref: otio.core.MediaReference | None, source: otio.opentime.TimeRange) -> otio.schema.Clip:
    return otio.schema.Clip(name=name, media_reference=ref, source_range=source)


def gap(frames: float, rate: float) -> otio.schema.Gap:
    return otio.schema.Gap(duration=RT(frames, rate))


def timeline(*tracks: otio.schema.Track) -> otio.schema.Timeline:
    result = otio.schema.Timeline(name="from another tool")
    for track in tracks:
        result.tracks.append(track)
    return result


def import_ok(tl: otio.schema.Timeline, tmp_path: Path | None = None):
    """Go through a real file, as the app does."""
    if tmp_path is None:
        result = timeline_from_otio(otio.adapters.read_from_string(tl.to_json_string(), "otio_json"))
    else:
        path = tmp_path / "foreign.otio"
        otio.adapters.write_to_file(tl, str(path))
        result = read_otio(path)
    assert result.timeline.problems() == []
    return result


def test_two_clips_around_a_gap(tmp_path: Path) -> None:
    a = tmp_path / "a.mov"
    a.write_bytes(b"x")
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    video.append(clip("A", external(a.as_uri(), rng(0, 240, 24)), rng(10, 48, 24)))
    video.append(gap(24, 24))
    video.append(clip("B", external("file:///nowhere/b.mov", rng(0, 100, 24)), rng(0, 36, 24)))
    result = import_ok(timeline(video), tmp_path)
    tl = result.timeline
    assert result.warnings == []
    assert result.name == "from another tool"
    assert tl.fps == 24
    assert [t.name for t in tl.video_tracks] == ["V1"] and tl.audio_tracks == []
    first, second = tl.video_tracks[0].clips
    assert (first.name, first.start, first.duration, first.source_in) == ("A", 0, 48, 10)
    assert (second.name, second.start, second.duration, second.source_in) == ("B", 72, 36, 0)
    assert tl.video_tracks[0].gaps() == [(48, 72)]
    media_a = tl.media[first.media_id()]
    assert media_a.path == str(a) and media_a.online and media_a.kind is MediaKind.VIDEO
    assert media_a.duration == 10
    media_b = tl.media[second.media_id()]
    assert media_b.path == "/nowhere/b.mov" and not media_b.online
    assert not tl.video_tracks[0].muted   # no audio tracks: the picture track keeps its sound


def test_generated_clip_between_two_clips() -> None:
    params = {
        "prompt": "a lighthouse at dusk, waves crashing, cinematic",
        "seed": 42,
        "model": "Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
        "negative_prompt": "low quality, watermark",
        "steps": 30,
        "guidance": 5.0,
    }
    video = otio.schema.Track(name="V1")
    video.append(clip("intro", external("/media/intro.mp4", rng(0, 300, 30)), rng(0, 60, 30)))
    video.append(clip("lighthouse", otio.schema.GeneratorReference(
        name="lighthouse", generator_kind="text_to_video", parameters=params), rng(0, 81, 30)))
    video.append(clip("outro", external("/media/outro.mp4", rng(0, 300, 30)), rng(30, 90, 30)))
    result = import_ok(timeline(video))
    assert result.warnings == []
    intro, generated, outro = result.timeline.video_tracks[0].clips
    assert isinstance(intro, MediaClip) and isinstance(outro, MediaClip)
    assert isinstance(generated, GeneratedClip)
    assert (generated.start, generated.duration, generated.name) == (60, 81, "lighthouse")
    assert generated.spec == GenerationSpec(
        prompt="a lighthouse at dusk, waves crashing, cinematic", negative_prompt="low quality, watermark",
        model="Wan-AI/Wan2.1-T2V-1.3B-Diffusers", seed=42, steps=30, guidance=5.0,
    )
    assert generated.pending and generated.takes == ()
    assert (outro.start, outro.source_in) == (141, 30)
    assert result.timeline.pending_segments() == [generated]


def test_generator_parameters_are_coerced_or_reported() -> None:
    params = {"prompt": "p", "seed": "7", "steps": 20.0, "guidance": 6, "width": "wide", "fps": 16,
              "num_frames": 81}
    video = otio.schema.Track()
    video.append(clip("g", otio.schema.GeneratorReference(generator_kind="text_to_video", parameters=params),
                      rng(0, 10, 30)))
    result = import_ok(timeline(video))
    spec = result.timeline.video_tracks[0].clips[0].spec
    assert (spec.seed, spec.steps, spec.guidance, spec.width) == (7, 20, 6.0, None)
    assert any("width='wide'" in w for w in result.warnings)
    assert any("fps, num_frames" in w for w in result.warnings)


def test_other_generators_and_promptless_generators_become_gaps() -> None:
    video = otio.schema.Track()
    video.append(clip("bars", otio.schema.GeneratorReference(generator_kind="SMPTEBars"), rng(0, 30, 30)))
    video.append(clip("blank", otio.schema.GeneratorReference(generator_kind="text_to_video",
                                                              parameters={"seed": 1}), rng(0, 30, 30)))
    video.append(clip("real", external("/m/real.mov"), rng(0, 30, 30)))
    result = import_ok(timeline(video))
    clips = result.timeline.video_tracks[0].clips
    assert [(c.name, c.start) for c in clips] == [("real", 60)]
    assert any("'SMPTEBars' is not supported" in w for w in result.warnings)
    assert any("without a text prompt" in w for w in result.warnings)


def test_audio_track_and_shared_av_file(tmp_path: Path) -> None:
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    music = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    video.append(clip("shot", external("file:///m/shot.mov", rng(0, 500, 25)), rng(100, 50, 25)))
    audio.append(clip("shot", external("file:///m/shot.mov", rng(0, 500, 25)), rng(100, 50, 25)))
    # Audio items often count samples: 48 kHz here, converted exactly to 25 fps frames.
    music.append(gap(48000, 48000))
    music.append(clip("song", external("file:///m/song.wav", rng(0, 48000 * 60, 48000)),
                      rng(96000, 48000 * 4, 48000)))
    result = import_ok(timeline(video, audio, music))
    tl = result.timeline
    assert result.warnings == []
    assert tl.fps == 25
    assert [t.kind for t in tl.tracks] == [TrackKind.VIDEO, TrackKind.AUDIO, TrackKind.AUDIO]
    assert [t.name for t in tl.audio_tracks] == ["A1", "Music"]
    # One pool entry for the file used on V1 and A1.
    assert len(tl.media) == 2
    v_clip, a_clip = tl.video_tracks[0].clips[0], tl.audio_tracks[0].clips[0]
    assert v_clip.media_id() == a_clip.media_id()
    shot = tl.media[v_clip.media_id()]
    assert shot.has_video and shot.has_audio and shot.duration == 20
    song_clip = tl.audio_tracks[1].clips[0]
    song = tl.media[song_clip.media_id()]
    assert song.kind is MediaKind.AUDIO and not song.has_video and song.duration == 60
    assert (song_clip.start, song_clip.duration, song_clip.source_in) == (25, 100, 50)
    # In NLE terms the shot's sound is the A1 clip: the picture track is muted so it is not heard twice.
    assert tl.video_tracks[0].muted and not tl.audio_tracks[0].muted


def test_still_image_without_available_range(tmp_path: Path) -> None:
    still = tmp_path / "title card.PNG"
    still.write_bytes(b"x")
    base = otio.schema.Track(name="V1")
    base.append(clip("bg", external("/m/bg.mp4", rng(0, 100, 30)), rng(0, 100, 30)))
    overlay = otio.schema.Track(name="V2")
    overlay.append(gap(10, 30))
    overlay.append(clip("card", external(still.as_uri()), rng(0, 45, 30)))
    result = import_ok(timeline(base, overlay), tmp_path)
    card = result.timeline.video_tracks[1].clips[0]
    media = result.timeline.media[card.media_id()]
    assert media.kind is MediaKind.IMAGE and media.duration is None and media.online
    assert media.has_video and not media.has_audio
    assert (card.start, card.duration, card.source_in) == (10, 45, 0)


def test_ntsc_rates_become_exact_fractions() -> None:
    video = otio.schema.Track()
    # Written as 29.97 by one tool and as the full double by another.
    video.append(clip("a", external("/m/a.mov", rng(0, 1000, 29.97)), rng(100, 300, 29.97)))
    video.append(gap(30, 30000 / 1001))
    video.append(clip("b", external("/m/b.mov", rng(0, 1000, 30000 / 1001)), rng(0, 150, 30000 / 1001)))
    result = import_ok(timeline(video))
    tl = result.timeline
    assert result.warnings == []
    assert tl.fps == Fraction(30000, 1001)
    a, b = tl.video_tracks[0].clips
    assert (a.start, a.duration, a.source_in, b.start, b.duration) == (0, 300, 100, 330, 150)
    assert tl.media[a.media_id()].duration == Fraction(1000 * 1001, 30000)


@pytest.mark.parametrize(("rate", "expected"), [(23.976, Fraction(24000, 1001)), (59.94, Fraction(60000, 1001)),
                                                (24.0, Fraction(24)), (12.5, Fraction(25, 2)),
                                                (23.98, Fraction(24000, 1001)), (25.0, Fraction(25))])
def test_timeline_rate_is_guessed_from_the_items(rate: float, expected: Fraction) -> None:
    video = otio.schema.Track()
    video.append(clip("a", external("/m/a.mov"), rng(0, 100, rate)))
    assert import_ok(timeline(video)).timeline.fps == expected


def test_mixed_rates_round_to_frames_with_one_warning() -> None:
    video = otio.schema.Track()
    video.append(clip("a", external("/m/a.mov"), rng(0, 48, 24)))     # the timeline rate: 24
    video.append(clip("b", external("/m/b.mov"), rng(0, 48, 24)))
    video.append(clip("c", external("/m/c.mov"), rng(0, 31, 30)))     # 24.8 frames at 24 fps
    video.append(clip("d", external("/m/d.mov"), rng(0, 48, 24)))
    result = import_ok(timeline(video))
    clips = result.timeline.video_tracks[0].clips
    assert [(c.start, c.end) for c in clips] == [(0, 48), (48, 96), (96, 121), (121, 169)]
    assert [w for w in result.warnings if "rounded" in w] == result.warnings and len(result.warnings) == 1


def test_media_with_a_start_timecode() -> None:
    video = otio.schema.Track()
    # Camera file starting at 01:00:00:00; the clip plays from 10 frames in.
    video.append(clip("cam", external("/m/cam.mov", rng(86400, 240, 24)), rng(86410, 48, 24)))
    result = import_ok(timeline(video))
    cam = result.timeline.video_tracks[0].clips[0]
    assert cam.source_in == 10
    assert result.timeline.media[cam.media_id()].duration == 10


def test_missing_reference_is_kept_as_offline_media() -> None:
    video = otio.schema.Track()
    video.append(clip("lost.mov", otio.schema.MissingReference(), rng(5, 20, 30)))
    result = import_ok(timeline(video))
    lost = result.timeline.video_tracks[0].clips[0]
    media = result.timeline.media[lost.media_id()]
    assert not media.online and media.name == "lost.mov" and not os.path.exists(media.path)
    assert lost.source_in == 5 and media.duration_frames(result.timeline.fps) >= 25
    assert any("MissingReference" in w for w in result.warnings)


def test_transitions_and_time_warps_import_and_other_effects_are_reported() -> None:
    video = otio.schema.Track()
    a = clip("a", external("/m/a.mov"), rng(0, 30, 30))
    a.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    b = clip("b", external("/m/b.mov"), rng(0, 30, 30))
    b.effects.append(otio.schema.Effect(effect_name="Blur"))
    video.append(a)
    video.append(otio.schema.Transition(transition_type="SMPTE_Dissolve", in_offset=RT(5, 30), out_offset=RT(5, 30)))
    video.append(b)
    result = import_ok(timeline(video))
    clips = result.timeline.video_tracks[0].clips
    assert [(c.start, c.duration) for c in clips] == [(0, 30), (30, 30)]
    assert clips[0].speed == 2 and clips[1].transition == Transition(TransitionKind.DISSOLVE, 5, 5)
    assert result.warnings == ["clip 'b' on V1 at 00:00:01:00: effect 'Blur' ignored"]


def test_simple_nested_stack_is_flattened_and_trimmed() -> None:
    inner = otio.schema.Track()
    inner.append(clip("x", external("/m/x.mov"), rng(0, 40, 30)))
    inner.append(clip("y", external("/m/y.mov"), rng(100, 40, 30)))
    nested = otio.schema.Stack(name="compound", children=[inner], source_range=rng(20, 40, 30))
    video = otio.schema.Track()
    video.append(clip("a", external("/m/a.mov"), rng(0, 10, 30)))
    video.append(nested)
    video.append(clip("b", external("/m/b.mov"), rng(0, 10, 30)))
    result = import_ok(timeline(video))
    clips = result.timeline.video_tracks[0].clips
    # The stack shows frames 20..60 of its content: the last 20 of x, the first 20 of y.
    assert [(c.name, c.start, c.duration, c.source_in) for c in clips] == [
        ("a", 0, 10, 0), ("x", 10, 20, 20), ("y", 30, 20, 100), ("b", 50, 10, 0),
    ]
    assert any("flattened" in w for w in result.warnings)


def test_layered_nested_stack_is_refused_as_a_gap() -> None:
    one, two = otio.schema.Track(), otio.schema.Track()
    one.append(clip("x", external("/m/x.mov"), rng(0, 40, 30)))
    two.append(clip("y", external("/m/y.mov"), rng(0, 40, 30)))
    video = otio.schema.Track()
    video.append(otio.schema.Stack(name="comp", children=[one, two]))
    video.append(clip("after", external("/m/a.mov"), rng(0, 10, 30)))
    result = import_ok(timeline(video))
    assert [(c.name, c.start) for c in result.timeline.video_tracks[0].clips] == [("after", 40)]
    assert any("'comp'" in w and "2 layers" in w for w in result.warnings)


def test_markers_from_stack_tracks_and_clips() -> None:
    video = otio.schema.Track()
    video.append(gap(30, 30))
    c = clip("a", external("/m/a.mov"), rng(100, 60, 30))
    c.markers.append(otio.schema.Marker(name="in clip", marked_range=rng(110, 0, 30), color="GREEN"))
    c.markers.append(otio.schema.Marker(name="outside", marked_range=rng(10, 0, 30)))
    video.append(c)
    video.markers.append(otio.schema.Marker(name="on track", marked_range=rng(5, 0, 30)))
    tl = timeline(video)
    tl.tracks.markers.append(otio.schema.Marker(name="timeline", marked_range=rng(2, 1, 1), color="BLUE"))
    result = import_ok(tl)
    markers = sorted((m.frame, m.name, m.color) for m in result.timeline.markers)
    assert markers == [(5, "on track", "#e04040"), (40, "in clip", "#40c040"), (60, "timeline", "#4060e0")]


def test_disabled_tracks_and_clips() -> None:
    video = otio.schema.Track(name="V1")
    off = clip("off", external("/m/a.mov"), rng(0, 10, 30))
    off.enabled = False
    video.append(off)
    video.append(clip("on", external("/m/b.mov"), rng(0, 10, 30)))
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    audio.enabled = False
    audio.append(clip("s", external("/m/s.wav"), rng(0, 10, 30)))
    hidden = otio.schema.Track(name="V2")
    hidden.enabled = False
    result = import_ok(timeline(video, hidden, audio))
    tl = result.timeline
    # a disabled clip stays on the timeline, disabled (Clip.enabled); disabled tracks are hidden / muted
    assert [(c.name, c.start, c.enabled) for c in tl.video_tracks[0].clips] == [("off", 0, False), ("on", 10, True)]
    assert tl.video_tracks[1].hidden and tl.audio_tracks[0].muted


def test_files_on_the_wrong_track_kind_are_left_out() -> None:
    video = otio.schema.Track()
    video.append(clip("song on video", external("/m/song.mp3"), rng(0, 10, 30)))
    audio = otio.schema.Track(kind=otio.schema.TrackKind.Audio)
    audio.append(clip("still on audio", external("/m/card.jpg"), rng(0, 10, 30)))
    result = import_ok(timeline(video, audio))
    assert list(result.timeline.clips()) == []
    assert len([w for w in result.warnings if "left out" in w]) == 2


def test_plain_paths_and_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    odd = tmp_path / "media" / "50% [final] it's.mov"
    odd.write_bytes(b"x")
    video = otio.schema.Track()
    # Another tool wrote plain paths, unencoded: taken literally, never percent-decoded.
    video.append(clip("abs", external(str(odd)), rng(0, 10, 30)))
    video.append(clip("rel", external("media/50% [final] it's.mov"), rng(0, 10, 30)))
    video.append(clip("url", external("https://example.com/x.mov"), rng(0, 10, 30)))
    result = import_ok(timeline(video), tmp_path)
    tl = result.timeline
    first, second, third = tl.video_tracks[0].clips
    assert first.media_id() == second.media_id()
    assert tl.media[first.media_id()].path == str(odd) and tl.media[first.media_id()].online
    assert not tl.media[third.media_id()].online
    assert any("remote media" in w for w in result.warnings)


def test_foreign_metadata_and_unknown_keys_do_not_matter() -> None:
    video = otio.schema.Track(metadata={"Resolve_OTIO": {"Locked": False}})
    video.append(clip("a", external("/m/a.mov"), rng(0, 10, 30)))
    tl = timeline(video)
    tl.metadata["promptcut"] = "not a dict"
    result = import_ok(tl)
    assert len(result.timeline.video_tracks[0].clips) == 1


def test_json_text_written_by_hand(tmp_path: Path) -> None:
    """The shape other tools write: a minimal document with rates as 29.97."""
    doc = {
        "OTIO_SCHEMA": "Timeline.1", "name": "hand", "global_start_time": None, "metadata": {},
        "tracks": {"OTIO_SCHEMA": "Stack.1", "name": "", "children": [{
            "OTIO_SCHEMA": "Track.1", "name": "V1", "kind": "Video", "children": [
                {"OTIO_SCHEMA": "Clip.1", "name": "a", "metadata": {},
                 "media_reference": {"OTIO_SCHEMA": "ExternalReference.1", "target_url": "file:///m/a%20b.mov",
                                     "available_range": None, "metadata": {}},
                 "source_range": {"OTIO_SCHEMA": "TimeRange.1",
                                  "start_time": {"OTIO_SCHEMA": "RationalTime.1", "rate": 29.97, "value": 0},
                                  "duration": {"OTIO_SCHEMA": "RationalTime.1", "rate": 29.97, "value": 30}}},
            ]}]},
    }
    path = tmp_path / "hand.otio"
    path.write_text(json.dumps(doc))
    result = read_otio(path)
    assert result.timeline.fps == Fraction(30000, 1001)
    clip_ = result.timeline.video_tracks[0].clips[0]
    assert result.timeline.media[clip_.media_id()].path == "/m/a b.mov"
    assert result.timeline.media[clip_.media_id()].duration == Fraction(30 * 1001, 30000)   # lower bound


# --- property: any plain OTIO timeline imports to a consistent timeline ------------------------------------

FOREIGN_RATES = [24.0, 25.0, 29.97, 30000 / 1001, 30.0, 23.976, 59.94, 48000.0, 12.5]


@st.composite
def foreign_items(draw: st.DrawFn, audio: bool) -> list[otio.core.Composable]:
    items: list[otio.core.Composable] = []
    for i in range(draw(st.integers(0, 6))):
        rate = draw(st.sampled_from(FOREIGN_RATES))
        length = draw(st.integers(0, 400))
        choice = draw(st.sampled_from(["clip", "clip", "gap", "still", "generator", "missing", "transition"]))
        if choice == "gap":
            items.append(gap(length, rate))
        elif choice == "transition":
            if items and not isinstance(items[-1], otio.schema.Transition):
                items.append(otio.schema.Transition(
                    transition_type=draw(st.sampled_from(["SMPTE_Dissolve", "Custom_Transition", "Wipe"])),
                    in_offset=RT(draw(st.integers(0, 60)), rate), out_offset=RT(draw(st.integers(0, 60)), rate)))
        elif choice == "generator":
            items.append(clip(f"g{i}", otio.schema.GeneratorReference(
                generator_kind=draw(st.sampled_from(["text_to_video", "SolidColor"])),
                parameters={"prompt": "p", "seed": draw(st.integers(0, 99))}), rng(0, length, rate)))
        else:
            ext = {"clip": draw(st.sampled_from(["mov", "wav"])), "still": "png", "missing": ""}[choice]
            ref = (otio.schema.MissingReference() if choice == "missing"
                   else external(f"/nonexistent/{draw(st.sampled_from('abc'))}.{ext}",
                                 draw(st.none() | st.just(rng(draw(st.integers(0, 50)), 500, rate)))))
            items.append(clip(f"c{i}", ref, rng(draw(st.integers(0, 100)), length, rate)))
        if choice not in ("gap", "transition"):   # the clip just made gets time warps
            for scalar in draw(st.lists(st.sampled_from([-40.0, -2.0, -1.0, -0.05, 0.0, 1 / 3, 2.0, 12.0]),
                                        max_size=2)):
                items[-1].effects.append(otio.schema.FreezeFrame() if scalar == 0
                                         else otio.schema.LinearTimeWarp(time_scalar=scalar))
    return items


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_plain_otio_timeline_imports_consistently(data: st.DataObject) -> None:
    tl = otio.schema.Timeline()
    for kind in data.draw(st.lists(st.sampled_from(["Video", "Audio"]), max_size=3)):
        track = otio.schema.Track(kind=kind)
        for item in data.draw(foreign_items(audio=kind == "Audio")):
            track.append(item)
        tl.tracks.append(track)
    result = timeline_from_otio(otio.adapters.read_from_string(tl.to_json_string(), "otio_json"))
    ours = result.timeline
    assert ours.problems() == []
    # Every imported clip sits where OTIO places it, to the nearest frame.
    in_our_order = sorted(tl.tracks, key=lambda t: t.kind != "Video")   # ours: video tracks, then audio
    for otio_track, track in zip(in_our_order, ours.tracks, strict=True):
        starts = {}
        for item in otio_track:
            if isinstance(item, otio.schema.Clip):
                placed = item.range_in_parent().start_time
                starts.setdefault(item.name, Fraction(placed.value) / snap_rate(placed.rate) * ours.fps)
        for c in track.clips:
            # OTIO's float times can land a hair either side of a half-frame tie: nearest frame, either way.
            assert abs(c.start - starts[c.name]) <= Fraction(1, 2) + Fraction(1, 1000)

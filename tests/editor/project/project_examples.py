"""Timelines the project-format tests read and write (imported by plain name: see conftest.py)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from editor.model import (
    Fit,
    GeneratedClip,
    GenerationSpec,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Settings,
    Take,
    Timeline,
    Track,
    TrackKind,
)
from editor.model.clips import TextClip
from editor.model.effects import Transform, Transition, TransitionKind
from editor.model.keyframes import Curve, Ease, Key
from editor.model.text import TextStyle
from editor.project import encode, from_dict, to_dict

FIXTURES = Path(__file__).parent / "fixtures"


def round_trip(tl: Timeline, base_dir: str | None = None) -> Timeline:
    data = json.loads(encode(to_dict(tl, base_dir)))
    return from_dict(data, base_dir).timeline



def example() -> Timeline:
    tl = Timeline(settings=Settings(width=1080, height=1920, fps=Fraction(30000, 1001)))
    tl.media = {
        "cam": MediaSource("cam", "/media/clip: 'ñ' [1] 100%.mp4", MediaKind.VIDEO, Fraction(1001, 100), True, True,
                           1920, 1080, content_hash="5e0c" * 16),
        "logo": MediaSource("logo", "/media/logo.png", MediaKind.IMAGE, None, True, False, 512, 512),
        "music": MediaSource("music", "/media/music.wav", MediaKind.AUDIO, Fraction(30), False, True),
        "take": MediaSource("take", "/gen/t.mp4", MediaKind.VIDEO, Fraction(49, 30), True, False, 480, 832),
    }
    v1 = Track("V1", TrackKind.VIDEO, "V1", clips=[
        MediaClip("c1", 0, 90, 30, name="opening", fit=Fit.FIT, volume=0.25, media="cam", link="L1",
                  sound_detached=True),
        GeneratedClip("g1", 90, 48, name="kite", spec=GenerationSpec("a kite", "blurry", "wan", 7, 30, 5.0, 480, 832,
                                                                     "/img/first.png"),
                      takes=(Take("take", "abc", GenerationSpec("a kite", seed=6)), Take("take", "def")),
                      active_take=1),
        GeneratedClip("g2", 200, 10),
    ])
    v2 = Track("V2", TrackKind.VIDEO, "logo", hidden=True, locked=True,
               clips=[MediaClip("c3", 0, 500, fit=Fit.CROP, media="logo")])
    a1 = Track("A1", TrackKind.AUDIO, "music", muted=True, volume=0.5,
               clips=[MediaClip("c4", 0, 300, volume=1.5, media="music")])
    a2 = Track("A2", TrackKind.AUDIO, "A2", clips=[MediaClip("c5", 0, 90, 30, media="cam", link="L1")])
    tl.video_tracks, tl.audio_tracks = [v1, v2], [a1, a2]
    tl.markers = [Marker(90, "kite", "#30a0e0"), Marker(0)]
    tl.check()
    return tl


EFFECTS = ("speed", "reverse", "interpolation", "transform", "fade_in", "fade_out", "gain", "transition")


def example_with_effects() -> Timeline:
    """Every clip effect and a text clip, each different from its default."""
    tl = example()
    cam = tl.find("c1")[1]
    v1 = tl.video_tracks[0]
    keyed = Curve(1.0, (Key(0, 0.0), Key(15, 1.0, Ease.EASE_IN_OUT), Key(40, 0.5, Ease.HOLD)))
    fast = cam.moved(id="fx", start=300, duration=30, source_in=0, link=None, sound_detached=False,
                     speed=Fraction(3, 2), reverse=True, interpolation="blend", fade_in=5, fade_out=7,
                     gain=Curve(-6.0, (Key(0, -12.0), Key(20, 0.0))),
                     transform=Transform(x=Curve(0.25), scale=Curve(1.5), rotation=Curve(-10.0), opacity=keyed,
                                         crop_left=Curve(0.1)))
    joined = cam.moved(id="fy", start=330, duration=30, source_in=60, link=None, sound_detached=False,
                       transition=Transition(TransitionKind.DIP_WHITE, 10, 5))
    title = TextClip("t1", 360, 45, name="title", text="Hi ' : % \\ \" 🎉 مرحبا\nline two",
                     style=TextStyle())
    v1.clips += [fast, joined, title]
    tl.track("V2").solo = True
    tl.track("V2").captions = True
    tl.master_volume = 0.5
    tl.check()
    return tl



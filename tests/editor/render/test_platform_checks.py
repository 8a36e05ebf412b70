"""Platform checks before export: what TikTok, Reels or Shorts would refuse or cover, one line each."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from editor.model import Settings, TextClip, Timeline
from editor.model.text import PRESETS
from editor.render.platform_checks import GB, check_export, check_file_size

FPS = Fraction(30)


def _timeline(seconds: float, *titles: TextClip) -> Timeline:
    tl = Timeline.empty(Settings(1080, 1920, FPS), video_tracks=1, audio_tracks=0)
    tl.video_tracks[0].add(TextClip(id="t0", start=0, duration=int(seconds * 30), text="inside",
                                    style=PRESETS["Centred title"]))
    for i, t in enumerate(titles):
        tl.video_tracks[0].clips[0] = tl.video_tracks[0].clips[0].moved(duration=int(seconds * 30) - 60)
        tl.video_tracks[0].add(t.moved(id=f"t{i + 1}", start=int(seconds * 30) - 60 + 30 * i, duration=30))
    tl.check()
    return tl


def test_a_four_minute_tiktok_is_too_long():
    (warning,) = check_export(_timeline(240), "tiktok", 1080, 1920, FPS)
    assert "TikTok" in warning and "3:00" in warning and "4:00" in warning
    assert check_export(_timeline(170), "tiktok", 1080, 1920, FPS) == []


def test_a_landscape_short_is_flagged_and_youtube_is_not():
    warnings = check_export(_timeline(10), "shorts", 1920, 1080, FPS)
    assert any("YouTube Shorts" in w and "1920x1080" in w and "landscape" in w for w in warnings)
    assert check_export(_timeline(10), "youtube", 1920, 1080, FPS) == []


def test_tiktok_frame_rate_and_sides():
    assert any("fps" in w for w in check_export(_timeline(5), "tiktok", 1080, 1920, Fraction(15)))
    assert any("360" in w for w in check_export(_timeline(5), "tiktok", 180, 320, FPS))


def test_text_outside_the_safe_zone_is_named_with_its_time():
    low = TextClip(id="x", start=0, duration=30, text="Down where the buttons are",
                   style=replace(PRESETS["Caption"], y=0.9))
    warnings = check_export(_timeline(10, low), "reels", 1080, 1920, FPS)
    assert len(warnings) == 1
    assert "Down where the buttons" in warnings[0] and "bottom" in warnings[0] and "00:00:08:00" in warnings[0]
    # A portrait export without a platform preset still gets the safe-zone check; a hidden track does not.
    assert len(check_export(_timeline(10, low), None, 1080, 1920, FPS)) == 1
    hidden = _timeline(10, low)
    hidden.video_tracks[0].hidden = True
    assert check_export(hidden, "reels", 1080, 1920, FPS) == []


def test_many_texts_outside_are_counted_not_listed():
    low = TextClip(id="x", start=0, duration=30, text="low", style=replace(PRESETS["Caption"], y=0.95))
    tl = Timeline.empty(Settings(1080, 1920, FPS), video_tracks=1, audio_tracks=0)
    for i in range(8):
        tl.video_tracks[0].add(low.moved(id=f"c{i}", start=30 * i))
    warnings = check_export(tl, "tiktok", 1080, 1920, FPS)
    assert len(warnings) == 4 and "5 more" in warnings[-1]


def test_file_size():
    assert "4 GB" in (check_file_size("tiktok", 5 * GB) or "")
    assert check_file_size("tiktok", GB) is None and check_file_size(None, 500 * GB) is None

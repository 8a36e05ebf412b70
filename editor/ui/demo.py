"""The demo project, made on the spot from generated test media (no Qt here: the screenshot script uses it)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from editor.model import GeneratedClip, GenerationSpec, MediaClip, Settings, Take, Timeline, new_id


def make_demo(folder: str | Path) -> Timeline:
    """A 9:16, 30 fps timeline: coloured and patterned clips, a still, a tone, a pending generated shot and
    one with a take. Media files are written into ``folder``."""
    from editor.media import synth
    from editor.media.probe import media_source_from_info, probe
    from editor.model import Marker

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "intro": synth.pattern_clip(folder / "intro_pattern.mp4", seconds=4, size=(320, 240)),
        "beach": synth.color_clip(folder / "beach_teal.mp4", color="teal", seconds=5, size=(320, 180)),
        "sunset": synth.color_clip(folder / "sunset_orange.mp4", color="orange", seconds=4, size=(320, 180)),
        "city": synth.pattern_clip(folder / "city_walk.mp4", seconds=6, size=(240, 320)),
        "logo": synth.still(folder / "logo_card.png", color="purple", size=(360, 640)),
        "music": synth.tone(folder / "music_bed.wav", hz=220, seconds=18),
        "take": synth.color_clip(folder / "kite_take1.mp4", color="skyblue", seconds=3, size=(180, 320),
                                 tone_hz=None),
    }
    tl = Timeline.empty(Settings(1080, 1920, Fraction(30)), video_tracks=2, audio_tracks=2)
    ids = {}
    for key, path in made.items():
        media = media_source_from_info(probe(path), new_id("m"), str(path))
        tl.media[media.id] = media
        ids[key] = media.id
    v1, v2 = tl.video_tracks
    a1, a2 = tl.audio_tracks

    def clip(key: str, start: int, frames: int, source_in: int = 0, name: str = "", link: str | None = None,
             detached: bool = False) -> MediaClip:
        return MediaClip(new_id("c"), start, frames, source_in, name=name, media=ids[key], link=link,
                         sound_detached=detached)

    # The intro and the beach are placed as a video's picture and its sound, linked (the picture is silent).
    v1.clips += [clip("intro", 0, 105, name="Intro", link="l-intro", detached=True),
                 clip("beach", 105, 150, name="Beach", link="l-beach", detached=True),
                 clip("sunset", 300, 120, name="Sunset"), clip("city", 420, 150, 15, name="City walk")]
    spec = GenerationSpec(prompt="a red kite over a windy beach, golden hour", model="tiny-wan", seed=42)
    kite = GeneratedClip(new_id("g"), 255, 45, spec=spec, takes=(Take(ids["take"], spec.content_hash()),),
                         active_take=0, name="Kite shot")
    pending = GeneratedClip(new_id("g"), 570, 60, spec=GenerationSpec(
        prompt="drone shot of the city at night, neon reflections", model="tiny-ltx"), name="City at night")
    v1.clips += [kite, pending]
    v1.clips.sort(key=lambda c: c.start)
    v2.clips += [clip("logo", 30, 60, name="Logo"), clip("logo", 480, 60, name="Logo outro")]
    a1.clips += [clip("intro", 0, 105, name="Intro sound", link="l-intro"),
                 clip("beach", 105, 150, name="Waves", link="l-beach")]
    a2.clips += [clip("music", 0, 540, name="Music bed")]
    tl.markers += [Marker(105, "beat"), Marker(300, "drop")]
    tl.check()
    return tl

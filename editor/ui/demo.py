"""The demo project, made on the spot from generated test media (no Qt here: the screenshot script uses it)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from editor.model import Fit, GeneratedClip, GenerationSpec, MediaClip, Settings, Take, TextClip, Timeline, new_id
from editor.model.effects import Transform, Transition, TransitionKind
from editor.model.keyframes import Curve, Ease, Key
from editor.model.text import DEFAULT_CAPTION_STYLE, PRESETS
from editor.model.timeline import Track, TrackKind


def make_demo(folder: str | Path) -> Timeline:
    """A 9:16, 30 fps timeline: coloured and patterned clips, a still, a tone, a pending generated shot and
    one with a take, and the finishing touches: a title, captions, a dissolve, a fade, a 2x clip, a 16:9
    clip fitted over a blur of itself, a logo moving on keyframes and a music bed ducked by its rubber band.
    Media files are written into ``folder``."""
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
    v1.clips += [clip("intro", 0, 105, name="Intro", link="l-intro", detached=True).moved(fade_in=15),
                 clip("beach", 105, 150, name="Beach", link="l-beach", detached=True).moved(fit=Fit.BLUR),
                 clip("sunset", 300, 105, 15, name="Sunset").moved(
                     transition=Transition(TransitionKind.DISSOLVE, 10, 10)),
                 clip("city", 420, 75, 15, name="City walk").moved(speed=Fraction(2))]
    spec = GenerationSpec(prompt="a red kite over a windy beach, golden hour", model="tiny-wan", seed=42)
    kite = GeneratedClip(new_id("g"), 255, 45, spec=spec, takes=(Take(ids["take"], spec.content_hash()),),
                         active_take=0, name="Kite shot")
    pending = GeneratedClip(new_id("g"), 570, 60, spec=GenerationSpec(
        prompt="drone shot of the city at night, neon reflections", model="tiny-ltx"), name="City at night")
    v1.clips += [kite, pending]
    v1.clips.sort(key=lambda c: c.start)
    drift = Transform(x=Curve(0.0, (Key(0, -0.25), Key(59, 0.25, Ease.EASE_IN_OUT))), y=Curve(-0.3),
                      scale=Curve(0.3), rotation=Curve(0.0, (Key(0, -8.0), Key(59, 8.0))),
                      opacity=Curve(0.0, (Key(0, 0.0), Key(12, 1.0))))
    v2.clips += [clip("logo", 30, 60, name="Logo").moved(transform=drift), clip("logo", 480, 60, name="Logo outro")]
    a1.clips += [clip("intro", 0, 105, name="Intro sound", link="l-intro"),
                 clip("beach", 105, 150, name="Waves", link="l-beach")]
    ducked = Curve(0.0, (Key(90, 0.0), Key(105, -12.0), Key(240, -12.0), Key(255, 0.0)))
    a2.clips += [clip("music", 0, 540, name="Music bed").moved(gain=ducked, fade_out=45)]
    titles = Track(new_id("v"), TrackKind.VIDEO, "Titles", clips=[
        TextClip(new_id("t"), 0, 90, name="Title", text="Beach day ☀️\nwith friends", style=PRESETS["Centred title"])])
    captions = Track(new_id("v"), TrackKind.VIDEO, "Captions", captions=True, clips=[
        TextClip(new_id("t"), start, length, text=text, style=DEFAULT_CAPTION_STYLE)
        for start, length, text in ((100, 80, "The wind picked up 🌬️"), (200, 90, "so we flew the kite"),
                                    (300, 110, "and stayed for the sunset"))])
    tl.video_tracks += [titles, captions]
    tl.markers += [Marker(105, "beat"), Marker(300, "drop")]
    tl.check()
    return tl

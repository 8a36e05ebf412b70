"""From a script to a cut, end to end: the issue's first "done means".

A six-line script with one fixed length (``[4s]``) and one cast member (a real picture) becomes a project: six
generated shots in order on the story track (V1), six speech clips on an audio track each starting with its
shot, a caption track whose cues are the lines. Then everything is made for real, with tiny models on the CPU
through the generator's worker process (the basic espeak-ng voice, the tiny Wan twin that can start a shot
from a picture), the shots are fitted to their narration, and the real exporter renders the cut. The checks
read the exported file: each shot's own frames at its times, speech where a line is spoken and near-silence
between lines, and the captions burned in over their shots.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from editor.documents import open_document, save_document
from editor.generate.places import places_for
from editor.model import GeneratedClip, History, Settings, TextClip, Timeline, TrackKind
from editor.model.commands.structure import SetTrackFlags
from editor.render.export import export
from editor.render.settings import resolve_settings
from editor.storyboard.build import build_storyboard
from editor.storyboard.produce import produce
from editor.storyboard.script import parse_script
from generation.client import GeneratorClient
from generation.jobs import JobStore

pytestmark = pytest.mark.slow

MODEL = "tiny-wan"     # Wan 2.2 TI2V layout: text- and image-to-video, so it takes the cast picture
VOICE = "espeak-ng:en-us"
FPS = 24               # the tiny model's own rate: takes play frame for frame
CANVAS = (128, 256)    # twice the tiny model's 64x128, so the captions are big enough to see
TAKE_SIZE = (64, 128)

SCRIPT = """\
# A short film about Mara.
@Mara: mara.png | a girl in a yellow raincoat
Mara walks to the old lighthouse. | Mara on a rocky path at dusk
The wind pulls at the grass.
[4s] Waves crash below the cliffs.
She climbs the spiral stairs.
A lamp still burns at the top.
Mara smiles and waves at the sea.
"""
LINES = [
    "Mara walks to the old lighthouse.",
    "The wind pulls at the grass.",
    "Waves crash below the cliffs.",
    "She climbs the spiral stairs.",
    "A lamp still burns at the top.",
    "Mara smiles and waves at the sea.",
]


@dataclass
class Film:
    folder: Path
    picture: Path
    built: Timeline          # right after the script was built (nothing generated)
    tl: Timeline             # after generating (reopened from the saved project)
    result: object
    progress: list[str]
    cut: Path                # the export
    plain: Path              # the same export with the caption track hidden
    seconds: float           # how long generating and exporting took (reported, never asserted)


def make_picture(path: Path) -> Path:
    """A yellow raincoat on a blue ground: a real PNG the size of the tiny model's frames."""
    image = Image.new("RGB", TAKE_SIZE, (40, 70, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 18, 44, 42), fill=(235, 200, 170))
    draw.polygon([(32, 40), (10, 120), (54, 120)], fill=(250, 215, 30))
    image.save(path)
    return path


def story_tracks(tl: Timeline):
    board = tl.story.storyboard
    assert board is not None
    return tl.track(board.track), tl.track(board.voice_track), tl.track(board.caption_track)


@pytest.fixture(scope="module")
def film(tmp_path_factory, hermetic_env) -> Film:
    folder = tmp_path_factory.mktemp("script-to-cut")
    picture = make_picture(folder / "mara.png")
    (folder / "film.txt").write_text(SCRIPT, encoding="utf-8")
    script = parse_script(SCRIPT, base_dir=folder)

    tl = Timeline.empty(Settings(*CANVAS, fps=Fraction(FPS)), video_tracks=0, audio_tracks=0)
    history = History(tl)
    history.do(build_storyboard(tl, script, model=MODEL, voice=VOICE, captions=True))
    tl.check()
    built = tl.copy()
    project = folder / "film.promptcut"
    save_document(tl, project)

    started = time.monotonic()
    places = places_for(project)
    progress: list[str] = []
    result = produce(tl, places, client_factory=lambda: GeneratorClient(places.store_path, places.output_dir),
                     history=history, progress=progress.append, timeout=900, seed_source=itertools.count(101).__next__)
    tl.check()
    save_document(tl, project)
    reopened = open_document(project).timeline

    # The project's own canvas and rate; a low CRF because the tiny model's pictures are pixel noise, the
    # encoder's worst case, and the checks compare frames.
    settings = resolve_settings(reopened, None, loudness=None, crf=12)
    cut = folder / "cut.mp4"
    export(reopened, cut, settings)
    _, _, captions = story_tracks(reopened)
    plain_tl = reopened.copy()
    SetTrackFlags(captions.id, hidden=True).apply(plain_tl)
    plain = folder / "plain.mp4"
    export(plain_tl, plain, settings)
    seconds = time.monotonic() - started
    print(f"script to cut: generated and exported in {seconds:.1f} s")
    return Film(folder, picture, built, reopened, result, progress, cut, plain, seconds)


def video_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def audio_mono(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    data = np.concatenate([c if c.ndim == 2 else c[None] for c in chunks], axis=1).astype(np.float64)
    if data.shape[0] > 2:   # packed layout: (1, samples * channels)
        data = data.reshape(-1, 2).T
    return data.mean(axis=0), rate


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples ** 2))) if samples.size else 0.0


# --- the project the script makes ------------------------------------------------------------------------------


def test_six_shots_in_script_order_on_the_story_track(film):
    story, _, _ = story_tracks(film.built)
    assert film.built.video_tracks[0] is story, "the story is V1"
    shots = [c for c in story.clips if isinstance(c, GeneratedClip)]
    assert len(shots) == len(story.clips) == 6
    assert [c.start for c in shots] == sorted(c.start for c in shots)
    for a, b in zip(shots, shots[1:], strict=False):
        assert a.end == b.start, "the shots follow each other without gaps"
    assert "rocky path" in shots[0].spec.prompt and "yellow raincoat" in shots[0].spec.prompt
    assert "Waves crash" in shots[2].spec.prompt
    assert shots[2].duration == 4 * FPS, "[4s] fixes the third shot's length"
    assert all(not c.spec.is_audio and c.pending for c in shots)
    board = film.built.story.storyboard
    assert [s.narration for s in board.shots] == LINES
    assert [s.clip for s in board.shots] == [c.id for c in shots]


def test_six_speech_clips_start_with_their_shots(film):
    for tl in (film.built, film.tl):
        story, voice, _ = story_tracks(tl)
        assert voice.kind is TrackKind.AUDIO
        speech = [c for c in voice.clips if isinstance(c, GeneratedClip)]
        assert len(speech) == 6
        assert [c.spec.kind for c in speech] == ["speech"] * 6
        assert [c.spec.prompt for c in speech] == LINES
        assert [c.start for c in speech] == [c.start for c in story.clips]
        for line, shot in zip(speech, story.clips, strict=True):
            assert line.end <= shot.end, "a line is spoken within its shot"


def test_a_caption_track_with_one_cue_per_line_over_its_shot(film):
    for tl in (film.built, film.tl):
        story, _, captions = story_tracks(tl)
        assert captions.captions and captions.kind is TrackKind.VIDEO
        cues = [c for c in captions.clips if isinstance(c, TextClip)]
        assert [c.text for c in cues] == LINES
        assert [(c.start, c.end) for c in cues] == [(c.start, c.end) for c in story.clips]


# --- generating ---------------------------------------------------------------------------------------------


def test_everything_is_generated_through_the_worker(film):
    assert film.result.ok, film.result.summary()
    assert film.result.made == {"speech": 6, "video": 6, "sound": 0}
    story, voice, _ = story_tracks(film.tl)
    for clip in [*story.clips, *voice.clips]:
        assert isinstance(clip, GeneratedClip) and not clip.pending
        media = film.tl.media[clip.media_id()]
        assert media.online and Path(media.path).is_file()
        assert Path(media.path).is_relative_to(film.folder / "film.media" / "generated"), "beside the project"
    assert any("speech 6/6 ready" in line for line in film.progress)
    assert any("video 6/6 ready" in line for line in film.progress)


def test_shots_follow_their_narration_except_the_fixed_one(film):
    story, voice, _ = story_tracks(film.tl)
    for i, (shot, line) in enumerate(zip(story.clips, voice.clips, strict=True)):
        media = film.tl.media[line.media_id()]
        spoken = round(media.duration * FPS)
        if i == 2:
            assert shot.duration == 4 * FPS
        else:
            assert shot.duration >= max(spoken, round(1.5 * FPS)), "the shot is at least as long as its line"
            assert shot.duration <= spoken + round(0.5 * FPS) or shot.duration == round(1.5 * FPS)


def test_the_cast_picture_reaches_the_jobs_of_the_shots_that_name_her(film):
    picture = hashlib.sha256(film.picture.read_bytes()).hexdigest()
    store = JobStore(places_for(film.folder / "film.promptcut").store_path)
    try:
        video_jobs = [j for j in store.list() if getattr(j.spec, "kind", "") not in ("speech", "sound")]
    finally:
        store.close()

    def pictures(spec) -> list[str]:
        files = [spec.first_image, *getattr(spec, "reference_images", ())]
        return [hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files if f]

    by_prompt = {j.spec.prompt: pictures(j.spec) for j in video_jobs}
    story, _, _ = story_tracks(film.tl)
    for i, shot in enumerate(story.clips):
        named = "Mara" in LINES[i]
        got = by_prompt[shot.spec.prompt]
        assert (picture in got) == named, (i, shot.spec.prompt)


# --- the export ---------------------------------------------------------------------------------------------


def test_the_export_shows_each_shot_from_its_own_take(film):
    # Compared at a quarter of the take's size: 4:2:0 chroma and the 2x scale to the canvas blur single pixels.
    def small(frame: np.ndarray) -> np.ndarray:
        return cv2.resize(frame, (16, 32), interpolation=cv2.INTER_AREA).astype(np.float32)

    frames = [small(f) for f in video_frames(film.plain)]
    story, _, _ = story_tracks(film.tl)
    assert len(frames) == story.clips[-1].end
    takes = [[small(f) for f in video_frames(Path(film.tl.media[c.media_id()].path))] for c in story.clips]
    for i, shot in enumerate(story.clips):
        for at in (shot.start, shot.start + 1, (shot.start + shot.end) // 2, shot.end - 2, shot.end - 1):
            source = shot.source_in + at - shot.start
            own = np.abs(frames[at] - takes[i][source]).mean()
            # Among the other takes' pictures that differ from this one (the shots that start from Mara's
            # picture open on the same frame).
            theirs = [take[min(source, len(take) - 1)] for j, take in enumerate(takes) if j != i]
            others = [np.abs(frames[at] - p).mean() for p in theirs if np.abs(p - takes[i][source]).mean() > 0.5]
            beside = [np.abs(frames[at] - takes[i][s]).mean() for s in (source - 1, source + 1)
                      if 0 <= s < len(takes[i])]
            assert own < 2.5, (i, at, own)
            assert own * 2 < min(others), ("another shot's take matches better", i, at, own, others)
            assert own * 1.4 < min(beside), ("off by a frame", i, at, own, beside)


def test_the_export_speaks_each_line_and_is_quiet_between_lines(film):
    samples, rate = audio_mono(film.cut)
    story, voice, _ = story_tracks(film.tl)
    lines = list(voice.clips)

    def window(start_frame: int, end_frame: int, inset: float) -> np.ndarray:
        a = int((start_frame / FPS + inset) * rate)
        b = int((end_frame / FPS - inset) * rate)
        return samples[a:b]

    spoken = [rms(window(c.start, c.end, 0.05)) for c in lines]
    assert min(spoken) > 0.01, spoken
    quiet = []
    for line, shot in zip(lines, story.clips, strict=True):
        if shot.end - line.end >= round(0.25 * FPS):   # the pause before the next shot's line
            quiet.append(rms(window(line.end, shot.end, 0.08)))
    assert quiet, "the fixed-length shot at least leaves a pause after its line"
    assert max(quiet) < 0.1 * min(spoken) and max(quiet) < 0.003, (quiet, spoken)


def test_the_captions_are_burned_in_over_their_shots(film):
    with_captions = video_frames(film.cut)
    without = video_frames(film.plain)
    _, _, captions = story_tracks(film.tl)
    cues = list(captions.clips)

    def mask(at: int) -> np.ndarray:
        diff = np.abs(with_captions[at].astype(np.int16) - without[at].astype(np.int16)).max(axis=2)
        return diff > 60

    def overlap(a: np.ndarray, b: np.ndarray) -> float:
        return float((a & b).sum() / max(1, (a | b).sum()))

    middles = [mask((c.start + c.end) // 2) for c in cues]
    for i, cue in enumerate(cues):
        here = middles[i]
        assert here.sum() > 40, f"cue {i} shows no caption"
        middle = (cue.start + cue.end) // 2
        white = with_captions[middle].min(axis=2) > 200   # white letters (the tiny model's noise is greyish)
        assert white[here].sum() > 100 and white[here].sum() > 5 * (without[middle].min(axis=2) > 200)[here].sum()
        for at in (cue.start + 1, cue.end - 2):   # the same words from the cue's first to its last frames
            assert overlap(mask(at), here) > 0.5, (i, at)
        for j, other in enumerate(middles):
            if j != i:
                assert overlap(other, here) < overlap(mask(cue.start + 1), here), (i, j)


# --- sound, and a generated clip that cannot be made ------------------------------------------------------------


def test_generated_sound_and_a_failing_shot_outside_a_storyboard(tmp_path, hermetic_env):
    """No storyboard: the same phases fill any pending generated clip. A sound clip gets its take; a shot the
    model cannot make fails in one line while everything else is kept."""
    from editor.model import GenerationSpec
    from editor.model.commands import Overwrite

    tl = Timeline.empty(Settings(64, 112, fps=Fraction(16)), video_tracks=1, audio_tracks=1)
    rain = GeneratedClip("rain", 0, 16, name="rain",
                         spec=GenerationSpec(prompt="rain on a tin roof", model="tiny-stable-audio", kind="sound"))
    shot = GeneratedClip("shot", 0, 48, name="harbour",
                         spec=GenerationSpec(prompt="a harbour at night", model="tiny-wan-flf"))   # 3 s: too long
    history = History(tl)
    history.do(Overwrite(tl.audio_tracks[0].id, rain, 0))
    history.do(Overwrite(tl.video_tracks[0].id, shot, 0))
    places = places_for(tmp_path / "sound.promptcut")
    progress: list[str] = []
    result = produce(tl, places, client_factory=lambda: GeneratorClient(places.store_path, places.output_dir),
                     history=history, progress=progress.append, timeout=600, seed_source=itertools.count(5).__next__)
    tl.check()
    assert result.made == {"speech": 0, "video": 0, "sound": 1}
    assert len(result.failures) == 1 and result.failures[0].startswith("video 'harbour' at ")
    assert "\n" not in result.failures[0]
    _, made = tl.find("rain")
    assert not made.pending and tl.media[made.media_id()].has_audio
    _, failed = tl.find("shot")
    assert failed.pending and failed.spec.seed == 5, "the failed shot keeps its seed: retrying makes the same job"
    assert progress.index("generating 1 shot") < progress.index("generating 1 sound"), "sound comes last"
    assert "1 failed" in result.summary(failures=False) and "harbour" in result.summary()


def test_a_chained_storyboard_starts_each_shot_from_the_last_frame_of_the_one_before(tmp_path, hermetic_env):
    """Continue from the previous shot: the first shot is made from its words alone, each later one from the
    previous shot's last frame as the canvas shows it (the job's first image), in order."""
    script = parse_script("A red kite rises over the beach.\nThe kite dips toward the sea.\n"
                          "A child runs after the string.\n")
    tl = Timeline.empty(Settings(*CANVAS, fps=Fraction(FPS)), video_tracks=0, audio_tracks=0)
    history = History(tl)
    history.do(build_storyboard(tl, script, model=MODEL, voice=VOICE, captions=False, chain=True))
    places = places_for(tmp_path / "kite.promptcut")
    result = produce(tl, places, client_factory=lambda: GeneratorClient(places.store_path, places.output_dir),
                     history=history, timeout=600, seed_source=itertools.count(3).__next__)
    assert result.made["video"] == 3 and not result.failures
    with JobStore(places.store_path) as store:
        shots = [j.spec for j in sorted(store.list(), key=lambda j: j.order) if not hasattr(j.spec, "kind")]
    assert [s.prompt.split(".")[0] for s in shots] == [
        "A red kite rises over the beach", "The kite dips toward the sea", "A child runs after the string"]
    assert shots[0].first_image is None
    assert all(s.first_image is not None and Path(s.first_image).is_file() for s in shots[1:])
    # Each first image is the last frame the previous shot plays, as the canvas shows it: the shot records
    # which take and which frame it was taken from (and is re-planned when that changes).
    story = tl.track(tl.story.storyboard.track)
    previous, *later = story.clips
    for clip in later:
        assert clip.spec.first_source == f"{previous.media_id()}@{previous.source_in + previous.duration - 1}/fill"
        previous = clip

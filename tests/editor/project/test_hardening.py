"""Malformed project files never crash or hang the loader: each class of bad input has its regression here,
and the answer is always the loaded timeline (``check()`` holds) or one ProjectError line naming the file."""

from __future__ import annotations

import json
import os
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from project_examples import example, example_with_effects

from editor.documents import open_document
from editor.media.ffmpeg import ffmpeg_exe
from editor.model import MediaClip, MediaKind, MediaSource, Settings, Timeline, Track, TrackKind
from editor.project import ProjectError, encode, load_project, sanity, save_project, to_dict

pytestmark = pytest.mark.timeout(120)   # a regression that hangs fails here instead of holding the run


def document() -> dict:
    return json.loads(encode(to_dict(example_with_effects())))


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def refused(path: Path, *expected: str) -> str:
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message and len(message) < 600, message
    for part in expected:
        assert part in message, message
    return message


def with_value(path: Path, where: tuple, raw: str) -> Path:
    """The example project with the value at ``where`` replaced by the JSON token ``raw`` (written as is)."""
    doc = document()
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = "@@VALUE@@"
    return write(path, json.dumps(doc).replace('"@@VALUE@@"', raw))


# --- deeply nested JSON -----------------------------------------------------------------------------------


def test_json_nested_past_what_the_parser_takes_is_one_line(tmp_path: Path) -> None:
    refused(write(tmp_path / "deep.promptcut", "[" * 200_000 + "]" * 200_000), "nested too deeply")


def test_metadata_nested_deeper_than_a_project_goes_is_refused(tmp_path: Path) -> None:
    doc = document()
    doc["metadata"] = json.loads('{"a":' * 150 + "1" + "}" * 150)
    refused(write(tmp_path / "deep.promptcut", json.dumps(doc)), "nested too deeply")


# --- numbers out of range ---------------------------------------------------------------------------------

HUGE = "9" * 400
ENORMOUS = "1" + "0" * 5000      # past Python's 4300-digit limit for integers read from text


@pytest.mark.parametrize(("where", "raw", "expected"), [
    (("master_volume",), HUGE, "master_volume: the number"),
    (("tracks", 0, "volume"), "-" + HUGE, "too large"),
    (("tracks", 0, "clips", 0, "volume"), "1e400", "expected a number, got inf"),   # a float past a double
    (("tracks", 0, "clips", 0, "volume"), "NaN", "not a number a project may hold"),
    (("tracks", 0, "clips", 0, "volume"), "-Infinity", "not a number a project may hold"),
    (("tracks", 0, "clips", 0, "start"), HUGE, "start: the number"),
    (("tracks", 0, "clips", 0, "start"), ENORMOUS, "not valid JSON"),
    (("tracks", 1, "clips", 0, "duration"), str(2**40), "clip c3 has duration 1099511627776 frames"),
    (("tracks", 0, "clips", 0, "source_in"), "-5", "source in before zero"),
    (("markers", 0, "frame"), str(2**33), "marker"),
    (("settings", "width"), str(10**20), "settings.width: the number"),
    (("settings", "width"), str(10**6), "the canvas width is 1000000"),
    (("settings", "height"), "0", "canvas size must be positive"),
    (("settings", "sample_rate"), str(2**40), "sample rate"),
    (("settings", "fps"), '"100000"', "the frame rate is 100000"),
    (("media", 0, "duration"), '"99999999999999999999999999999999"', "lasts"),
    (("media", 0, "width"), str(2**40), "width"),
    (("tracks", 0, "clips", 1, "spec", "seed"), "-1", "seed"),
    (("tracks", 0, "clips", 1, "spec", "steps"), "0", "steps"),
    (("tracks", 0, "clips", 1, "spec", "guidance"), HUGE, "too large"),
    (("tracks", 0, "clips", 3, "gain"), HUGE, "unreadable value"),
    (("format_version",), ENORMOUS, "not valid JSON"),
    (("format_version",), HUGE, "format_version is not a version number"),
])
def test_numbers_out_of_range_are_one_line(tmp_path: Path, where: tuple, raw: str, expected: str) -> None:
    refused(with_value(tmp_path / "numbers.promptcut", where, raw), expected)


def test_a_rate_whose_exact_value_explodes_is_refused_unread(tmp_path: Path) -> None:
    """Format 0 wrote rates as decimals; Fraction("1e100000000") would compute a 10**8-digit integer."""
    doc = json.loads((Path(__file__).parent / "fixtures" / "format-0.promptcut").read_text("utf-8"))
    for rate in ("1e100000000", "1E+99999", "-1e100000000", HUGE):
        doc["settings"]["fps"] = rate
        refused(write(tmp_path / "rate.promptcut", json.dumps(doc)), "settings.fps is not a frame rate")


def test_the_bounds_admit_every_real_project(tmp_path: Path) -> None:
    assert sanity.timeline_problems(example_with_effects()) == []
    tl = Timeline(settings=Settings(width=7680, height=4320, fps=Fraction(1000), sample_rate=192_000))
    tl.media["long"] = MediaSource("long", "/m/day.mp4", MediaKind.VIDEO, Fraction(86400 * 7), True, True, 20000, 4000)
    tl.video_tracks = [Track("V1", TrackKind.VIDEO, clips=[MediaClip("c", 0, 86400 * 7 * 1000, media="long")])]
    tl.check()
    assert sanity.timeline_problems(tl) == []
    assert load_project(save_project(tl, tmp_path / "big.promptcut"), check_media=False).timeline.duration == \
        86400 * 7 * 1000


# --- what sits at the path --------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "film.promptcut"
    os.mkfifo(fifo)
    refused(fifo, "FIFO")
    link = tmp_path / "link.promptcut"
    link.symlink_to(fifo)
    refused(link, "FIFO")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_or_a_link_to_one_is_refused(tmp_path: Path) -> None:
    refused(Path("/dev/zero"), "device")
    link = tmp_path / "zero.promptcut"
    link.symlink_to("/dev/zero")
    refused(link, "device")


# --- the writer refuses what the reader refuses -----------------------------------------------------------


def test_a_timeline_out_of_bounds_is_not_saved(tmp_path: Path) -> None:
    tl = example()
    tl.settings = Settings(width=10**9, height=1920, fps=Fraction(30))
    target = tmp_path / "wide.promptcut"
    with pytest.raises(ProjectError, match="not saved: the canvas width is 1000000000"):
        save_project(tl, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_metadata_that_would_not_reopen_is_not_saved_and_the_old_file_stays(tmp_path: Path) -> None:
    target = save_project(example(), tmp_path / "film.promptcut")
    before = target.read_bytes()
    nested: dict = {}
    node = nested
    for _ in range(150):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(ProjectError, match="not saved: it would not reopen .*nested too deeply"):
        save_project(example(), target, metadata={"deep": nested})
    assert target.read_bytes() == before
    load_project(target, check_media=False).timeline.check()


def test_a_spec_the_reader_refuses_is_not_saved(tmp_path: Path) -> None:
    tl = example_with_effects()
    track, clip = next((t, c) for t, c in tl.clips() if c.id == "g1")
    i = track.clips.index(clip)
    track.clips[i] = clip.moved(spec=type(clip.spec)(**{**clip.spec.__dict__, "seed": -3}))
    with pytest.raises(ProjectError, match="not saved: clip g1 has seed -3"):
        save_project(tl, tmp_path / "seed.promptcut")


# --- media on disk shorter than the project recorded ------------------------------------------------------


def test_media_shorter_than_recorded_trims_the_clip_with_a_note(tmp_path: Path) -> None:
    media = tmp_path / "short.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30:duration=1",
                    "-pix_fmt", "yuv420p", "-c:v", "libx264", str(media)], check=True)
    tl = Timeline(settings=Settings(width=160, height=90, fps=Fraction(30)))
    # The project says the file lasts 10 s, and the clip plays seconds 2..7 of it; the file holds 1 s.
    tl.media["m"] = MediaSource("m", str(media), MediaKind.VIDEO, Fraction(10), True, False, 160, 90)
    tl.video_tracks = [Track("V1", TrackKind.VIDEO, clips=[
        MediaClip("a", 0, 20, 0, media="m"), MediaClip("b", 20, 150, 60, name="late", media="m")])]
    tl.check()
    path = save_project(tl, tmp_path / "film.promptcut")

    doc = open_document(path)

    doc.timeline.check()
    a, b = doc.timeline.video_tracks[0].clips
    assert (a.start, a.duration, a.source_in) == (0, 20, 0)          # within the file: untouched
    assert b.start == 20 and b.source_in + b.duration <= 30           # trimmed to the file's 30 frames
    assert any("'late' asks for 7.00 s" in w and "trimmed" in w for w in doc.warnings), doc.warnings

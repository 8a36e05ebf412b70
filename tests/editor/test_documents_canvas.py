"""A timeline from another editor keeps its picture shape: the size the file records (Premiere / FCP 7 XML), or,
where the format records none (an EDL), the size most of its media have, with a note."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from editor.documents import open_document
from editor.interchange.formats import read_timeline, write_timeline
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline

SAMPLES = Path(__file__).parent / "interchange" / "samples"


def _written(folder: Path, name: str, canvas: Settings) -> Path:
    """A one-clip timeline on a 320x180 picture, on ``canvas``, written as ``name`` (the format by extension)."""
    footage = synth.color_clip(folder / "wide.mp4", "red", 2.0, size=(320, 180))
    tl = Timeline.empty(canvas, video_tracks=1, audio_tracks=0)
    tl.media["m"] = media_source_from_info(probe(footage), "m")
    tl.video_tracks[0].add(MediaClip(id="a", start=0, duration=30, source_in=0, name="Wide", media="m"))
    write_timeline(tl, folder / name)
    return folder / name


def test_a_premiere_xml_keeps_its_sequence_size():
    result = read_timeline(SAMPLES / "premiere_example.xml")
    assert (result.timeline.settings.width, result.timeline.settings.height) == (1280, 720)
    assert not result.canvas_guessed


def test_an_edl_takes_the_size_of_its_media(tmp_path: Path):
    _written(tmp_path, "cut.edl", Settings(320, 180, Fraction(30), 48000))
    assert read_timeline(tmp_path / "cut.edl").canvas_guessed   # an EDL records no picture size
    doc = open_document(tmp_path / "cut.edl")
    assert (doc.timeline.settings.width, doc.timeline.settings.height) == (320, 180)
    assert any("canvas is 320x180" in line for line in doc.warnings)
    doc.timeline.check()


def test_without_online_media_the_default_canvas_stays_and_nothing_is_said(tmp_path: Path):
    _written(tmp_path, "cut.edl", Settings())
    (tmp_path / "wide.mp4").unlink()
    doc = open_document(tmp_path / "cut.edl")
    assert (doc.timeline.settings.width, doc.timeline.settings.height) == (Settings().width, Settings().height)
    assert not any("canvas is" in line for line in doc.warnings)


def test_an_xml_we_write_records_the_canvas_so_a_vertical_cut_comes_back_vertical(tmp_path: Path):
    _written(tmp_path, "cut.xml", Settings(720, 1280, Fraction(30), 48000))
    doc = open_document(tmp_path / "cut.xml")
    assert (doc.timeline.settings.width, doc.timeline.settings.height) == (720, 1280)

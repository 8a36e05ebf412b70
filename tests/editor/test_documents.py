"""Opening a project or .otio re-reads the media it names, and saving keeps what it does not understand."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from editor.documents import open_document, save_document
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, MediaKind, MediaSource, Settings, Timeline
from editor.project import load_project, save_project


def test_project_metadata_survives_open_and_save(tmp_path: Path) -> None:
    clip = synth.color_clip(tmp_path / "red.mp4", "red", seconds=1.0)
    tl = Timeline.empty(Settings(width=180, height=320, fps=Fraction(30)))
    tl.media["m"] = media_source_from_info(probe(clip), "m")
    tl.video_tracks[0].add(MediaClip(id="c", start=0, duration=10, media="m"))
    save_project(tl, tmp_path / "a.promptcut", metadata={"name": "My cut", "author": "me"})

    doc = open_document(tmp_path / "a.promptcut")
    save_document(doc.timeline, tmp_path / "b.promptcut", doc.metadata)

    assert load_project(tmp_path / "b.promptcut").metadata["name"] == "My cut"


def test_stale_media_facts_are_refreshed_and_unreadable_files_go_offline(tmp_path: Path) -> None:
    real = synth.color_clip(tmp_path / "real.mp4", "red", seconds=2.0)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video")
    tl = Timeline.empty(Settings(width=180, height=320, fps=Fraction(30)))
    # Facts as another tool guessed them: wrong size, duration only a lower bound.
    tl.media["m"] = MediaSource("m", str(real), MediaKind.VIDEO, Fraction(1), True, True, 0, 0)
    tl.media["j"] = MediaSource("j", str(junk), MediaKind.VIDEO, Fraction(1), True, True, 0, 0)
    tl.video_tracks[0].add(MediaClip(id="c", start=0, duration=10, media="m"))
    tl.video_tracks[0].add(MediaClip(id="d", start=20, duration=10, media="j"))
    save_project(tl, tmp_path / "p.promptcut")

    doc = open_document(tmp_path / "p.promptcut")

    assert doc.timeline.media["m"].duration == Fraction(2)
    assert (doc.timeline.media["m"].width, doc.timeline.media["m"].height) == (320, 180)
    assert [m.id for m in doc.offline] == ["j"]
    assert any("junk.mp4" in w for w in doc.warnings)


"""File > Import Timeline…, Export Timeline…, Collect Project…, Archive Project… and opening an archive, on the
real window with real media, real adapter files and real zips. Importing, unpacking, collecting and archiving
run beside the GUI thread: a test waits for ``packing_finished``."""

from __future__ import annotations

import shutil
import threading
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest
from PySide6.QtCore import QTimer

from editor import documents
from editor.documents import open_document
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Marker, Timeline
from editor.model.commands import AddMarker
from editor.model.commands.story import set_cast
from editor.model.story import CastMember, Story
from editor.model.testing import clip
from editor.project import load_project, save_project
from editor.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("own_settings")   # conftest: recovery and recent files of its own


@pytest.fixture(scope="module")
def footage(tmp_path_factory) -> Path:
    return synth.color_clip(tmp_path_factory.mktemp("interchange-ui") / "shot.mp4", seconds=2.0)


def _window(qtbot) -> MainWindow:
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    w.ask_recover = lambda p, r: "discard"
    w.told: list[tuple[str, list[str]]] = []
    w.tell = lambda title, lines: w.told.append((title, list(lines)))
    qtbot.addWidget(w)
    return w


def _timeline(media: Path, video_tracks: int = 1) -> Timeline:
    tl = Timeline.empty(video_tracks=video_tracks, audio_tracks=1)
    tl.media["m1"] = media_source_from_info(probe(media), "m1", str(media))
    tl.video_tracks[0].clips = [clip("m1", 0, 30, clip_id="c1"), clip("m1", 40, 20, clip_id="c2", source_in=10)]
    return tl


def _export(qtbot, w: MainWindow, path: Path) -> bool:
    """Export Timeline to ``path`` and wait for it (the writing runs beside the GUI thread); True when it wrote."""
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        assert w.export_timeline(path)   # started
    assert done.args[0] == "export"
    return done.args[1]


def _placed(tl: Timeline) -> list[tuple[int, int, int]]:
    return [(c.start, c.duration, c.source_in) for c in tl.video_tracks[0].clips]


def test_export_timeline_writes_the_format_the_extension_names_and_import_brings_it_back(qtbot, tmp_path, footage):
    w = _window(qtbot)
    w.set_document(_timeline(footage), None)
    w.ask_timeline_export_path = lambda: str(tmp_path / "cut.xml")
    assert w.actions_by_name["export_timeline"].isEnabled()
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        w.actions_by_name["export_timeline"].trigger()
    assert done.args == ["export", True] and (tmp_path / "cut.xml").is_file()
    assert "Exported the timeline to cut.xml" in w.statusBar().currentMessage()
    read = otio.adapters.read_from_file(str(tmp_path / "cut.xml"))
    assert len(list(read.find_clips())) == 2   # Premiere / FCP 7 XML another tool reads

    other = _window(qtbot)
    other.ask_timeline_to_import = lambda: str(tmp_path / "cut.xml")
    with qtbot.waitSignal(other.packing_finished, timeout=60000) as done:
        other.actions_by_name["import_timeline"].trigger()
    assert done.args == ["import", True]
    assert _placed(other.timeline) == [(0, 30, 0), (40, 20, 10)]
    assert other.path is None and other.modified   # a new project: Save asks where, never writes the XML
    assert "Imported cut.xml" in other.statusBar().currentMessage()


def test_opening_another_editors_timeline_imports_it_as_a_new_project(qtbot, tmp_path, footage):
    w = _window(qtbot)
    w.set_document(_timeline(footage), None)
    assert _export(qtbot, w, tmp_path / "cut.edl")
    other = _window(qtbot)
    with qtbot.waitSignal(other.packing_finished, timeout=60000) as done:
        assert other.open_path(tmp_path / "cut.edl")
    assert done.args == ["import", True]
    assert other.path is None and [c.duration for c in other.timeline.video_tracks[0].clips] == [30, 20]


def test_a_timeline_the_format_cannot_hold_is_refused_by_name(qtbot, tmp_path, footage):
    w = _window(qtbot)
    tl = _timeline(footage, video_tracks=2)
    tl.video_tracks[1].clips = [clip("m1", 0, 10, clip_id="c3")]
    w.set_document(tl, None)
    assert not _export(qtbot, w, tmp_path / "cut.edl")
    assert "EDL" in w.statusBar().currentMessage() and not (tmp_path / "cut.edl").exists()
    assert not _export(qtbot, w, tmp_path / "cut.mp4")
    assert ".mp4" in w.statusBar().currentMessage()


def test_importing_a_file_that_is_not_a_timeline_says_why_and_keeps_the_document(qtbot, tmp_path, footage):
    w = _window(qtbot)
    w.set_document(_timeline(footage), None)
    bad = tmp_path / "broken.xml"
    bad.write_text("<xmeml><sequence>", encoding="utf-8")
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        w.import_timeline(bad)
    assert done.args == ["import", False]
    assert "broken.xml" in w.statusBar().currentMessage()
    assert _placed(w.timeline) == [(0, 30, 0), (40, 20, 10)]


def _saved_project(tmp_path: Path, footage: Path) -> Path:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    media = shutil.copy(footage, outside / "shot.mp4")
    path = tmp_path / "project" / "film.promptcut"
    path.parent.mkdir()
    save_project(_timeline(Path(media)), path)
    return path


def test_collect_copies_the_media_beside_the_project_relinks_as_one_undo_step_and_saves(qtbot, tmp_path, footage):
    path = _saved_project(tmp_path, footage)
    w = _window(qtbot)
    assert w.open_path(path)
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        w.actions_by_name["collect"].trigger()
    assert done.args == ["collect", True]
    moved = Path(w.timeline.media["m1"].path)
    assert moved.is_relative_to(path.parent / "film.media") and moved.read_bytes() == footage.read_bytes()
    assert not w.modified
    assert Path(open_document(path).timeline.media["m1"].path) == moved
    w.actions_by_name["undo"].trigger()
    assert w.timeline.media["m1"].path == str(tmp_path / "elsewhere" / "shot.mp4")


def test_archive_writes_one_zip_that_opens_elsewhere_with_everything_online(qtbot, tmp_path, footage):
    path = _saved_project(tmp_path, footage)
    w = _window(qtbot)
    assert w.open_path(path)
    w.ask_archive_path = lambda: str(tmp_path / "film.zip")
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        w.actions_by_name["archive"].trigger()
    assert done.args == ["archive", True]
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(tmp_path / "film.zip", moved / "film.zip")
    shutil.rmtree(tmp_path / "elsewhere")

    other = _window(qtbot)
    with qtbot.waitSignal(other.packing_finished, timeout=60000) as done:
        assert other.open_path(moved / "film.zip")
    assert done.args == ["unarchive", True]
    assert other.path is not None and other.path.is_relative_to(moved)
    assert not other.timeline.offline_media()
    assert _placed(other.timeline) == [(0, 30, 0), (40, 20, 10)]


def test_a_hostile_archive_is_refused_and_nothing_is_written_outside(qtbot, tmp_path, footage):
    hostile = tmp_path / "evil.zip"
    with zipfile.ZipFile(hostile, "w") as z:
        z.writestr("promptcut-archive.json", "{}")
        z.writestr("../escaped.txt", "gotcha")
    w = _window(qtbot)
    w.set_document(_timeline(footage), None)
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        w.open_archive_path(hostile)
    assert done.args == ["unarchive", False]
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert "evil.zip" in w.statusBar().currentMessage() or "leaves" in w.statusBar().currentMessage()
    assert _placed(w.timeline) == [(0, 30, 0), (40, 20, 10)]


def test_remove_trailing_gap_ends_the_timeline_at_its_last_clip(qtbot, footage):
    w = _window(qtbot)
    tl = _timeline(footage)
    tl.length = 120
    w.set_document(tl, None)
    assert w.timeline.duration == 120
    assert w.drop_trailing_gap()
    assert w.timeline.duration == 60
    w.actions_by_name["undo"].trigger()
    assert w.timeline.duration == 120


@pytest.fixture
def held_import(monkeypatch):
    """The real import, held at its start until the test lets it go (as a hostile file holds an adapter's child
    process up to its time limit), so the test can act while it runs."""
    started, release = threading.Event(), threading.Event()
    real = documents.open_document

    def held(path, *args, **kwargs):
        started.set()
        release.wait(60)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(documents, "open_document", held)
    yield started, release
    release.set()


def test_the_window_stays_responsive_while_a_timeline_is_imported(qtbot, tmp_path, footage, held_import):
    started, release = held_import
    source = _window(qtbot)
    source.set_document(_timeline(footage), None)
    assert _export(qtbot, source, tmp_path / "cut.xml")
    w = _window(qtbot)
    assert w.import_timeline(tmp_path / "cut.xml")   # returns at once: the reading runs beside the GUI thread
    assert "Importing cut.xml" in w.statusBar().currentMessage()
    assert started.wait(30)
    ticked = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: ticked == [True], timeout=10000)   # events are handled while the import is held
    assert w.timeline.video_tracks[0].clips == []
    assert not w.import_timeline(tmp_path / "cut.xml")      # one at a time
    assert "Still busy: the import" in w.statusBar().currentMessage()
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        release.set()
    assert done.args == ["import", True]
    assert _placed(w.timeline) == [(0, 30, 0), (40, 20, 10)] and w.path is None


def test_an_import_lands_only_if_the_document_did_not_change_meanwhile(qtbot, tmp_path, footage, held_import):
    started, release = held_import
    source = _window(qtbot)
    source.set_document(_timeline(footage), None)
    assert _export(qtbot, source, tmp_path / "cut.edl")
    w = _window(qtbot)
    w.set_document(_timeline(footage), None)
    assert w.import_timeline(tmp_path / "cut.edl")
    assert started.wait(30)
    assert w.edits.do(AddMarker(Marker(5, "keep me")))   # the user goes on working meanwhile
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        release.set()
    assert done.args == ["import", False]
    assert [m.name for m in w.timeline.markers] == ["keep me"]
    assert "cut.edl was not opened: the project changed meanwhile" in w.statusBar().currentMessage()


def test_collect_relinks_the_live_timeline_and_keeps_edits_made_while_it_copied(qtbot, tmp_path, footage):
    path = _saved_project(tmp_path, footage)
    face = synth.still(tmp_path / "elsewhere" / "ada.png")
    tl = load_project(path).timeline
    tl.story = Story(cast=(CastMember("p1", "Ada", image=str(face)),))
    save_project(tl, path)
    w = _window(qtbot)
    assert w.open_path(path)
    with qtbot.waitSignal(w.packing_finished, timeout=60000) as done:
        assert w.collect_project()
        # Made before the result can land (it is delivered through the GUI thread's event loop).
        edited = (CastMember("p1", "Ada Lovelace", image=str(face)), CastMember("p2", "Bob"))
        assert w.edits.do(set_cast(w.timeline, edited, "Edit cast"))
        assert w.edits.do(AddMarker(Marker(7, "meanwhile")))
    assert done.args == ["collect", True]
    assert [m.name for m in w.timeline.story.cast] == ["Ada Lovelace", "Bob"]
    assert [m.name for m in w.timeline.markers] == ["meanwhile"]
    collected = path.parent / "film.media" / "collected"
    assert Path(w.timeline.media["m1"].path).parent == collected
    assert Path(w.timeline.story.member("p1").image) == collected / "ada.png"
    assert [m.name for m in open_document(path).timeline.story.cast] == ["Ada Lovelace", "Bob"]   # saved
    w.actions_by_name["undo"].trigger()   # the relink alone
    assert w.timeline.media["m1"].path == str(tmp_path / "elsewhere" / "shot.mp4")
    assert [(m.name, m.image) for m in w.timeline.story.cast] == [("Ada Lovelace", str(face)), ("Bob", "")]


def test_an_opened_or_imported_timeline_shows_its_first_picture_at_once(qtbot, tmp_path, footage):
    """Found in the click-through: the viewer stayed black after opening until the playhead moved."""
    w = _window(qtbot)
    w.show()
    w.set_document(_timeline(footage), None)
    assert _export(qtbot, w, tmp_path / "cut.xml")
    other = _window(qtbot)
    other.show()
    with qtbot.waitSignal(other.packing_finished, timeout=60000):
        assert other.import_timeline(tmp_path / "cut.xml")

    def shows_red() -> None:
        image = other.viewer.screen_.image
        assert image is not None and not image.isNull()
        colour = image.pixelColor(image.width() // 2, image.height() // 2)
        assert colour.red() > 200 and colour.green() < 60 and colour.blue() < 60

    qtbot.waitUntil(shows_red, timeout=30000)

"""The window as a new user found it (issue #8): real windows, the real generator worker with the tiny test
models, real recovery files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import grimp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar
from ui_support import generated, shown, submit_prompt

from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import GeneratedClip, MediaClip, Settings, Timeline
from editor.model.commands import Group, Overwrite, Split
from editor.model.testing import clip, timeline, video
from editor.ui.main_window import MainWindow

SMALL = Settings(width=90, height=160, fps=Fraction(30))


@pytest.fixture(autouse=True)
def own_places(tmp_path, monkeypatch):
    """This test's own recovery folder and generation preferences (no default model chosen)."""
    monkeypatch.setenv("PROMPTCUT_RECOVERY", str(tmp_path / "recovery"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(scope="module")
def colours(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("first hour media")
    return {name: synth.color_clip(d / f"{name}.mp4", name, 1.0, size=(90, 160), tone_hz=None)
            for name in ("red", "blue")}


def picture(colours, *, clips: list[tuple[str, int]], video_tracks: int = 2) -> Timeline:
    """Clips of 15 frames on V1 at the given starts (a new project has two video tracks, V2 empty)."""
    tl = Timeline.empty(SMALL, video_tracks=video_tracks)
    for name in ("red", "blue"):
        tl.media[name] = media_source_from_info(probe(colours[name]), name)
    for i, (name, start) in enumerate(clips):
        tl.video_tracks[0].add(MediaClip(f"c{i}", start, 15, media=name))
    tl.check()
    return tl


# --- 1. the window's parts do not import each other in a circle ---------------------------------------------


def test_autosave_and_generated_shots_do_not_import_the_window() -> None:
    graph = grimp.build_graph("editor")
    for part in ("editor.ui.autosave", "editor.ui.shots_ui", "editor.ui.window_actions", "editor.ui.window_files",
                 "editor.ui.window_recovery", "editor.ui.window_relink"):
        assert graph.find_shortest_chain(importer=part, imported="editor.ui.main_window") is None, part


# --- 2. fill gaps ----------------------------------------------------------------------------------------------


def test_fill_gaps_offers_the_usable_models_and_skips_rows_left_empty(qtbot, colours, tmp_path) -> None:
    tl = picture(colours, clips=[("red", 0), ("blue", 30), ("red", 60), ("blue", 90)])
    w = shown(qtbot, MainWindow(tl, tmp_path / "cut.promptcut"))
    messages: list[str] = []
    w.shots.message.connect(messages.append)
    dialog = w.fill_gaps_dialog(w.timeline.video_tracks[0].id)
    assert dialog.gaps == [(w.timeline.video_tracks[0].id, s, s + 15) for s in (15, 45, 75)]
    # The default model is not on this machine: the dialog picks one that is, and says so in words.
    assert dialog.model.currentData() == "tiny-wan"
    assert "not installed" in dialog.model_note.text() and dialog.model_note.isVisibleTo(dialog)
    assert "--" not in dialog.model_note.text() and "promptcut " not in dialog.model_note.text()
    # usable models come first, the ones to download after
    usable = [not dialog.model.itemText(i).endswith("(not installed)") for i in range(dialog.model.count())]
    assert usable[0] and usable == sorted(usable, reverse=True)

    qtbot.keyClicks(dialog.prompts[1], "noon over the harbour")
    qtbot.keyClicks(dialog.style_edit, "35 mm film")
    assert "left empty will be skipped" in dialog.note.text()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(generated(w)) == 1, timeout=60000)
    (shot,) = generated(w)
    assert (shot.start, shot.end, shot.spec.prompt, shot.spec.model) == (45, 60, "noon over the harbour, 35 mm film",
                                                                         "tiny-wan")
    assert "Queuing 1 shot; 2 empty gaps skipped" in messages
    assert not any("--model" in m or "`promptcut" in m for m in messages), messages
    w.timeline.check()


def test_fill_gaps_keeps_what_was_typed_while_the_project_is_open(qtbot, colours, tmp_path) -> None:
    tl = picture(colours, clips=[("red", 0), ("blue", 30), ("red", 60)])
    w = shown(qtbot, MainWindow(tl, tmp_path / "cut.promptcut"))
    dialog = w.fill_gaps_dialog(w.timeline.video_tracks[0].id)
    qtbot.keyClicks(dialog.prompts[0], "dawn")
    qtbot.keyClicks(dialog.prompts[1], "dusk")
    qtbot.keyClicks(dialog.style_edit, "watercolour")
    dialog.model.setCurrentIndex(dialog.model.findData("tiny-ltx"))
    dialog.reject()
    again = w.fill_gaps_dialog(w.timeline.video_tracks[0].id)
    assert [e.text() for e in again.prompts[:2]] == ["dawn", "dusk"]
    assert again.style_edit.text() == "watercolour" and again.model.currentData() == "tiny-ltx"
    again.reject()
    # another document: its own gaps, nothing carried over
    w.set_document(picture(colours, clips=[("red", 0), ("blue", 30), ("red", 60)]), tmp_path / "other.promptcut")
    fresh = w.fill_gaps_dialog(w.timeline.video_tracks[0].id)
    assert [e.text() for e in fresh.prompts] == [""] * len(fresh.prompts) and fresh.style_edit.text() == ""
    fresh.reject()


def test_the_prompt_box_selects_a_usable_model_when_the_chosen_default_is_missing(qtbot, colours, tmp_path) -> None:
    from editor.generate.preferences import GenerationPreferences, save_preferences

    save_preferences(GenerationPreferences(default_model="wan2.2-ti2v-5b"))   # chosen once, never downloaded
    w = shown(qtbot, MainWindow(picture(colours, clips=[("red", 0), ("blue", 30)]), tmp_path / "cut.promptcut"))
    box = w.shots.open_prompt(w.timeline.video_tracks[0].id, 15, 30)
    assert box.model.currentData() == "tiny-wan"
    w.shots.close_prompt()


# --- 3. G in a gap fills the gap ----------------------------------------------------------------------------------


def press_g_and_generate(qtbot, w: MainWindow, frame: int, prompt: str) -> GeneratedClip:
    w.timeline_view.set_playhead(frame)
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_G)
    return submit_prompt(qtbot, w, prompt)


def test_g_in_a_gap_between_clips_fills_the_whole_gap(qtbot, colours, tmp_path) -> None:
    w = shown(qtbot, MainWindow(picture(colours, clips=[("red", 0), ("blue", 30)]), tmp_path / "cut.promptcut"))
    shot = press_g_and_generate(qtbot, w, 20, "gulls over the pier")
    v1 = w.timeline.video_tracks[0]
    assert w.timeline.find(shot.id)[0] is v1              # on the track with the gap, not the empty V2 above
    assert (shot.start, shot.end) == (15, 30)             # the whole gap, not a 3 s shot from the playhead
    assert [c.id for c in v1.clips] == ["c0", shot.id, "c1"]
    w.timeline.check()


def test_g_before_the_first_clip_fills_from_the_start(qtbot, colours, tmp_path) -> None:
    w = shown(qtbot, MainWindow(picture(colours, clips=[("red", 40)]), tmp_path / "cut.promptcut"))
    shot = press_g_and_generate(qtbot, w, 10, "a title card of fog")
    assert w.timeline.find(shot.id)[0] is w.timeline.video_tracks[0]
    assert (shot.start, shot.end) == (0, 40)


def test_g_over_a_marked_range_still_takes_the_range(qtbot, colours, tmp_path) -> None:
    w = shown(qtbot, MainWindow(picture(colours, clips=[("red", 0), ("blue", 30)]), tmp_path / "cut.promptcut"))
    w.timeline_view.set_playhead(18)
    w.timeline_view.set_in()
    w.timeline_view.set_playhead(25)
    w.timeline_view.set_out()
    w.timeline_view.set_playhead(20)
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_G)
    assert w.shots._prompt_target == (w.timeline.video_tracks[1].id, 18, 25)
    w.shots.close_prompt()


# --- 5. the status bar's clip count ------------------------------------------------------------------------------


def test_the_clip_count_follows_every_edit_and_undo(qtbot) -> None:
    w = shown(qtbot, MainWindow(timeline(media=[video("m1")])))
    assert w.position_label.text().startswith("0 clips")
    assert w.edits.do(Overwrite(w.timeline.video_tracks[0], clip("m1", 30, 60, clip_id="a")))
    assert w.timeline_view.playhead == 0                      # a drop does not move the playhead
    assert w.position_label.text().startswith("1 clip  ·")
    assert w.edits.do(Split("a", 60, right_id="b"))
    assert w.position_label.text().startswith("2 clips")
    w.edits.stack.undo()
    w.edits.stack.undo()
    assert w.position_label.text().startswith("0 clips")
    w.set_document(timeline(media=[video("m1")]), None)
    assert w.edits.do(Overwrite(w.timeline.video_tracks[0], clip("m1", 0, 30, clip_id="z")))
    assert w.position_label.text().startswith("1 clip  ·")   # the new document's timeline is followed


# --- 6. long undo labels ------------------------------------------------------------------------------------------


def test_long_undo_labels_are_elided_and_keep_the_toolbar_on_the_window(qtbot) -> None:
    w = MainWindow(timeline(media=[video("m1")]))            # its own size: 1600 pixels wide
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    first = "Move 3 clips to V2 and ripple everything after them on every track"
    second = "Overwrite 5 clips from the bin over V1 and V2 & trim the neighbours"
    track = w.timeline.video_tracks[0]
    assert w.edits.do(Group(first, [Overwrite(track, clip("m1", 0, 30, clip_id="a"))]))
    assert w.edits.do(Group(second, [Overwrite(track, clip("m1", 30, 30, clip_id="b"))]))
    w.edits.stack.undo()                                       # Undo and Redo both name a long edit now
    undo, redo = w.actions_by_name["undo"], w.actions_by_name["redo"]
    assert undo.iconText() == "Undo Move 3 clips t…" and undo.toolTip() == f"Undo {first}"
    assert redo.iconText() == "Redo Overwrite 5 cl…" and redo.toolTip() == f"Redo {second}"
    assert undo.text() == "&Undo Move 3 clips to V2 and ripple ever…"     # the menu has room for more
    bar = w.findChild(QToolBar, "MainToolBar")
    qtbot.waitUntil(lambda: bar.widgetForAction(w.actions_by_name["export"]).isVisible(), timeout=3000)
    assert bar.sizeHint().width() <= w.width()
    w.edits.stack.undo()
    assert undo.iconText() == "Undo" and not undo.isEnabled()


def test_with_the_theme_every_toolbar_button_shows_in_a_1440_pixel_window_export_first(qtbot) -> None:
    """The dark theme's padding once pushed Generator Queue and Export off a 1600-pixel window."""
    from editor.ui.app import stylesheet

    w = MainWindow(timeline(media=[video("m1")]))
    qtbot.addWidget(w)
    w.setStyleSheet(stylesheet())
    w.resize(1440, 900)
    w.show()
    qtbot.waitExposed(w)
    long = "Move 3 clips to V2 and ripple everything after them on every track"
    assert w.edits.do(Group(long, [Overwrite(w.timeline.video_tracks[0], clip("m1", 0, 30, clip_id="a"))]))
    bar = w.findChild(QToolBar, "MainToolBar")
    names = [a for a in bar.actions() if not a.isSeparator()]
    qtbot.waitUntil(lambda: all(bar.widgetForAction(a).isVisible() for a in names), timeout=3000)
    assert names.index(w.actions_by_name["export"]) < names.index(w.actions_by_name["import"])
    assert bar.sizeHint().width() <= w.width()
    w.edits.stack.setClean()

"""Keyboard layouts in the window: choosing Premiere Pro or CapCut rebinds every action at once (the timeline's own
key handling too), the choice outlives the window, and Help > Keyboard Shortcuts lists and filters the keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_support import shown

from editor import keymaps
from editor.model import Timeline
from editor.model.testing import clip, sound, timeline, video
from editor.ui.main_window import MainWindow
from editor.ui.shortcuts_dialog import ShortcutsDialog
from editor.ui.window_actions import LAYOUT_SETTING, layout_settings, saved_layout

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def settings(own_settings):
    """The layout choice in this test's own settings, and PromptCut's own again for the tests after it."""
    layout_settings().remove(LAYOUT_SETTING)
    yield layout_settings()
    layout_settings().remove(LAYOUT_SETTING)


@pytest.fixture
def w(qtbot, settings):
    tl = timeline(media=[video("cam", frames=600, audio=False), sound("music", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 100, clip_id="a"))
    tl.audio_tracks[0].add(clip("music", 0, 100, clip_id="m"))
    win = shown(qtbot, MainWindow(Timeline.empty(video_tracks=2, audio_tracks=1)))
    win.set_document(tl, None)
    win.timeline_view.set_playhead(40)
    return win


def press(win: MainWindow, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """The key as the window system delivers it, through Qt's shortcut map (a widget's own key event would skip
    the window's shortcuts)."""
    win.activateWindow()
    win.timeline_view.setFocus()
    QTest.keyClick(win.windowHandle(), key, mods)


def clips_on_v1(win: MainWindow) -> list[tuple[int, int]]:
    return [(c.start, c.duration) for c in win.timeline.video_tracks[0].clips]


def keys(win: MainWindow, name: str) -> list[str]:
    return [k.toString() for k in win.actions_by_name[name].shortcuts()]


def test_the_window_builds_the_actions_the_layouts_list(w):
    built = {n for n in w.actions_by_name if not n.startswith("title_")}      # the presets have no keys
    assert built == {a.name for a in keymaps.ACTIONS}
    assert w.keyboard_layout == keymaps.PROMPTCUT
    for action in keymaps.ACTIONS:
        expected = [QKeySequence(k).toString() for k in action.keys[keymaps.PROMPTCUT]]
        assert keys(w, action.name) == expected, action.name


def test_premiere_makes_ctrl_k_split_and_ctrl_l_link(w, qtbot):
    press(w, Qt.Key.Key_K, CTRL)                  # PromptCut splits on Ctrl+K too
    assert clips_on_v1(w) == [(0, 40), (40, 60)]
    w.edits.stack.undo()
    assert w.set_keyboard_layout(keymaps.PREMIERE)
    assert keys(w, "split") == ["Ctrl+K"] and keys(w, "snap") == ["S"] and keys(w, "link") == ["Ctrl+L"]

    press(w, Qt.Key.Key_K, CTRL)
    assert clips_on_v1(w) == [(0, 40), (40, 60)]
    w.edits.stack.undo()
    snapping = w.timeline_view.snapping
    press(w, Qt.Key.Key_S)                        # S is Premiere's snapping, no longer a split
    assert clips_on_v1(w) == [(0, 100)] and w.timeline_view.snapping is not snapping

    # Ctrl+L links the selection there; the preview's loop is left alone
    loop = w.viewer.loop_button.isChecked()
    w.timeline_view.select({"a", "m"})
    press(w, Qt.Key.Key_L, CTRL)
    assert w.timeline.find("a")[1].link is not None
    assert w.timeline.find("a")[1].link == w.timeline.find("m")[1].link
    assert w.viewer.loop_button.isChecked() == loop
    press(w, Qt.Key.Key_L, CTRL)                  # again: unlinked
    assert w.timeline.find("a")[1].link is None

    # the timeline's own key handling follows: with the focus there, Ctrl+K splits and Ctrl+L links
    w.timeline_view.setFocus()
    qtbot.keyClick(w.timeline_view, Qt.Key.Key_K, CTRL)
    assert len(w.timeline.video_tracks[0].clips) == 2
    w.edits.stack.undo()

    assert w.set_keyboard_layout(keymaps.PROMPTCUT)   # back: Ctrl+L loops again, S splits
    press(w, Qt.Key.Key_L, CTRL)
    assert w.viewer.loop_button.isChecked() != loop
    assert w.timeline.find("a")[1].link is None
    press(w, Qt.Key.Key_S)
    assert clips_on_v1(w) == [(0, 40), (40, 60)]


def test_the_timeline_drops_the_old_layouts_keys(w, qtbot):
    w.set_keyboard_layout(keymaps.CAPCUT)
    view = w.timeline_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_S)             # nothing in CapCut's layout
    qtbot.keyClick(view, Qt.Key.Key_K, CTRL)
    assert clips_on_v1(w) == [(0, 100)]
    qtbot.keyClick(view, Qt.Key.Key_B, CTRL)
    assert clips_on_v1(w) == [(0, 40), (40, 60)]
    view.select({"a"})
    qtbot.keyClick(view, Qt.Key.Key_V)             # CapCut's enable / disable
    assert not w.timeline.find("a")[1].enabled
    assert keys(w, "export") == ["Ctrl+E"] and keys(w, "zoom_fit") == ["Shift+Z"]


def test_the_choice_persists_into_the_next_window(w, qtbot, settings):
    w.set_keyboard_layout(keymaps.PREMIERE)
    assert settings.value(LAYOUT_SETTING) == "premiere"
    other = shown(qtbot, MainWindow(Timeline.empty()))
    assert other.keyboard_layout == keymaps.PREMIERE
    assert keys(other, "split") == ["Ctrl+K"] and keys(other, "loop") == []
    press(other, Qt.Key.Key_K, CTRL | Qt.KeyboardModifier.AltModifier)    # only the window's shortcuts know it
    assert other._shortcuts_dialog.isVisible()
    assert other._shortcuts_dialog.layout_combo.currentText() == "Premiere Pro"
    other._shortcuts_dialog.close()


def test_an_unknown_stored_or_asked_layout_is_promptcuts_own(w, settings):
    settings.setValue(LAYOUT_SETTING, "avid")
    assert saved_layout() == keymaps.PROMPTCUT
    assert not w.set_keyboard_layout("avid")
    assert w.keyboard_layout == keymaps.PROMPTCUT and keys(w, "split") == ["S", "Ctrl+K", "Ctrl+B"]


def test_the_dialog_lists_filters_and_switches_layouts(w, qtbot, settings):
    w.actions_by_name["shortcuts"].trigger()
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, ShortcutsDialog) and d.isVisible())
    assert dialog.layout_combo.currentText() == "PromptCut"
    assert len(dialog.visible_actions()) == len(keymaps.ACTIONS)
    assert dialog.gestures.topLevelItemCount() == len(keymaps.GESTURES)

    qtbot.keyClicks(dialog.search, "zoom")
    assert dialog.visible_actions() == ["zoom_in", "zoom_out", "zoom_fit"]
    assert not dialog.gestures.isVisible()                       # no mouse gesture zooms
    dialog.search.setText("PLAYBACK")                            # a menu's name shows its actions
    assert dialog.visible_actions()[0] == "play" and "end" in dialog.visible_actions()
    dialog.search.setText("ctrl+k")                              # keys are searched too
    assert dialog.visible_actions() == ["split"]
    dialog.search.setText("double-click")
    assert dialog.visible_actions() == [] and dialog.empty.isVisible() and dialog.gestures.isVisible()

    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findText("Premiere Pro"))   # applies at once
    assert w.keyboard_layout == keymaps.PREMIERE and keys(w, "split") == ["Ctrl+K"]
    assert settings.value(LAYOUT_SETTING) == "premiere"
    dialog.search.clear()
    assert dialog.shown_keys("zoom_fit") == "\\" and dialog.shown_keys("loop") == "—"
    assert dialog.note.isVisible()
    dialog.close()
    w.actions_by_name["shortcuts"].trigger()                     # opens again on the chosen layout
    assert dialog.isVisible() and dialog.layout_combo.currentText() == "Premiere Pro"
    dialog.close()


def test_set_up_generation_sits_by_models_and_waits_for_its_window(w, monkeypatch):
    gen_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Generate")
    texts = [a.text() for a in gen_menu.actions()]
    assert texts.index("Set &Up Generation…") + 1 == texts.index("&Models and Settings…")
    if not hasattr(w, "show_generation_setup"):
        w.actions_by_name["setup_generation"].trigger()
        assert "not available" in w.statusBar().currentMessage()
    shown_setup = []
    monkeypatch.setattr(w, "show_generation_setup", lambda: shown_setup.append(True), raising=False)
    w.actions_by_name["setup_generation"].trigger()
    assert shown_setup == [True]


def key_in(win: MainWindow, field, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """``key`` through the window system with the focus in ``field`` (as ``press`` does for the timeline)."""
    win.activateWindow()
    field.setFocus()
    QApplication.processEvents()
    assert field.hasFocus()
    QTest.keyClick(win.windowHandle(), key, mods)


def clip_count(win: MainWindow) -> int:
    return sum(len(t.clips) for t in win.timeline.video_tracks)


@pytest.mark.parametrize("layout", keymaps.LAYOUTS)
def test_a_focused_text_field_keeps_ctrl_k_and_ctrl_b_and_the_timeline_still_splits_on_them(w, layout):
    """The prompt box and the inspector's text editor, a clip selected: Ctrl+K (PromptCut, Premiere's split) and
    Ctrl+B (PromptCut, CapCut's) are the field's, letters too; with the timeline focused the layout splits."""
    from editor.model import TextClip
    from editor.model.commands import Insert

    assert w.set_keyboard_layout(layout)
    w.edits.do(Insert("V2", TextClip("t", 0, 100, text="Hello"), 0))
    w.timeline_view.select({"t"})
    editor = w.inspector.text_panel.text
    box = w.shots.open_prompt("V2", 200)
    fields = [(box.prompt, box.prompt.text), (editor, editor.toPlainText)]
    for field, text in fields:
        for key in (Qt.Key.Key_K, Qt.Key.Key_B):
            key_in(w, field, key, CTRL)
        for letter in (Qt.Key.Key_S, Qt.Key.Key_K, Qt.Key.Key_B):   # PromptCut's S splits on the timeline
            key_in(w, field, letter)
        assert "skb" in text().lower(), (layout, type(field).__name__, text())
        assert clip_count(w) == 2, (layout, type(field).__name__)
    w.shots.close_prompt()

    split = QKeySequence(keymaps.keys_for(layout, "split")[-1])[0]
    press(w, split.key(), split.keyboardModifiers())
    assert clip_count(w) == 3

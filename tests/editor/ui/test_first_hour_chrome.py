"""The window as a new user first meets it (issue #8): icons that need no font glyph, a wheel that scrolls
panels instead of changing the fields under it, an inspector wide enough for its rows and showing only the
fields a clip has, check boxes that show when unticked, and an Import dialog that shows whole file names."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from editor.generate.shots import Conditioning
from editor.model import MediaKind, MediaSource, Take
from editor.model.commands import Insert
from editor.model.testing import clip, generated, sound, still, timeline, video
from editor.ui.app import stylesheet
from editor.ui.file_dialogs import choose_files, files_dialog
from editor.ui.icons import FALLBACKS, INK, icon, icon_path
from editor.ui.inspector import ElidedLabel, Inspector, display_name, has_sound, shows_picture
from editor.ui.main_window import MEDIA_FILTER, MainWindow
from editor.ui.prompt_box import PromptBox

VIEWER_ICONS = ("play", "pause", "to_start", "to_end", "step_back", "step_forward", "loop", "dice", "speaker",
                "mute")
HASH_FILE = "/project.media/generated/3f9a0c1d2b4e5f60.mp4"   # how the generator names a take


@pytest.fixture
def themed(qapp):
    """The dark theme applied to the whole application, as ``promptcut`` starts it; removed afterwards."""
    sheet = stylesheet()
    assert sheet, "assets/style.qss could not be read"
    qapp.setStyleSheet(sheet)
    yield qapp
    qapp.setStyleSheet("")


def _ink_pixels(image: QImage, near: str, tolerance: int = 60) -> int:
    want = QColor(near)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > 128 and max(abs(c.red() - want.red()), abs(c.green() - want.green()),
                                       abs(c.blue() - want.blue())) <= tolerance:
                count += 1
    return count


def _prompt_box(parent: QWidget) -> PromptBox:
    seeds = iter(range(1000, 2000))
    return PromptBox(parent, models=[("tiny-wan", "Tiny Wan"), ("tiny-ltx", "Tiny LTX")], model="tiny-wan",
                     conditioning_for=lambda _model: Conditioning(True, True, "", ""), seconds=2.0,
                     max_seconds=None, seed_source=lambda: next(seeds))


def _generated_with_takes(window: MainWindow) -> None:
    """A generated shot with two takes (with sound, as LTX-2 makes them), the second playing and stale (its
    prompt changed since), whose files are named by hash as the generator names them."""
    tl = timeline(media=[video("cam", frames=300)])
    for i in (1, 2):
        tl.media[f"take{i}"] = MediaSource(f"take{i}", HASH_FILE.replace("3f9a", f"{i}f9a"), MediaKind.VIDEO,
                                           video("x").duration, has_video=True, has_audio=True,
                                           width=1080, height=1920)
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="c0"))
    window.set_document(tl, None)
    prompt = "a slow dolly shot along a windy beach at golden hour, kites in the sky, film grain"
    takes = [Take("take1", "old-hash-1"), Take("take2", "old-hash-2")]
    window.edits.do(Insert("V1", generated(30, 60, prompt, clip_id="g0", takes=takes, active_take=1)))
    window.timeline_view.select({"g0"})


def _wheel(widget: QWidget, notches: int = -1) -> QWheelEvent:
    """One wheel notch over the middle of ``widget``, delivered to it; returns the event (accepted or not)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def _focus(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


# --- 1. icons instead of font glyphs -------------------------------------------------------------------------


def test_every_icon_is_an_svg_drawn_in_the_theme_ink(qapp) -> None:
    for name in VIEWER_ICONS:
        assert icon_path(name) is not None, f"assets/icons/{name}.svg is missing"
        image = icon(name).pixmap(24, 24).toImage()
        assert (image.width(), image.height()) == (24, 24)
        assert _ink_pixels(image, INK) > 40, name            # light ink that shows on the dark panels
    assert set(VIEWER_ICONS) <= set(FALLBACKS)
    with pytest.raises(KeyError, match="no icon named 'dies'"):
        icon("dies")


def test_the_dice_button_shows_an_icon_and_gives_a_new_seed(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    box = _prompt_box(host)
    assert box.dice.text() == ""                       # no 🎲: fonts without it drew an empty box
    assert not box.dice.icon().isNull()
    assert _ink_pixels(box.dice.icon().pixmap(16, 16).toImage(), INK) > 10
    assert box.dice.toolTip() == "A new random seed"
    before = box.seed.value()
    qtbot.mouseClick(box.dice, Qt.MouseButton.LeftButton)
    assert box.seed.value() != before


# --- 2. the wheel scrolls panels; only a focused field takes it ------------------------------------------------


@pytest.fixture
def clip_selected(window):
    tl = timeline(media=[video("cam", frames=300)])
    tl.video_tracks[0].add(clip("cam", 0, 30, clip_id="c0"))
    window.set_document(tl, None)
    window.timeline_view.select({"c0"})
    assert window.inspector.clip_id == "c0"
    return window


def _real_wheel(widget: QWidget, notches: int = -1) -> None:
    """A wheel notch as the window system delivers it (spontaneous: Qt hands it from parent to parent until one
    takes it), over the middle of ``widget``."""
    window = widget.window()
    QTest.wheelEvent(window.windowHandle(), QPointF(widget.mapTo(window, widget.rect().center())),
                     QPoint(0, 120 * notches))


def test_the_wheel_over_inspector_fields_scrolls_the_panel_past_them(window, qtbot) -> None:
    w = window
    w.resize(1400, 600)   # the inspector of a generated shot is taller than its panel: there is something to scroll
    _generated_with_takes(w)
    ins = w.inspector
    scroll = ins.parentWidget().parentWidget()
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    shot = w.timeline.find("g0")[1]
    for field in (ins.fit, ins.volume):
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus    # the wheel does not focus it either
        scroll.ensureWidgetVisible(field)
        before = bar.value()
        _real_wheel(field)
        assert bar.value() > before, type(field).__name__         # the panel scrolled...
        bar.setValue(0)
    assert (ins.fit.currentData(), ins.volume.value()) == ("fill", 1.0)      # ...and the fields kept their values
    assert w.timeline.find("g0")[1] == shot and w.edits.stack.count() == 1
    # a field the user clicked into is theirs to wheel; the panel stays put
    scroll.ensureWidgetVisible(ins.fit)
    before = bar.value()
    _focus(qtbot, ins.fit)
    _real_wheel(ins.fit)
    assert ins.fit.currentData() != "fill" and bar.value() == before
    # and one notch over an unfocused field, as an event sent straight to it, is left for its parents
    event = _wheel(ins.volume)
    assert not event.isAccepted() and ins.volume.value() == 1.0


def test_the_wheel_leaves_the_prompt_box_and_export_dialog_fields_alone(clip_selected, qtbot) -> None:
    box = _prompt_box(clip_selected)
    box.show()
    seed = box.seed.value()
    for field in (box.model, box.seed, box.seconds, box.steps):
        assert not _wheel(field).isAccepted()
    assert (box.model.currentData(), box.seed.value(), box.seconds.value(), box.steps.value()) == (
        "tiny-wan", seed, 2.0, 0)
    dialog = clip_selected.export_dialog()
    qtbot.waitExposed(dialog)
    preset = dialog.preset_box.currentText()
    for field in (dialog.preset_box, dialog.encoder_box, dialog.crf_spin):
        assert not _wheel(field).isAccepted()
    assert dialog.preset_box.currentText() == preset
    dialog.close()


# --- 3. the inspector: the fields a clip has, its name, and room for every row --------------------------------


def test_fit_only_for_pictures_and_volume_only_for_sound(window) -> None:
    tl = timeline(media=[video("cam", frames=300), video("silent", audio=False), sound("song"), still("logo")])
    v1, a1 = tl.video_tracks[0], tl.audio_tracks[0]
    v1.add(clip("cam", 0, 30, clip_id="cam"))
    v1.add(clip("silent", 30, 30, clip_id="silent"))
    v1.add(clip("logo", 60, 30, clip_id="logo"))
    a1.add(clip("song", 0, 60, clip_id="song"))
    a1.add(clip("cam", 60, 30, clip_id="cam-sound"))     # a video file on an audio track plays its sound only
    tl.video_tracks[1].add(generated(0, 30, clip_id="pending"))
    # a picture whose sound was placed beside it as a linked audio clip
    tl.video_tracks[1].add(replace(clip("cam", 90, 30, clip_id="cam-picture"), link="l1", sound_detached=True))
    tl.audio_tracks[0].add(replace(clip("cam", 90, 30, clip_id="cam-linked"), link="l1"))
    window.set_document(tl, None)
    ins = window.inspector
    shown = {}
    for clip_id in ("cam", "silent", "logo", "song", "cam-sound", "pending", "cam-picture"):
        window.timeline_view.select({clip_id})
        shown[clip_id] = (ins.form.isRowVisible(ins.fit), ins.form.isRowVisible(ins.volume))
    assert shown == {"cam": (True, True), "silent": (True, False), "logo": (True, False), "song": (False, True),
                     "cam-sound": (False, True), "pending": (True, False), "cam-picture": (True, False)}


def test_the_rules_behind_the_fields() -> None:
    tl = timeline(media=[video("cam"), sound("song"), still("logo")])
    v1, a1 = tl.video_tracks[0], tl.audio_tracks[0]
    assert shows_picture(v1, clip("logo", 0, 5), tl.media["logo"]) and not has_sound(tl.media["logo"])
    assert not shows_picture(a1, clip("song", 0, 5), tl.media["song"]) and has_sound(tl.media["song"])
    assert shows_picture(v1, generated(0, 5), None) and not has_sound(None)
    shot = generated(0, 5, "  a red kite\n over the sea ")
    assert display_name(shot, None) == "a red kite over the sea"
    assert display_name(clip("cam", 0, 5, name="Opening"), tl.media["cam"]) == "Opening"
    assert display_name(clip("cam", 0, 5), tl.media["cam"]) == "cam.mp4"
    assert display_name(generated(0, 5, ""), None) == "Generated shot"


def test_a_generated_shot_is_named_by_its_prompt_not_its_file(window) -> None:
    _generated_with_takes(window)
    ins = window.inspector
    assert ins.name.text().startswith("a slow dolly shot along a windy beach")
    media = ins.facts["Media"]
    assert "3f9a" not in media.text() and "9a0c" not in media.text()
    assert media.text() == "generated take 2" and media.toolTip().endswith(".mp4")
    # nothing typed: leaving the Name field does not turn the prompt into a clip name
    ins.name.editingFinished.emit()
    assert window.timeline.find("g0")[1].name == "" and window.edits.stack.count() == 1


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QAbstractButton, QLabel, QLineEdit)) else ""
    return f"{type(widget).__name__} {widget.objectName() or text!r}"


def _cut_off(widget: QWidget, viewport: QWidget) -> str | None:
    """Why ``widget`` shows only part of itself in ``viewport`` (None when it shows whole)."""
    left = widget.mapTo(viewport, QPoint(0, 0)).x()
    if left < 0 or left + widget.width() > viewport.width():
        return f"runs out of the panel ({left}..{left + widget.width()} of {viewport.width()})"
    if isinstance(widget, QAbstractButton) and widget.width() < widget.sizeHint().width():
        return f"{widget.width()} px for a {widget.sizeHint().width()} px button"
    if isinstance(widget, QLabel) and not isinstance(widget, ElidedLabel) and widget.text():
        if widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()):
                return "wrapped text taller than its row"
        elif widget.width() < widget.sizeHint().width():
            return f"{widget.width()} px for {widget.sizeHint().width()} px of text"
    if isinstance(widget, QLineEdit) and widget.width() < widget.fontMetrics().horizontalAdvance("00:00:00:00 "):
        return "too narrow for a timecode"
    if isinstance(widget, QComboBox) and widget.width() < widget.minimumSizeHint().width():
        return "combo box narrower than its longest choice"
    return None


def test_nothing_in_the_inspector_is_cut_off_at_1600_px_with_the_queue_docked(themed, qtbot) -> None:
    w = MainWindow()
    w.ask_save_changes = lambda: "discard"
    qtbot.addWidget(w)
    w.resize(1600, 900)
    w.show()
    qtbot.waitExposed(w)
    w.show_queue_panel()
    _generated_with_takes(w)
    ins = w.inspector
    qtbot.waitUntil(lambda: "prompt changed" in ins.regenerate_button.text(), timeout=5000)
    qtbot.wait(50)   # let the layouts settle
    scroll = ins.parentWidget().parentWidget()
    viewport = ins.parentWidget()
    assert w.queue_dock.isVisible()
    assert scroll.width() >= Inspector.PANEL_MIN_WIDTH
    assert scroll.horizontalScrollBar().maximum() == 0      # no sideways scrolling to reach a field
    checked = [child for child in ins.findChildren(QWidget) if child.isVisibleTo(ins)
               and isinstance(child, (QAbstractButton, QLabel, QLineEdit, QComboBox))
               and child.parentWidget() in (ins, ins.form_box, ins.gen_box)]
    assert {ins.regenerate_button, ins.variations_button, ins.apply_prompt, ins.fit} <= set(checked)
    problems = {_describe(child): why for child in checked if (why := _cut_off(child, viewport))}
    assert problems == {}
    # the takes: thumbnail and both lines of each label inside the list
    takes = ins.takes
    assert takes.count() == 2
    for i in range(takes.count()):
        item = takes.item(i)
        text_width = max(takes.fontMetrics().horizontalAdvance(line) for line in item.text().splitlines())
        assert takes.iconSize().width() + text_width + 16 <= takes.viewport().width(), item.text()
    assert takes.item(1).text().startswith("Take 2  ▶ playing")


# --- 4. check boxes show in the dark theme whether ticked or not ------------------------------------------------


def _indicator_contrast(box: QCheckBox | QRadioButton) -> float:
    """The largest difference in brightness between a pixel of the box's indicator and the panel behind it."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(box, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    rect = box.style().subElementRect(element, option, box)
    image = box.grab().toImage()
    behind = QColor("#16171b").lightnessF()
    return max(abs(image.pixelColor(x, y).lightnessF() - behind)
               for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1))


def _indicator_colour(box: QWidget) -> tuple[int, int, int]:
    image = box.grab().toImage()
    centre = image.pixelColor(8, box.height() // 2)
    return centre.red(), centre.green(), centre.blue()


def test_check_boxes_and_radio_buttons_show_in_every_state(themed, qtbot) -> None:
    panel = QWidget()
    qtbot.addWidget(panel)
    layout = QVBoxLayout(panel)
    boxes = {}
    for kind in (QCheckBox, QRadioButton):
        for checked in (False, True):
            for enabled in (True, False):
                box = kind(f"{kind.__name__} {checked} {enabled}")
                box.setChecked(checked)
                box.setEnabled(enabled)
                layout.addWidget(box)
                boxes[kind, checked, enabled] = box
    panel.show()
    qtbot.waitExposed(panel)
    for (kind, checked, enabled), box in boxes.items():
        least = 0.25 if enabled else 0.12
        assert _indicator_contrast(box) >= least, (kind.__name__, checked, enabled)
        assert _indicator_colour(box) != _indicator_colour(boxes[kind, not checked, enabled])
    # hovering shows which box the click will tick
    box = boxes[QCheckBox, False, True]
    plain = box.grab().toImage()
    box.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    assert box.grab().toImage() != plain


def test_a_checkable_group_box_shows_its_box_unticked(themed, qtbot) -> None:
    group = QGroupBox("Memory levers")
    group.setCheckable(True)
    group.setChecked(False)
    QVBoxLayout(group).addWidget(QLabel("inside"))
    qtbot.addWidget(group)
    group.show()
    qtbot.waitExposed(group)
    image = group.grab().toImage()
    behind = QColor("#16171b").lightnessF()
    top_left = [abs(image.pixelColor(x, y).lightnessF() - behind) for x in range(0, 24) for y in range(0, 24)]
    assert max(top_left) >= 0.25


# --- 6. the Import dialog shows whole file names and remembers its folder ----------------------------------------


@pytest.fixture
def settings_folder(tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    return tmp_path


LONG_NAME = "C0042_2026-06-01_beach_sunset_drone_pass_slow_dolly_take3_graded_final_v2.mp4"


def test_the_import_dialog_shows_a_long_file_name_whole(qapp, qtbot, settings_folder) -> None:
    folder = settings_folder / "footage"
    folder.mkdir()
    for name in (LONG_NAME, "a.mp4", "notes.txt"):
        (folder / name).write_bytes(b"")
    dialog = files_dialog(None, "Import media", MEDIA_FILTER, key="import")
    qtbot.addWidget(dialog)
    dialog.setDirectory(str(folder))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.viewMode() == QFileDialog.ViewMode.Detail
    room = dialog.screen().availableGeometry()
    assert dialog.width() >= min(900, room.width() * 0.8) and dialog.height() >= min(560, room.height() * 0.8)
    view = dialog.findChild(QTreeView, "treeView")
    model = view.model()

    def long_row():
        root = view.rootIndex()
        return next((model.index(r, 0, root) for r in range(model.rowCount(root))
                     if model.index(r, 0, root).data() == LONG_NAME), None)

    qtbot.waitUntil(lambda: long_row() is not None, timeout=5000)
    index = long_row()
    needed = view.sizeHintForIndex(index).width()
    qtbot.waitUntil(lambda: view.columnWidth(0) >= needed, timeout=5000)
    assert view.visualRect(index).width() >= needed    # drawn whole, no "…"
    assert view.header().sectionResizeMode(0) == view.header().ResizeMode.Interactive   # still draggable


def test_choose_files_returns_the_choice_and_starts_there_next_time(qapp, qtbot, settings_folder) -> None:
    folder = settings_folder / "shoot"
    folder.mkdir()
    (folder / LONG_NAME).write_bytes(b"")
    first = files_dialog(None, "Import media", MEDIA_FILTER, key="import")
    assert Path(first.directory().absolutePath()) == Path.home()     # nothing remembered yet
    first.deleteLater()

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, pick)
            return
        dialog.setDirectory(str(folder))
        dialog.selectFile(str(folder / LONG_NAME))
        dialog.accept()

    QTimer.singleShot(0, pick)
    assert choose_files(None, "Import media", MEDIA_FILTER, key="import") == [str(folder / LONG_NAME)]
    again = files_dialog(None, "Import media", MEDIA_FILTER, key="import")
    assert os.path.samefile(again.directory().absolutePath(), folder)
    again.deleteLater()

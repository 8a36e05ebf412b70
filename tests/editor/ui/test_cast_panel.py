"""The cast list: add, edit and remove people and places (each one undo step), with their pictures; the card
editor's cast chips switch a member on a shot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from editor.storyboard.cards import cards

SHOTS_DIR = Path(os.environ.get("PROMPTCUT_SCREENSHOTS", "/tmp/i11/shots"))
SCRIPT = "Ana walks to the lighthouse.\nThe sea is calm.\nAna lights the lamp.\n"


@pytest.fixture
def picture(tmp_path) -> Path:
    path = tmp_path / "ana.png"
    image = QImage(64, 96, QImage.Format.Format_RGB32)
    image.fill(QColor("#d65a3a"))
    assert image.save(str(path))
    return path


def _cast(window):
    return window.timeline.story.cast


def test_add_edit_and_remove_a_cast_member_with_undo(window, picture):
    panel = window.show_cast().cast
    assert panel.add_member("Ana", str(picture), "a woman with short red hair")
    (ana,) = _cast(window)
    assert (ana.name, Path(ana.image).name, ana.description) == ("Ana", "ana.png", "a woman with short red hair")
    assert panel.list.count() == 1 and panel.list.item(0).text().startswith("Ana")
    assert panel.edit_member(ana.id, name="Ana", image=str(picture), description="in a yellow raincoat")
    assert _cast(window)[0].description == "in a yellow raincoat"
    assert panel.remove_member(ana.id)
    assert _cast(window) == () and panel.list.count() == 0
    window.edits.stack.undo()
    assert _cast(window)[0].description == "in a yellow raincoat"
    window.edits.stack.undo()
    window.edits.stack.undo()
    assert _cast(window) == () and panel.list.count() == 0


def test_the_cast_dialog_asks_for_a_name_and_a_picture_that_exists(window, picture, qtbot):
    panel = window.show_cast().cast
    dialog = panel.add_dialog()
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "name" in dialog.error.text()
    dialog.name.setText("Ana")
    dialog.image.setText(str(picture.with_name("missing.png")))
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "No picture" in dialog.error.text()
    dialog.image.setText(str(picture))
    dialog.description.setPlainText("a woman with short red hair")
    assert not dialog.preview.pixmap().isNull()
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    assert [m.name for m in _cast(window)] == ["Ana"]


def test_a_cast_chip_on_a_card_puts_the_member_in_the_shot(window, picture, qtbot, qapp):
    from editor.ui.app import stylesheet

    dialog = window.script_dialog()
    dialog.text.setPlainText(SCRIPT)
    assert dialog.create()
    panel = window.storyboard
    assert panel.cast.add_member("Ana", str(picture), "a woman with short red hair")
    (ana,) = _cast(window)
    second = panel.shot_ids()[1]
    panel.select_card(second)
    chip = panel.editor.cast_buttons[ana.id]
    assert not chip.isChecked()
    chip.click()
    card = next(c for c in cards(window.timeline) if c.shot.id == second)
    assert card.shot.cast == (ana.id,) and "short red hair" in card.clip.spec.prompt
    assert panel.card_view(second).cast == ("Ana",)
    qapp.setStyleSheet(stylesheet())
    try:
        panel.tabs.setCurrentWidget(panel.cast)
        qtbot.waitUntil(lambda: not window.timeline_view.art.busy(), timeout=5000)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        window.storyboard_dock.grab().save(str(SHOTS_DIR / "cast_panel.png"))
        dialog = panel.cast.add_dialog()
        dialog.name.setText("Lighthouse")
        dialog.description.setPlainText("a white lighthouse on black rocks")
        dialog.grab().save(str(SHOTS_DIR / "cast_dialog.png"))
        dialog.reject()
    finally:
        qapp.setStyleSheet("")


def test_a_picture_typed_relative_to_the_project_folder_is_kept_as_the_file_it_names(window, picture, monkeypatch):
    """The dialog finds "ana.png" next to the project; the member gets that file (an absolute path), not the
    text typed, which the edit would look for in whatever folder the program runs in."""
    panel = window.show_cast().cast
    panel.base_dir = picture.parent
    monkeypatch.chdir(picture.parent.parent)   # not the project folder
    dialog = panel.add_dialog()
    dialog.name.setText("Ana")
    dialog.image.setText("ana.png")
    dialog.buttons.accepted.emit()
    assert not dialog.isVisible()
    (ana,) = _cast(window)
    assert Path(ana.image).is_absolute() and Path(ana.image).samefile(picture)
    panel.list.setCurrentRow(0)
    dialog = panel.edit_dialog()
    dialog.image.setText("~nosuchuser-promptcut/ana.png")   # cannot even be looked up: said, not raised
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and "No picture" in dialog.error.text()
    dialog.reject()

"""New from script: the dialog previews the shots as the script is typed, names the line of an error, reads a
.txt file (cast pictures beside it), and Create storyboard lays the shots, speech and captions out in one
undo step with the options chosen."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from editor.storyboard.cards import cards

SHOTS_DIR = Path(os.environ.get("PROMPTCUT_SCREENSHOTS", "/tmp/i11/shots"))
SCRIPT = """@Ana: ana.png | a woman with short red hair and a yellow raincoat
# the opening
The storm had been building all afternoon. | dark clouds over a grey sea
Ana climbed the lighthouse stairs. [4s]
At the top, the lamp was dark.
She struck a match. | close-up of a match flaring
The beam swept out across the water.
Somewhere out there, a boat turned for home.
"""


def _script_file(tmp_path) -> Path:
    image = QImage(48, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("#3a66d6"))
    assert image.save(str(tmp_path / "ana.png"))
    path = tmp_path / "film.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_the_preview_follows_the_typing_and_names_the_line_of_an_error(window, qtbot):
    dialog = window.script_dialog()
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.text, "One shot.")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.text, "Another one [3s]")
    qtbot.waitUntil(lambda: dialog.preview.topLevelItemCount() == 2, timeout=3000)
    assert dialog.create_button.isEnabled()
    assert dialog.preview.topLevelItem(1).text(1) == "3.0 s fixed"
    assert dialog.summary.text().startswith("2 shots")
    dialog.text.setPlainText("Fine.\nToo short [0s]\n")
    dialog.update_preview()
    assert dialog.error.isVisibleTo(dialog) and "line 2" in dialog.error.text()
    assert not dialog.create_button.isEnabled() and dialog.preview.topLevelItemCount() == 0
    assert not dialog.create()
    assert window.edits.stack.count() == 0


def test_a_script_file_makes_a_storyboard_with_its_cast_in_one_step(window, tmp_path, qapp):
    from editor.ui.app import stylesheet

    dialog = window.script_dialog()
    assert dialog.open_file(_script_file(tmp_path))
    assert dialog.preview.topLevelItemCount() == 6 and "Ana" in dialog.summary.text()
    dialog.style_edit.setText("cinematic, 35 mm film")
    dialog.voice.setCurrentIndex(dialog.voice.findData("espeak-ng:en-gb"))
    qapp.setStyleSheet(stylesheet())
    try:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS_DIR / "script_dialog.png"))
    finally:
        qapp.setStyleSheet("")
    assert dialog.create()
    tl = window.timeline
    board = tl.story.storyboard
    assert board is not None and board.style == "cinematic, 35 mm film" and board.voice == "espeak-ng:en-gb"
    assert [m.name for m in tl.story.cast] == ["Ana"]
    found = cards(tl)
    assert len(found) == 6 and found[1].seconds == 4
    assert all(c.speech is not None and c.speech.start == c.start for c in found)
    assert all(c.caption is not None and c.caption.text == c.shot.narration for c in found)
    assert [m.name for m in found[1].cast] == ["Ana"]
    assert window.storyboard.list.count() == 6
    window.edits.stack.undo()
    assert tl.story.storyboard is None and window.storyboard.list.count() == 0
    tl.check()


def test_without_captions_no_caption_track_is_made(window):
    dialog = window.script_dialog()
    dialog.text.setPlainText("One.\nTwo.\nThree.\n")
    dialog.captions.setChecked(False)
    assert dialog.create()
    assert not any(t.captions for t in window.timeline.video_tracks)
    assert all(c.caption is None for c in cards(window.timeline))


def test_new_from_script_starts_a_new_document_when_this_one_has_clips(window):
    dialog = window.script_dialog()
    dialog.text.setPlainText("One.\nTwo.\n")
    assert dialog.create()
    first = window.timeline
    dialog = window.new_from_script()
    assert dialog is not None and window.timeline is not first and not any(t.clips for t in window.timeline.tracks)
    dialog.text.setPlainText("Three.\nFour.\nFive.\n")
    assert dialog.create()
    assert len(cards(window.timeline)) == 3


def test_the_example_script_previews_without_errors(window):
    dialog = window.script_dialog()
    from editor.ui.script_dialog import EXAMPLE

    dialog.text.setPlainText(EXAMPLE)
    dialog.update_preview()
    assert not dialog.error.text() and dialog.preview.topLevelItemCount() == 6


def test_adding_lines_to_a_storyboard_starts_from_its_style_voice_and_keeps_its_seed(window):
    from editor.model.commands.story import set_storyboard

    first = window.script_dialog()
    first.text.setPlainText("A cat sleeps on the step.\n")
    first.update_preview()
    first.style_edit.setText("noir film")
    first.voice.setCurrentIndex(first.voice.findData("espeak-ng:en-gb"))
    assert first.create()
    tl = window.timeline
    from dataclasses import replace

    assert window.edits.do(set_storyboard(tl, replace(tl.story.storyboard, seed=7, chain=True)))
    again = window.script_dialog()
    assert again.style_edit.text() == "noir film" and again.voice.currentData() == "espeak-ng:en-gb"
    again.text.setPlainText("The rain starts.\n")
    again.update_preview()
    assert again.create()
    board = tl.story.storyboard
    assert (board.style, board.voice, board.seed, board.chain) == ("noir film", "espeak-ng:en-gb", 7, True)
    assert len(board.shots) == 2

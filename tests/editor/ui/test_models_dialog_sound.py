"""Sound models in the window: the Models dialog's "Voices & sound" tab lists voices, sound generators and
speech-to-text models with their state, size and licence and downloads them like video models (progress,
cancel, licence acceptance, one-line errors, nothing half-written left); the voice lists of the storyboard and
the script dialog offer a voice's download instead of setting a voice that cannot speak."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import editor.ui.models_dialog_sound as models_dialog_sound
from editor.generate.catalog import ModelError
from editor.storyboard.cards import cards
from editor.ui.model_downloads import sound_models_notifier
from editor.ui.models_dialog import ACCEPT_TEXT, SOUND_TAB, ModelsDialog
from editor.ui.models_dialog_sound import (
    BUILT_IN,
    RESTRICTED_MARK,
    S_KIND,
    S_LICENCE,
    S_NAME,
    S_SIZE,
    S_STATE,
)
from generation.audio.models import audio_models

SHOTS_DIR = Path(os.environ.get("PROMPTCUT_SCREENSHOTS", "/tmp/i11/shots"))
KOKORO = "kokoro-82m:af_heart"


@pytest.fixture(autouse=True)
def empty_machine(tmp_path, monkeypatch):
    """Own config, models folder and hub cache, and no hub: nothing installed elsewhere shows here."""
    import huggingface_hub.constants

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PROMPTCUT_SHOT_TIMES", str(tmp_path / "shot_times.json"))
    return tmp_path / "models"


@pytest.fixture
def hub(empty_machine, monkeypatch):
    """The hub's side of a download (the network is the edge): writes the model's marker into its folder, as a
    finished snapshot does. ``hold`` keeps it sending chunks until cancelled; ``fail`` makes it refuse."""

    class Hub:
        calls: list[str] = []
        hold = False
        fail: str | None = None
        release = threading.Event()

    def download(model_id, *, models_root=None, progress=None):
        from generation.audio.models import get_audio_model

        Hub.calls.append(model_id)
        if Hub.fail:
            raise ModelError(Hub.fail)
        folder = Path(models_root or empty_machine) / model_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "part.incomplete").write_bytes(b"\0" * 1024)
        progress(1024, 4096, 2.0)
        while Hub.hold and not Hub.release.wait(0.02):
            progress(2048, 4096, 1.0)   # raises once the person cancelled
        (folder / "part.incomplete").unlink()
        (folder / get_audio_model(model_id).marker).write_text("{}")
        return folder

    monkeypatch.setattr(models_dialog_sound, "download_audio_model", download)
    yield Hub
    Hub.release.set()


def _dialog(qtbot, parent=None) -> ModelsDialog:
    dialog = ModelsDialog(parent, gpu=False, device="cpu")
    if parent is None:
        qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(SOUND_TAB)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _text(dialog: ModelsDialog, model_id: str, col: int) -> str:
    return dialog.sound.table.item(dialog.sound.row_of(model_id), col).text()


def _click_download(qtbot, dialog: ModelsDialog, model_id: str) -> None:
    dialog.sound.select(model_id)
    button = dialog.sound.cells[model_id].button
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _answer_box(qtbot, button_text: str, seen: list[str], shot: str = "") -> None:
    """Click ``button_text`` in the next message box once it is up (it runs a modal loop); ``shot``: save a
    screenshot of it first."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        if shot:
            _save(box, shot)
        button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, answer)


def _save(widget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS_DIR / name))


# -- the tab ---------------------------------------------------------------------------------------------------------

def test_an_empty_models_folder_lists_every_sound_model_not_installed_but_the_built_in_voice(qtbot):
    dialog = _dialog(qtbot)
    listed = [dialog.sound.table.item(r, S_NAME).data(Qt.ItemDataRole.UserRole)
              for r in range(dialog.sound.table.rowCount())]
    assert sorted(listed) == sorted(m.id for m in audio_models(include_test=False))
    assert not any(m.startswith("tiny-") for m in listed)   # test models are hidden
    assert _text(dialog, "espeak-ng", S_STATE) == BUILT_IN
    assert dialog.sound.cells["espeak-ng"].currentWidget() is dialog.sound.cells["espeak-ng"].label
    assert dialog.sound.cells["espeak-ng"].label.text() == BUILT_IN
    kinds = {m: _text(dialog, m, S_KIND) for m in ("kokoro-82m", "stable-audio-open-1.0", "whisper-small")}
    assert kinds == {"kokoro-82m": "voice", "stable-audio-open-1.0": "sound", "whisper-small": "speech-to-text"}
    for model in audio_models(include_test=False):
        if model.builtin:
            continue
        assert _text(dialog, model.id, S_STATE) == "not installed"
        assert _text(dialog, model.id, S_SIZE) == f"~{model.size_gb:g} GB download"
        assert (RESTRICTED_MARK in _text(dialog, model.id, S_LICENCE)) == model.license_restricted
        cell = dialog.sound.cells[model.id]
        assert cell.currentWidget() is cell.button and cell.button.text() == "Download"
    assert RESTRICTED_MARK in _text(dialog, "stable-audio-open-1.0", S_LICENCE)


def test_a_folder_with_the_models_marker_file_shows_it_installed(qtbot, empty_machine, tmp_path):
    (empty_machine / "whisper-base").mkdir(parents=True)
    (empty_machine / "whisper-base" / "config.json").write_text("{}")
    dialog = _dialog(qtbot)
    assert _text(dialog, "whisper-base", S_STATE) == "installed"
    assert _text(dialog, "whisper-base", S_SIZE) == "2 B on disk"
    assert dialog.sound.cells["whisper-base"].label.text() == "ready"
    # a models folder picked in the dialog is where it looks (the worker looks there too)
    other = tmp_path / "weights"
    (other / "Kokoro-82M").mkdir(parents=True)   # the repo's own name counts as well as the model id
    (other / "Kokoro-82M" / "config.json").write_text("{}")
    dialog.ask_folder = lambda: str(other)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert _text(dialog, "kokoro-82m", S_STATE) == "installed"
    assert _text(dialog, "whisper-base", S_STATE) == "not installed"


def test_a_download_without_network_shows_one_line_and_leaves_no_folder(qtbot, empty_machine):
    dialog = _dialog(qtbot)   # the real download: HF_HUB_OFFLINE is set
    with qtbot.waitSignal(dialog.download_finished, timeout=30_000) as blocker:
        _click_download(qtbot, dialog, "whisper-small")
    assert blocker.args == ["whisper-small", False]
    message = dialog.status.text()
    assert message == dialog.last_error and "whisper-small" in message and "HF_HUB_OFFLINE" in message
    assert "\n" not in message and "Traceback" not in message
    assert _text(dialog, "whisper-small", S_STATE) == "download failed"
    cell = dialog.sound.cells["whisper-small"]
    assert cell.currentWidget() is cell.button and cell.button.text() == "Retry" and cell.toolTip() == message
    assert not (empty_machine / "whisper-small").exists()


def test_a_download_shows_progress_then_installed_and_tells_the_voice_lists(qtbot, hub, empty_machine):
    heard = []
    sound_models_notifier().changed.connect(lambda: heard.append(True))
    hub.hold = True
    dialog = _dialog(qtbot)
    _click_download(qtbot, dialog, "kokoro-82m")
    bar = dialog.sound.cells["kokoro-82m"].bar
    qtbot.waitUntil(lambda: bar.maximum() == 1000 and bar.value() >= 250, timeout=5000)
    assert _text(dialog, "kokoro-82m", S_STATE) == "downloading…"
    assert dialog.downloading() == ["kokoro-82m"]
    _save(dialog, "h8_sound_downloading.png")
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000) as blocker:
        hub.release.set()
    assert blocker.args == ["kokoro-82m", True]
    assert _text(dialog, "kokoro-82m", S_STATE) == "installed"
    assert dialog.sound.cells["kokoro-82m"].label.text() == "ready"
    assert (empty_machine / "kokoro-82m" / "config.json").is_file() and heard


def test_cancel_stops_the_download_and_removes_what_it_fetched(qtbot, hub, empty_machine):
    hub.hold = True
    dialog = _dialog(qtbot)
    _click_download(qtbot, dialog, "whisper-large-v3-turbo")
    cell = dialog.sound.cells["whisper-large-v3-turbo"]
    qtbot.waitUntil(lambda: cell.bar.maximum() == 1000, timeout=5000)
    assert (empty_machine / "whisper-large-v3-turbo" / "part.incomplete").exists()
    assert cell.cancel_button.isVisible()
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000) as blocker:
        qtbot.mouseClick(cell.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["whisper-large-v3-turbo", False]
    assert not (empty_machine / "whisper-large-v3-turbo").exists()
    assert _text(dialog, "whisper-large-v3-turbo", S_STATE) == "cancelled"
    assert cell.currentWidget() is cell.button and cell.button.text() == "Download"
    assert "cancelled" in dialog.status.text() and dialog.downloading() == []


def test_a_restricted_sound_model_downloads_only_after_i_accept(qtbot, hub):
    hub.fail = "cannot download stable-audio-open-1.0: offline in this test"
    dialog = _dialog(qtbot)
    seen: list[str] = []
    _answer_box(qtbot, "Cancel", seen, shot="h8_licence_question.png")
    _click_download(qtbot, dialog, "stable-audio-open-1.0")
    assert len(seen) == 1 and "Stability AI Community License" in seen[0] and "LICENSE.md" in seen[0]
    qtbot.wait(50)
    assert hub.calls == [] and "licence was not accepted" in dialog.status.text()
    _answer_box(qtbot, ACCEPT_TEXT, seen)
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, "stable-audio-open-1.0")
    assert hub.calls == ["stable-audio-open-1.0"] and len(seen) == 2
    assert dialog.status.text() == hub.fail


def test_screenshot_of_the_sound_tab(qtbot, empty_machine):
    from editor.ui.app import stylesheet

    (empty_machine / "whisper-base").mkdir(parents=True)
    (empty_machine / "whisper-base" / "config.json").write_text("{}")
    app = QApplication.instance()
    app.setStyleSheet(stylesheet())
    try:
        dialog = _dialog(qtbot)
        dialog.resize(1400, 720)
        dialog.show_model("kokoro-82m")
        qtbot.wait(50)
        _save(dialog, "h8_sound_tab.png")
        dialog.tabs.setCurrentIndex(0)
        qtbot.wait(50)
        _save(dialog, "h8_video_tab.png")
    finally:
        app.setStyleSheet("")


# -- voice lists ----------------------------------------------------------------------------------------------------

def _choose(combo, key: str) -> None:
    """Pick ``key`` as a person does (the combo says ``activated``)."""
    index = combo.findData(key)
    assert index >= 0, key
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _storyboard(window):
    dialog = window.script_dialog()
    dialog.text.setPlainText("The storm had been building all afternoon.\nAna climbed the stairs.\n")
    dialog.update_preview()
    assert dialog.create(), dialog.error.text()
    return window.storyboard


def test_a_voice_to_download_is_offered_not_set_on_the_line(window, qtbot, hub):
    panel = _storyboard(window)
    shot_id = panel.shot_ids()[0]
    panel.select_card(shot_id)
    editor = panel.editor
    combo = editor.voice.voice
    assert "(needs download)" in combo.itemText(combo.findData(KOKORO))
    asked = []
    editor.voice_downloads.ask = lambda info, voice: asked.append((info.id, voice.id)) or False
    _choose(combo, KOKORO)
    assert asked == [("kokoro-82m", "af_heart")]
    assert combo.currentData() == "" and cards(window.timeline)[0].speech.spec.voice == ""   # nothing set
    assert editor.voice_downloads.dialog is None and hub.calls == []

    editor.voice_downloads.ask = lambda info, voice: True
    with qtbot.waitSignal(editor.voice_downloads.ready, timeout=10_000):
        _choose(combo, KOKORO)
        models = editor.voice_downloads.dialog
        assert models.isVisible() and models.tabs.currentIndex() == SOUND_TAB
        assert models.sound.table.currentRow() == models.sound.row_of("kokoro-82m")
    assert hub.calls == ["kokoro-82m"]
    assert cards(window.timeline)[0].speech.spec.voice == KOKORO   # set once the voice is here
    assert combo.currentData() == KOKORO and "(needs download)" not in combo.currentText()
    # the board's list heard it too
    board = panel.board.voice
    assert "(needs download)" not in board.itemText(board.findData(KOKORO))
    models.close()


def test_the_board_voice_waits_for_its_download(window, qtbot, hub):
    panel = _storyboard(window)
    board = panel.board
    board.voice_downloads.ask = lambda info, voice: False
    _choose(board.voice, KOKORO)
    assert window.timeline.story.storyboard.voice == "" and board.voice.currentData() == ""
    board.voice_downloads.ask = lambda info, voice: True
    with qtbot.waitSignal(board.voice_downloads.ready, timeout=10_000):
        _choose(board.voice, KOKORO)
    assert window.timeline.story.storyboard.voice == KOKORO
    assert "(needs download)" not in board.voice.currentText()
    window.show_storyboard("Board")
    qtbot.wait(20)
    _save(panel, "h8_board_voice.png")
    board.voice_downloads.dialog.close()


def test_the_script_dialog_voice_is_chosen_once_downloaded_and_a_failed_download_keeps_the_old_one(
        window, qtbot, hub):
    dialog = window.script_dialog()
    _choose(dialog.voice, "espeak-ng:en-gb")   # built in: chosen at once, nothing asked
    assert dialog.voice_downloads.dialog is None
    hub.fail = "cannot download kokoro-82m: offline in this test"
    dialog.voice_downloads.ask = lambda info, voice: True
    _choose(dialog.voice, KOKORO)
    models = dialog.voice_downloads.dialog
    with qtbot.waitSignal(models.download_finished, timeout=10_000):
        pass
    assert dialog.voice.currentData() == "espeak-ng:en-gb" and models.status.text() == hub.fail
    _save(models, "h8_voice_download_failed.png")
    models.close()
    hub.fail = None
    with qtbot.waitSignal(dialog.voice_downloads.ready, timeout=10_000):
        _choose(dialog.voice, KOKORO)
    assert dialog.voice.currentData() == KOKORO
    dialog.voice_downloads.dialog.close()
    _save(dialog, "h8_script_voice.png")


def test_the_question_names_the_model_its_size_and_licence(window, qtbot, hub):
    dialog = window.script_dialog()
    seen: list[str] = []
    _answer_box(qtbot, "Cancel", seen, shot="h8_voice_question.png")
    _choose(dialog.voice, KOKORO)
    assert len(seen) == 1 and "Kokoro 82M" in seen[0] and "0.33 GB" in seen[0] and "Apache-2.0" in seen[0]
    assert dialog.voice.currentData() == "" and hub.calls == []

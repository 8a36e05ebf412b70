"""The Models dialog with real widgets and real clicks: listing, downloading without network, preferences."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

import editor.ui.models_dialog as models_dialog
from editor.generate.catalog import ModelError
from editor.generate.preferences import GenerationPreferences, load_preferences, preferences_path
from editor.ui.models_dialog import TEST_MODEL_LABEL, ModelsDialog

REAL = "wan2.1-t2v-1.3b"


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    """Own config, models and hub-cache folders: nothing another test installed shows here."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("PROMPTCUT_SHOT_TIMES", str(tmp_path / "shot_times.json"))
    return tmp_path / "config"


def fake_install(root: Path, model_id: str) -> Path:
    """A folder that passes the completeness check (names only: nothing loads it here)."""
    folder = root / model_id
    (folder / "transformer").mkdir(parents=True)
    (folder / "scheduler").mkdir()
    (folder / "model_index.json").write_text(json.dumps({
        "_class_name": "WanPipeline", "transformer": ["diffusers", "WanTransformer3DModel"],
        "scheduler": ["diffusers", "UniPCMultistepScheduler"]}))
    (folder / "transformer" / "diffusion_pytorch_model.safetensors").write_bytes(b"\0" * 2048)
    (folder / "scheduler" / "scheduler_config.json").write_text("{}")
    return folder


def _dialog(qtbot, **kwargs) -> ModelsDialog:
    dialog = ModelsDialog(**kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _row(dialog: ModelsDialog, model_id: str) -> int:
    for r in range(dialog.table.rowCount()):
        if dialog.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == model_id:
            return r
    raise AssertionError(f"{model_id} not listed")


def _click_download(qtbot, dialog: ModelsDialog, model_id: str) -> None:
    r = _row(dialog, model_id)
    dialog.table.scrollToItem(dialog.table.item(r, 0))
    button = dialog._cells[model_id].button
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _ticker(qtbot):
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    return timer, ticks


def test_lists_registry_models_with_test_models_labelled(qtbot):
    dialog = _dialog(qtbot)
    r = _row(dialog, "tiny-wan")
    name = dialog.table.item(r, 0).text()
    assert TEST_MODEL_LABEL in name and "test model (makes noise)" in name
    assert "text-to-video" in dialog.table.item(r, 1).text()
    real = _row(dialog, REAL)
    assert TEST_MODEL_LABEL not in dialog.table.item(real, 0).text()
    assert dialog.table.item(real, 2).text() == "not installed"
    assert "GB download" in dialog.table.item(real, 3).text()
    assert "GB" in dialog.table.item(real, 4).text()
    flf = _row(dialog, "wan2.1-flf2v-14b-720p")
    assert "first+last frame" in dialog.table.item(flf, 1).text()
    # only real models that are missing get a Download button
    assert dialog._cells[REAL].currentWidget() is dialog._cells[REAL].button
    assert dialog._cells["tiny-wan"].currentWidget() is not dialog._cells["tiny-wan"].button


def test_note_says_what_generation_needs(qtbot):
    no_gpu = _dialog(qtbot, gpu=False)
    assert no_gpu.note.isVisible()
    assert "No NVIDIA GPU found" in no_gpu.note.text() and "test models only" in no_gpu.note.text()
    gpu = _dialog(qtbot, gpu=True)   # a GPU but no real model installed in the hermetic folders
    assert gpu.note.isVisible()
    assert "No NVIDIA GPU" not in gpu.note.text() and "No real video model is installed" in gpu.note.text()


def test_download_without_network_shows_one_line_error_and_stays_responsive(qtbot):
    dialog = _dialog(qtbot)
    timer, ticks = _ticker(qtbot)
    with qtbot.waitSignal(dialog.download_finished, timeout=30_000) as blocker:
        _click_download(qtbot, dialog, REAL)
    timer.stop()
    assert blocker.args == [REAL, False]
    message = dialog.status.text()
    assert message == dialog.last_error
    assert REAL in message and "HF_HUB_OFFLINE" in message
    assert "\n" not in message and "Traceback" not in message
    r = _row(dialog, REAL)
    assert dialog.table.item(r, 2).text() == "download failed"
    cell = dialog._cells[REAL]
    assert cell.currentWidget() is cell.button and cell.button.text() == "Retry"
    assert cell.toolTip() == message
    assert ticks   # the event loop ran while the download was tried


def test_slow_download_shows_progress_and_keeps_the_gui_ticking(qtbot, monkeypatch):
    release = threading.Event()
    calls = []

    def slow_download(model_id, *, progress=None, models_root=None):
        calls.append((model_id, models_root))
        progress(250, 1000, 3.0)
        release.wait(10)
        raise ModelError(f"cannot download {model_id}: no connection to the Hugging Face hub (no network)")

    monkeypatch.setattr(models_dialog, "download_model", slow_download)
    dialog = _dialog(qtbot)
    timer, ticks = _ticker(qtbot)
    _click_download(qtbot, dialog, REAL)
    bar = dialog._cells[REAL].bar
    qtbot.waitUntil(lambda: bar.maximum() == 1000 and bar.value() == 250, timeout=5000)
    assert dialog._cells[REAL].currentWidget() is bar
    assert dialog.downloading() == [REAL]
    before = len(ticks)
    qtbot.wait(200)   # the download is still blocked; the timer keeps firing in the GUI thread
    assert len(ticks) - before >= 2
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        release.set()
    timer.stop()
    assert calls == [(REAL, None)]
    assert dialog.status.text() == f"cannot download {REAL}: no connection to the Hugging Face hub (no network)"
    assert dialog.downloading() == []


def test_unexpected_error_is_one_line_too(qtbot, monkeypatch):
    def broken(model_id, *, progress=None, models_root=None):
        raise RuntimeError("boom\nTraceback (most recent call last): ...")

    monkeypatch.setattr(models_dialog, "download_model", broken)
    dialog = _dialog(qtbot)
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, REAL)
    assert dialog.status.text() == f"cannot download {REAL}: boom"


def test_folder_picker_updates_the_preference_and_downloads_go_there(qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    folder.mkdir()
    dialog = _dialog(qtbot)
    dialog.ask_folder = lambda: str(folder)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert dialog.preferences().models_dir == str(folder)
    assert dialog.folder_edit.text() == str(folder)

    seen = []
    monkeypatch.setattr(models_dialog, "download_model",
                        lambda model_id, *, progress=None, models_root=None: seen.append(models_root) or
                        (_ for _ in ()).throw(ModelError("offline")))
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, REAL)
    assert seen == [str(folder)]

    dialog.ask_folder = lambda: None   # cancelled: nothing changes
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert dialog.preferences().models_dir == str(folder)
    qtbot.mouseClick(dialog.folder_reset, Qt.MouseButton.LeftButton)
    assert dialog.preferences().models_dir is None


def test_ok_persists_and_load_reads_it_back(qtbot, tmp_path):
    dialog = _dialog(qtbot)
    dialog.ask_folder = lambda: str(tmp_path)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("tiny-wan"))
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    dialog.precision_combo.setCurrentIndex(dialog.precision_combo.findData("fp32"))
    dialog.offload_combo.setCurrentIndex(dialog.offload_combo.findData("group"))
    dialog.tiling_combo.setCurrentIndex(2)   # Off
    with qtbot.waitSignal(dialog.preferences_saved):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == ModelsDialog.DialogCode.Accepted
    expected = GenerationPreferences(default_model="tiny-wan", models_dir=str(tmp_path), device="cpu",
                                     precision="fp32", offload="group", vae_tiling=False)
    assert load_preferences() == expected
    # a new dialog starts from what was saved
    again = _dialog(qtbot)
    assert again.preferences() == expected


def test_cancel_does_not_save(qtbot):
    dialog = _dialog(qtbot)
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cuda"))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert not preferences_path().exists()


def test_default_model_list_puts_installed_first(qtbot):
    dialog = _dialog(qtbot)
    ids = [dialog.model_combo.itemData(i) for i in range(dialog.model_combo.count())]
    assert ids[0] is None   # automatic
    tests = [i for i, mid in enumerate(ids) if mid and mid.startswith("tiny-")]
    assert ids.index(REAL) > max(tests)   # not installed: after the usable ones
    assert "(not installed)" in dialog.model_combo.itemText(ids.index(REAL))
    assert TEST_MODEL_LABEL in dialog.model_combo.itemText(ids.index("tiny-wan"))


def test_corrupt_preferences_give_defaults_and_a_warning(qtbot):
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text("{ this is not json")
    prefs = load_preferences()
    assert prefs == GenerationPreferences() and prefs.warning
    dialog = _dialog(qtbot)
    assert dialog.preferences() == GenerationPreferences()
    assert dialog.status.text() == prefs.warning
    assert "\n" not in dialog.status.text()
    # OK writes a good file over the corrupt one
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert json.loads(path.read_text())["device"] == "auto"
    assert load_preferences().warning is None


def test_a_folder_with_a_real_model_lists_it_installed_and_first(qtbot, tmp_path):
    folder = tmp_path / "weights"
    fake_install(folder, "ltx-video-0.9.5")
    dialog = _dialog(qtbot, gpu=True)
    assert "No real video model" in dialog.note.text()
    dialog.ask_folder = lambda: str(folder)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    r = _row(dialog, "ltx-video-0.9.5")
    assert dialog.table.item(r, 2).text() == "installed"
    assert "KB on disk" in dialog.table.item(r, 3).text()
    assert dialog._cells["ltx-video-0.9.5"].currentWidget() is not dialog._cells["ltx-video-0.9.5"].button
    assert dialog.model_combo.itemData(1) == "ltx-video-0.9.5"   # installed first, after "automatic"
    assert not dialog.note.isVisible()   # a GPU and a real model: nothing to say


# -- licences, abilities, shot times --------------------------------------------------------------------------------

H100 = "NVIDIA H100 80GB HBM3"


@pytest.fixture
def gated(monkeypatch):
    """The registry's restricted model if it has one, else a gated copy of a real entry added to the rows."""
    import dataclasses

    from editor.generate.catalog import ModelRow, model_rows
    from generation.models import get_model, list_models

    model = next((m for m in list_models() if m.license_restricted), None)
    if model is None:
        model = dataclasses.replace(get_model(REAL), id="gated-test", display_name="Gated Test",
                                    license="Community Licence", license_restricted=True,
                                    license_terms="No use by services above 1M monthly users.",
                                    license_url="https://example.invalid/licence")
        monkeypatch.setattr(models_dialog, "model_rows",
                            lambda: [*model_rows(), ModelRow(model, False, None, None)])
    return model


@pytest.fixture
def downloads(monkeypatch):
    calls: list[str] = []

    def fake_download(model_id, *, progress=None, models_root=None):
        calls.append(model_id)
        raise ModelError(f"cannot download {model_id}: offline in this test")

    monkeypatch.setattr(models_dialog, "download_model", fake_download)
    return calls


def _answer_licence(qtbot, accept: bool, seen: list[str]) -> None:
    """Click the licence question's button once it is up (it runs a modal loop)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        wanted = models_dialog.ACCEPT_TEXT if accept else "Cancel"
        button = next(b for b in box.buttons() if b.text().replace("&", "") == wanted)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, answer)


def test_every_family_shows_abilities_licence_and_shot_times(qtbot):
    from generation.models import list_models

    dialog = _dialog(qtbot, device="cpu")
    assert models_dialog.COLUMNS[models_dialog.COL_TIME] == "Time per 5 s shot"
    for model in list_models():
        r = _row(dialog, model.id)
        abilities = dialog.table.item(r, models_dialog.COL_ABILITIES).text()
        assert (models_dialog.MAKES_SOUND in abilities) == model.makes_audio
        assert (models_dialog.ANY_LENGTH in abilities) == model.unbounded
        licence = dialog.table.item(r, models_dialog.COL_LICENCE)
        assert (models_dialog.RESTRICTED_MARK in licence.text()) == model.license_restricted
        times = dialog.table.item(r, models_dialog.COL_TIME).text().splitlines()
        assert [t.split(":")[0] for t in times] == ["Draft", "Standard", "Final"]
        assert all(t.endswith("not measured yet") for t in times)   # a fresh machine on the CPU
        assert "steps" in dialog.table.item(r, models_dialog.COL_TIME).toolTip()


def test_measured_times_are_plain_and_published_ones_marked(qtbot):
    from generation import timings

    timings.record(H100, REAL, "draft", seconds_per_step=0.5, steps_per_5s=8, fixed_s=2.0)
    dialog = _dialog(qtbot, device=H100)
    assert H100 in dialog.device_label.text()
    times = dialog.table.item(_row(dialog, REAL), models_dialog.COL_TIME).text().splitlines()
    assert times[0] == "Draft: 6 s"
    assert times[1] == "Standard: not measured yet"
    assert times[2].startswith("Final: ~") and "published" in times[2]


def test_restricted_licence_declined_downloads_nothing(qtbot, gated, downloads):
    dialog = _dialog(qtbot, device="cpu")
    r = _row(dialog, gated.id)
    licence = dialog.table.item(r, models_dialog.COL_LICENCE)
    assert models_dialog.RESTRICTED_MARK in licence.text() and gated.license_terms in licence.toolTip()
    seen: list[str] = []
    _answer_licence(qtbot, accept=False, seen=seen)
    _click_download(qtbot, dialog, gated.id)
    assert len(seen) == 1 and gated.license_terms in seen[0]
    qtbot.wait(100)
    assert downloads == [] and dialog.downloading() == []
    assert "licence was not accepted" in dialog.status.text()
    assert dialog._cells[gated.id].currentWidget() is dialog._cells[gated.id].button


def test_restricted_licence_accepted_downloads_and_is_not_asked_again(qtbot, gated, downloads):
    dialog = _dialog(qtbot, device="cpu")
    seen: list[str] = []
    _answer_licence(qtbot, accept=True, seen=seen)
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, gated.id)
    assert downloads == [gated.id] and len(seen) == 1
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, gated.id)   # Retry: accepted once is enough in this dialog
    assert downloads == [gated.id, gated.id] and len(seen) == 1


def test_an_open_licence_downloads_without_asking(qtbot, downloads, monkeypatch):
    monkeypatch.setattr(ModelsDialog, "confirm_licence", lambda self, model: pytest.fail("asked"))
    dialog = _dialog(qtbot, device="cpu")
    with qtbot.waitSignal(dialog.download_finished, timeout=10_000):
        _click_download(qtbot, dialog, REAL)
    assert downloads == [REAL]


def test_screenshot(qtbot, gated, tmp_path):
    from generation import timings

    timings.record(H100, REAL, "draft", seconds_per_step=0.5, steps_per_5s=8, fixed_s=2.0)
    dialog = _dialog(qtbot, device=H100, gpu=True)
    dialog.resize(1500, 900)
    qtbot.wait(50)
    dialog.table.scrollToItem(dialog.table.item(_row(dialog, gated.id), 0))
    qtbot.wait(50)
    out = Path(os.environ.get("PROMPTCUT_SCREENSHOT_DIR", tmp_path)) / "models_dialog.png"
    assert dialog.grab().save(str(out)) and out.stat().st_size > 0

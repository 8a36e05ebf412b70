"""First-run generation setup with real widgets and real file copies: a fake model index built from the real
tiny-wan folder (editor.setup.index.write_index), served from a folder or by an http server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import filecmp
import shutil
import socket
import time
from pathlib import Path

import pytest
from mirror_server import serving
from PySide6.QtCore import Qt, QTimer
from ui_support import OpenedUrls

from editor.generate.catalog import _human
from editor.generate.preferences import load_preferences
from editor.gpus import Gpu
from editor.setup.first_run import record_setup, setup_state
from editor.setup.index import write_index
from editor.ui.models_dialog import ModelsDialog
from editor.ui.setup_download import INSTALLED, PAUSED
from editor.ui.setup_pages import NO_GPU_TEXT
from editor.ui.setup_wizard import DOWNLOAD_PAGE, GPU_PAGE, MODELS_PAGE, TEST_PAGE, SetupWizard
from editor.ui.welcome import WelcomeDialog

TINY = "tiny-wan"
REAL = "wan2.1-t2v-1.3b"                 # served with tiny-wan's files: a real registry id, real bytes
RESTRICTED = "skyreels-v2-df-1.3b-540p"  # a restricted licence, same files
RTX_4090 = Gpu("NVIDIA GeForce RTX 4090", 24564 * 2**20, "550.54")
PADDING = "padding.bin"                  # a big file beside the weights, so a pause lands inside a file
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory) -> Path:
    from generation.testing import ensure_test_model

    return ensure_test_model(TINY, tmp_path_factory.mktemp("tiny source"))


@pytest.fixture(autouse=True)
def own_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("PROMPTCUT_RECOVERY", str(tmp_path / "recovery"))
    monkeypatch.setenv("PROMPTCUT_SHOT_TIMES", str(tmp_path / "shot_times.json"))
    monkeypatch.delenv("PROMPTCUT_MODEL_INDEX", raising=False)


@pytest.fixture
def models_root(tmp_path) -> Path:
    return tmp_path / "models"


def make_mirror(folder: Path, tiny_folder: Path, ids=(TINY,), padding: int = 0) -> Path:
    """``folder/index.json`` listing ``ids``, each a copy of the tiny-wan folder (plus ``padding`` bytes)."""
    for model_id in ids:
        shutil.copytree(tiny_folder, folder / model_id)
        if padding:
            (folder / model_id / PADDING).write_bytes(bytes(range(256)) * (padding // 256))
    write_index(folder)
    return folder


@pytest.fixture
def mirror(tmp_path, tiny_folder) -> Path:
    return make_mirror(tmp_path / "mirror", tiny_folder, (TINY, REAL, RESTRICTED))


@pytest.fixture
def serve():
    """Serves a mirror folder over http: (the index's address, the server); its padding file holds after its
    first 300 KB until the server's ``gate`` is set (so a test can pause inside it)."""
    with contextlib.ExitStack() as stack:
        def start(folder: Path):
            server = stack.enter_context(serving(folder))
            server.gate_name, server.gate_bytes = PADDING, 300_000
            return server.index_url, server

        yield start


def wizard_at(qtbot, source: str, models_root: Path, gpus=(RTX_4090,), parent=None) -> SetupWizard:
    wizard = SetupWizard(parent, gpus=list(gpus), source=source, models_root=models_root)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def to_models(qtbot, wizard: SetupWizard) -> None:
    qtbot.mouseClick(wizard.next_button, LEFT)
    assert wizard.page == MODELS_PAGE
    qtbot.waitUntil(lambda: bool(wizard.models_page.choices) or wizard.models_page.offline, timeout=20_000)


def choice(wizard: SetupWizard, model_id: str):
    return next(c for c in wizard.models_page.choices if c.model_id == model_id)


def tick_only(wizard: SetupWizard, *model_ids: str) -> None:
    for c in wizard.models_page.choices:
        c.tick.setChecked(c.model_id in model_ids)


def download(qtbot, wizard: SetupWizard, *model_ids: str) -> None:
    tick_only(wizard, *model_ids)
    assert wizard.next_button.text() == "Download" and wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, LEFT)
    assert wizard.page == DOWNLOAD_PAGE


def state_of(wizard: SetupWizard, model_id: str) -> str:
    return wizard.download_page.row(model_id).state


# -- the offer -------------------------------------------------------------------------------------------------

def test_first_run_welcome_offers_setup_and_the_window_opens_the_wizard(qtbot, window, mirror, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODEL_INDEX", str(mirror))
    welcome = WelcomeDialog(window, recents=[])
    qtbot.addWidget(welcome)
    welcome.show()
    assert setup_state() == "new"
    assert welcome.setup_offer.isVisible() and welcome.setup_button.text() == "Set up generation…"
    qtbot.mouseClick(welcome.setup_button, LEFT)
    assert welcome.choice == "setup" and welcome.result()
    window.apply_welcome(welcome)
    wizard = window._setup_wizard
    assert wizard.isVisible() and wizard.page == GPU_PAGE and wizard.source == str(mirror)
    assert window.show_generation_setup() is wizard          # one at a time
    qtbot.waitUntil(lambda: wizard.gpus is not None, timeout=20_000)   # this machine's own GPUs, if any
    to_models(qtbot, wizard)
    record_setup("done")
    again = WelcomeDialog(window, recents=[])
    qtbot.addWidget(again)
    again.show()
    assert not again.setup_offer.isVisible()


# -- the pages -------------------------------------------------------------------------------------------------

def test_gpu_page_shows_the_injected_gpu_and_the_models_folder(qtbot, mirror, models_root):
    wizard = wizard_at(qtbot, str(mirror), models_root)
    text = wizard.gpu_page.gpu_label.text()
    assert "NVIDIA GeForce RTX 4090" in text and "24 GiB" in text and "550.54" in text
    assert str(models_root) in wizard.gpu_page.folder_label.text()
    assert "free there" in wizard.gpu_page.folder_label.text()
    assert wizard.next_button.isEnabled() and not wizard.back_button.isEnabled()
    urls = OpenedUrls()
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.setUrlHandler("file", urls, "open")
    try:
        qtbot.mouseClick(wizard.gpu_page.open_button, LEFT)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in urls.urls] == [str(models_root)] and models_root.is_dir()
    cpu = wizard_at(qtbot, str(mirror), models_root, gpus=())
    assert cpu.gpu_page.gpu_label.text() == NO_GPU_TEXT


def test_model_list_has_sizes_licences_and_ticks_the_recommended(qtbot, mirror, models_root):
    wizard = wizard_at(qtbot, str(mirror), models_root)
    to_models(qtbot, wizard)
    page = wizard.models_page
    assert [c.model_id for c in page.choices][-1] == TINY     # test models last
    real, restricted = choice(wizard, REAL), choice(wizard, RESTRICTED)
    size = page.index.entry(REAL).size_bytes
    assert f"{_human(size)} download" in real.facts.text() and "profile:" in real.facts.text()
    assert real.rec.recommended and real.tick.isChecked()
    assert "fits" in real.reason.text() and "Apache-2.0" in real.licence.text()
    assert not choice(wizard, TINY).tick.isChecked()
    # a restricted licence: red, its terms and link, and a tick to accept before it may download
    assert "restricted" in restricted.licence.text() and "#d9534f" in restricted.licence.text()
    assert restricted.rec.entry.model.license_url in restricted.licence.text()
    assert restricted.accept is not None and restricted.accept.isVisible()
    restricted.tick.setChecked(True)
    assert not wizard.next_button.isEnabled() and "I accept" in page.summary.text()
    restricted.accept.setChecked(True)
    assert wizard.next_button.isEnabled() and wizard.next_button.text() == "Download"
    assert "2 models ticked" in page.summary.text()


def test_no_network_shows_how_to_copy_a_model_folder_in(qtbot, models_root):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    wizard = wizard_at(qtbot, f"http://127.0.0.1:{port}/index.json", models_root)
    to_models(qtbot, wizard)
    page = wizard.models_page
    assert page.offline and page.stack.currentWidget() is page.offline_page
    assert page.offline_title.text() == "No network"
    assert "Cannot reach the model index" in page.offline_text.text() and "\n" not in page.offline_text.text()
    assert str(models_root) in page.instructions.text() and "hf download" in page.instructions.text()
    qtbot.mouseClick(page.again_button, LEFT)                 # still no network: the same page again
    qtbot.waitUntil(lambda: page.offline and wizard.index_task is not None and not wizard.index_task.running,
                    timeout=20_000)
    assert page.stack.currentWidget() is page.offline_page
    qtbot.mouseClick(wizard.next_button, LEFT)                # on to the test: nothing installed to test
    assert wizard.page == TEST_PAGE and wizard.test_page.model_id is None
    assert "nothing to test" in wizard.test_page.line.text() and wizard.next_button.text() == "Finish"


# -- downloads -------------------------------------------------------------------------------------------------

def test_download_from_the_models_dialog_moves_the_bar_and_lists_the_model_installed(qtbot, mirror,
                                                                                     models_root, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODEL_INDEX", str(mirror))
    monkeypatch.setattr("editor.ui.setup_wizard.detect_gpus", lambda: [RTX_4090])
    dialog = ModelsDialog(gpu=True, device="cuda")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.setup_button, LEFT)
    wizard = dialog.setup_wizard
    qtbot.addWidget(wizard)
    qtbot.waitUntil(lambda: wizard.next_button.isEnabled(), timeout=10_000)   # the GPU was found
    to_models(qtbot, wizard)
    values: list[int] = []
    download(qtbot, wizard, REAL)
    row = wizard.download_page.row(REAL)
    row.bar.valueChanged.connect(values.append)
    qtbot.waitUntil(lambda: state_of(wizard, REAL) == INSTALLED, timeout=30_000)
    assert values and values[-1] == 1000 and values == sorted(values)
    assert "installed in" in row.line.text()
    assert filecmp.dircmp(models_root / REAL, mirror / REAL).diff_files == []
    assert not (models_root / ".partial").exists()
    r = next(i for i in range(dialog.table.rowCount()) if dialog.table.item(i, 0).data(Qt.ItemDataRole.UserRole)
             == REAL)
    assert dialog.table.item(r, 2).text() == "installed"      # the dialog's list refreshed by itself
    assert load_preferences().default_model == REAL            # none was set: the new model is the default
    assert dialog.model_combo.currentData() == REAL
    assert wizard.next_button.isEnabled()


def test_a_checksum_failure_is_one_line_and_retry_works_once_the_file_is_fixed(qtbot, tmp_path, tiny_folder,
                                                                               models_root):
    mirror = make_mirror(tmp_path / "mirror", tiny_folder)
    weights = mirror / TINY / "vae" / "diffusion_pytorch_model.safetensors"
    good = weights.read_bytes()
    weights.write_bytes(bytes(len(good)))                      # same size, other bytes
    wizard = wizard_at(qtbot, str(mirror), models_root, gpus=())
    to_models(qtbot, wizard)
    download(qtbot, wizard, TINY)
    row = wizard.download_page.row(TINY)
    qtbot.waitUntil(lambda: row.state == "failed", timeout=30_000)
    assert "vae/diffusion_pytorch_model.safetensors" in row.line.text() and "damaged" in row.line.text()
    assert "\n" not in row.line.text() and "Traceback" not in row.line.text()
    assert row.retry_button.isVisible() and not row.pause_button.isVisible()
    assert not (models_root / TINY).exists()
    weights.write_bytes(good)
    qtbot.mouseClick(row.retry_button, LEFT)
    qtbot.waitUntil(lambda: row.state == INSTALLED, timeout=30_000)
    assert (models_root / TINY / "vae" / "diffusion_pytorch_model.safetensors").read_bytes() == good


def test_pause_keeps_what_arrived_and_resume_completes_over_http(qtbot, tmp_path, tiny_folder, models_root,
                                                                 serve, monkeypatch):
    monkeypatch.setattr("editor.setup.fetch.PROGRESS_EVERY_S", 0.0)   # report each block: pause mid-file
    mirror = make_mirror(tmp_path / "mirror", tiny_folder, padding=1_000_000)
    url, server = serve(mirror)
    wizard = wizard_at(qtbot, url, models_root, gpus=())
    to_models(qtbot, wizard)
    download(qtbot, wizard, TINY)
    row = wizard.download_page.row(TINY)
    part = models_root / ".partial" / TINY / f"{PADDING}.promptcut-part"
    qtbot.waitUntil(lambda: part.is_file() and part.stat().st_size > 0, timeout=30_000)   # the gate holds the rest
    assert row.pause_button.isVisible()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    qtbot.mouseClick(row.pause_button, LEFT)
    server.gate.set()
    qtbot.waitUntil(lambda: row.state == PAUSED, timeout=30_000)
    timer.stop()
    assert ticks                                              # the GUI thread ran all along
    assert "paused at" in row.line.text() and row.resume_button.isVisible()
    assert 0 < row.bar.value() < 1000 and not (models_root / TINY).exists()
    assert wizard.download_page.done() and wizard.next_button.isEnabled()
    qtbot.mouseClick(row.resume_button, LEFT)
    qtbot.waitUntil(lambda: row.state == INSTALLED, timeout=30_000)
    assert any(path.endswith(PADDING) and rng and rng != "bytes=0-" for path, rng in server.requests)
    assert (models_root / TINY / PADDING).read_bytes() == (mirror / TINY / PADDING).read_bytes()


def test_cancel_forgets_a_paused_download(qtbot, tmp_path, tiny_folder, models_root, serve, monkeypatch):
    monkeypatch.setattr("editor.setup.fetch.PROGRESS_EVERY_S", 0.0)
    mirror = make_mirror(tmp_path / "mirror", tiny_folder, padding=1_000_000)
    url, server = serve(mirror)
    wizard = wizard_at(qtbot, url, models_root, gpus=())
    to_models(qtbot, wizard)
    download(qtbot, wizard, TINY)
    row = wizard.download_page.row(TINY)
    qtbot.waitUntil(lambda: row.line.text().startswith(PADDING), timeout=30_000)
    qtbot.mouseClick(row.cancel_button, LEFT)
    server.gate.set()
    qtbot.waitUntil(lambda: row.state == "cancelled", timeout=30_000)
    assert not (models_root / ".partial").exists() and not (models_root / TINY).exists()
    assert row.retry_button.text() == "Download" and row.bar.value() == 0


# -- leaving -----------------------------------------------------------------------------------------------------

def test_skip_records_skipped_the_welcome_stops_offering_and_models_still_does(qtbot, mirror, models_root):
    wizard = wizard_at(qtbot, str(mirror), models_root)
    to_models(qtbot, wizard)
    qtbot.mouseClick(wizard.skip_button, LEFT)
    assert not wizard.isVisible() and wizard.outcome == "skipped"
    assert setup_state() == "skipped"
    welcome = WelcomeDialog(recents=[])
    qtbot.addWidget(welcome)
    welcome.show()
    assert not welcome.setup_offer.isVisible()
    dialog = ModelsDialog(gpu=False, device="cpu")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.setup_button.isVisible()
    record_setup("done")                                     # a later visit skipped keeps "done"
    again = wizard_at(qtbot, str(mirror), models_root)
    again.reject()
    assert setup_state() == "done"


def test_the_test_generation_on_tiny_wan_shows_its_first_frame(qtbot, tmp_path, tiny_folder, models_root):
    mirror = make_mirror(tmp_path / "mirror", tiny_folder)
    wizard = wizard_at(qtbot, str(mirror), models_root, gpus=())
    to_models(qtbot, wizard)
    assert choice(wizard, TINY).tick.isChecked()             # on the CPU only the test model is ticked
    download(qtbot, wizard, TINY)
    qtbot.waitUntil(lambda: state_of(wizard, TINY) == INSTALLED, timeout=30_000)
    assert load_preferences().default_model is None          # a test model never becomes the default
    qtbot.mouseClick(wizard.next_button, LEFT)
    test = wizard.test_page
    assert wizard.page == TEST_PAGE and test.model_id == TINY and test.running
    assert not wizard.back_button.isEnabled()
    qtbot.mouseClick(test.cancel_button, LEFT)               # cancellable, and the page can run it again
    qtbot.waitUntil(lambda: bool(test.error), timeout=60_000)
    assert test.error == "cancelled" and test.run_button.isEnabled() and not test.running
    qtbot.mouseClick(test.run_button, LEFT)
    qtbot.waitUntil(lambda: test.result is not None or bool(test.error), timeout=180_000)
    assert test.result is not None, test.line.text()
    # The buttons say it is over as soon as the result shows (the worker thread may still be winding down).
    assert test.run_button.isEnabled() and not test.cancel_button.isEnabled()
    pixmap = test.preview.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    assert test.result.first_frame.shape[:2] == (test.result.height, test.result.width)
    assert "It works" in test.line.text() and test.result.video.is_file()
    qtbot.mouseClick(wizard.next_button, LEFT)               # Finish
    assert wizard.outcome == "done" and setup_state() == "done"

"""The Help menu: Getting Started from the shipped page, the About box's versions, Report a Problem's zip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from editor.model import GeneratedClip, GenerationSpec
from editor.ui.help_dialogs import AboutDialog, GettingStartedDialog, ReportDialog, getting_started_markdown


@pytest.fixture
def log_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    monkeypatch.setenv("PROMPTCUT_LOG_DIR", str(folder))
    (folder / "promptcut.log").write_text("ERROR export failed\nTraceback (most recent call last):\n")
    (folder / "take.mp4").write_bytes(b"media")
    return folder


def menu_texts(window) -> list[str]:
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    return [a.text().replace("&", "") for a in help_menu.actions() if not a.isSeparator()]


def opened(window, kind):
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert found, f"no {kind.__name__} open"
    return found[-1]


def names_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        return sorted(n.removeprefix("promptcut-report/") for n in book.namelist())


def test_the_help_menu_lists_getting_started_shortcuts_report_and_about(window):
    assert menu_texts(window) == ["Getting Started", "Keyboard Shortcuts", "Report a Problem…", "About PromptCut"]


def test_getting_started_shows_the_shipped_page_rendered_from_markdown(window, qtbot):
    window.actions_by_name["getting_started"].trigger()
    dialog = opened(window, GettingStartedDialog)
    shown = dialog.browser.toPlainText()
    assert "Getting started with PromptCut" in shown
    assert "Double-click a gap" in shown and "Report a Problem" in shown
    assert "**" not in shown and "## " not in shown          # rendered, not the markdown source
    assert "**Double-click a gap**" in getting_started_markdown()
    dialog.close()


def test_about_shows_promptcut_qt_ffmpeg_torch_and_the_gpu_and_copies_them(window, qtbot):
    window.actions_by_name["about"].trigger()
    dialog = opened(window, AboutDialog)
    rows = dict(dialog.rows)
    assert rows["Qt"].startswith(f"Qt {qVersion()} / PySide6 ")
    text = dialog.label.text()
    for name in ("PromptCut", "Python", "Qt", "ffmpeg", "torch", "GPU", "OS"):
        assert f"<b>{name}</b>" in text
    assert rows["GPU"] in text.replace("&gt;", ">")
    dialog.copy_versions()
    copied = QApplication.clipboard().text()
    assert copied.splitlines()[0].split() == ["PromptCut", rows["PromptCut"]]
    assert "GPU" in copied
    dialog.close()


def test_about_never_imports_torch_for_the_gpu_line(window):
    import sys

    had_torch = "torch" in sys.modules
    window.actions_by_name["about"].trigger()
    dialog = opened(window, AboutDialog)
    assert ("torch" in sys.modules) == had_torch
    dialog.close()


def test_report_a_problem_writes_the_zip_without_the_project_unless_ticked(window, qtbot, tmp_path, log_dir):
    window.timeline.video_tracks[0].clips.append(GeneratedClip("g1", 0, 48, spec=GenerationSpec("a paper boat")))
    window.actions_by_name["report_problem"].trigger()
    dialog = opened(window, ReportDialog)
    assert dialog.timeline is window.timeline and not dialog.include_project.isChecked()

    with qtbot.waitSignal(dialog._done.finished, timeout=60_000):
        dialog.write_to(tmp_path / "report")             # .zip is added
    assert dialog.last_result == (f"Report written: {tmp_path / 'report.zip'}", True)
    assert dialog.status.text() == dialog.last_result[0]
    assert names_in(tmp_path / "report.zip") == ["README.txt", "doctor.txt", "logs/promptcut.log", "versions.txt"]

    dialog.include_project.setChecked(True)
    with qtbot.waitSignal(dialog._done.finished, timeout=60_000):
        dialog.write_to(tmp_path / "with-project.zip")
    assert "project/untitled.promptcut" in names_in(tmp_path / "with-project.zip")
    with zipfile.ZipFile(tmp_path / "with-project.zip") as book:
        assert b"a paper boat" in book.read("promptcut-report/project/untitled.promptcut")
    assert dialog.save_button.isEnabled()
    dialog.close()


def test_a_report_that_cannot_be_written_is_one_line_in_the_dialog(window, qtbot, tmp_path, log_dir):
    (tmp_path / "report.zip").mkdir()
    dialog = ReportDialog(window.timeline, None, window)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog._done.finished, timeout=60_000):
        dialog.write_to(tmp_path / "report.zip")
    assert dialog.last_result == ("report.zip is a folder: choose a file name to write to", False)
    assert dialog.save_button.isEnabled()


def test_without_a_document_the_project_box_cannot_be_ticked(qtbot, log_dir):
    dialog = ReportDialog(None, None)
    qtbot.addWidget(dialog)
    assert not dialog.include_project.isEnabled()

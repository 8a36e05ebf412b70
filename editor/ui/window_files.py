"""The main window's documents: new, open, save, the recent projects, the welcome choices, export and closing
with unsaved work (a mixin of ``MainWindow``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from editor.model import Timeline
from editor.ui.export_dialog import ExportDialog

PROJECT_FILTER = ("PromptCut projects (*.promptcut);;Project archives (*.zip);;OpenTimelineIO (*.otio);;"
                  "All files (*)")
RECENT_LIMIT = 10


class WindowFiles:
    """Opening and saving the window's document (its lock and recovery copies: ``WindowRecovery``)."""

    def _update_title(self, *_ignored: object) -> None:
        name = self.path.name if self.path else "Untitled"
        mark = "" if self.edits.stack.isClean() else " •"
        self.setWindowTitle(f"{name}{mark} — PromptCut")

    @property
    def modified(self) -> bool:
        return not self.edits.stack.isClean()

    def ask_save_changes(self) -> str:
        """'save', 'discard' or 'cancel' (tests replace this)."""
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.path.name if self.path else 'Untitled'}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            answer, "cancel")

    def maybe_keep_changes(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or unchanged)."""
        if not self.modified:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def set_document(self, timeline: Timeline, path: str | Path | None, metadata: dict | None = None) -> None:
        self.stop()
        self._document_changing(path)
        self.edits.reset(timeline)
        self.path = Path(path) if path else None
        self.metadata = dict(metadata or {})
        self.bin.attach()
        self.timeline_view.set_edits_timeline()
        self._follow_timeline()
        self._update_title()
        self._update_undo_texts()
        self.shots.document_changed()
        self.playback_document_changed()

    def open_path(self, path: str | Path, *, offer_recovery: bool = True) -> bool:
        """Open a project (or .otio); then offer the recovery copy a crash left for it, unless
        ``offer_recovery`` is False (the caller recovers it). A project archive is unpacked and opened; another
        editor's timeline (.xml, .edl, ...) is imported as a new untitled project."""
        from editor.archive.zip_archive import is_project_archive
        from editor.documents import DocumentError, open_document
        from editor.interchange.formats import is_timeline_file

        if Path(path).suffix.lower() == ".zip" and is_project_archive(path):
            return self.open_archive_path(path)
        if is_timeline_file(path) and Path(path).suffix.lower() != ".otio":
            return self.import_timeline(path)   # saving must not write back what the exchange format cannot hold
        proceed, lock = self._lock_for_open(path)
        if not proceed:
            return False
        try:
            doc = open_document(path)
        except (DocumentError, OSError) as exc:
            self._drop_unused_lock(lock)
            self.show_message(str(exc))
            QMessageBox.warning(self, "Cannot open", str(exc)) if self.isVisible() else None
            return False
        self.set_document(doc.timeline, path, doc.metadata)
        self._set_lock(lock)
        note = f"; {len(doc.offline)} media offline" if doc.offline else ""
        self.show_message(f"Opened {Path(path).name}{note}")
        add_recent_project(path)
        if offer_recovery:
            self.offer_recovery()
        return True

    def open_dialog(self) -> None:
        if not self.maybe_keep_changes():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open project", str(self.path.parent if self.path else ""),
                                              PROJECT_FILTER, options=QFileDialog.Option.DontUseNativeDialog)
        if path:
            self.open_path(path)

    def save_to(self, path: str | Path) -> bool:
        from editor.documents import DocumentError, save_document

        proceed, lock = self._lock_for_save(path)
        if not proceed:
            return False
        try:
            notes = save_document(self.timeline, path, self.metadata)
        except (DocumentError, OSError) as exc:
            self._drop_unused_lock(lock)
            self.show_message(f"Not saved: {exc}")
            return False
        self.path = Path(path)
        self.edits.stack.setClean()
        self._saved(lock)
        self._update_title()
        self.show_message(f"Saved {self.path.name}" + (f"; {len(notes)} notes" if notes else ""))
        if notes:
            self.tell(f"Saved {self.path.name}", notes)
        add_recent_project(self.path)
        return True

    def save(self) -> bool:
        if self.read_only:
            return self.save_as()
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save project as", str(self.path or "Untitled.promptcut"),
                                              PROJECT_FILTER, options=QFileDialog.Option.DontUseNativeDialog)
        if not path:
            return False
        if not Path(path).suffix:
            path += ".promptcut"
        return self.save_to(path)

    def export_dialog(self) -> ExportDialog:
        """Show the export dialog (not modal: the window stays usable while it renders a snapshot)."""
        dialog = getattr(self, "_export_dialog", None)
        if dialog is None:
            dialog = self._export_dialog = ExportDialog(lambda: self.timeline, self.path, self)
        elif not dialog.running:
            dialog.project_path = self.path
            dialog.dest_edit.setText(str(dialog.default_destination()))
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def update_recent_menu(self) -> None:
        """Rebuild File > Open Recent from the stored list (files that are gone are pruned)."""
        self.recent_menu.clear()
        paths = recent_projects()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setData(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        self.recent_menu.setEnabled(bool(paths))

    def open_recent(self, path: str | Path) -> bool:
        if not self.maybe_keep_changes():
            return False
        if not Path(path).is_file():
            recent_projects()   # prunes it
            self.show_message(f"{Path(path).name} is no longer there")
            return False
        return self.open_path(path)

    def new_project(self) -> None:
        from editor.ui.welcome import WelcomeDialog

        if not self.maybe_keep_changes():
            return
        dialog = WelcomeDialog(self)
        if dialog.exec():
            self.apply_welcome(dialog)

    def apply_welcome(self, dialog) -> None:
        if dialog.choice == "open":
            self.open_dialog()
        elif dialog.choice == "demo":
            self.new_demo_project(ask=False)
        elif dialog.choice == "new":
            self.set_document(Timeline.empty(dialog.settings(), video_tracks=2, audio_tracks=2), None)
        elif dialog.choice == "recent":
            self.open_path(dialog.recent_path)
        elif dialog.choice == "recover" and dialog.recovered is not None:
            self.open_recovered(dialog.recovered)
        elif dialog.choice == "setup":
            self.show_generation_setup()

    def show_generation_setup(self):
        """Open the generation setup wizard (one at a time; the window stays usable while it downloads)."""
        from editor.ui.setup_wizard import SetupWizard

        wizard = getattr(self, "_setup_wizard", None)
        if wizard is None or not wizard.isVisible():
            wizard = self._setup_wizard = SetupWizard(self)
            wizard.finished.connect(lambda _result: self.show_message(
                "Generation is set up" if wizard.outcome == "done"
                else "Generation setup skipped: Generate > Models offers it again"))
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()
        return wizard

    def new_demo_project(self, ask: bool = True) -> None:
        import tempfile

        from editor.ui.demo import make_demo

        if ask and not self.maybe_keep_changes():
            return
        self.show_message("Making the demo project…")
        folder = Path(tempfile.mkdtemp(prefix="promptcut-demo-"))
        self.set_document(make_demo(folder), None)
        self.show_message(f"Demo project made in {folder}")

    def maybe_stop_export(self) -> bool:
        """Closing while an export renders: ask, then cancel it and wait for its files to be cleaned up.
        False when the user keeps the window open."""
        dialog = getattr(self, "_export_dialog", None)
        if dialog is None or not dialog.running:
            return True
        if not self.ask_stop_export():
            return False
        dialog.cancel_export()
        dialog.wait(30)
        return True

    def ask_stop_export(self) -> bool:
        """True to stop the running export and close (tests replace this)."""
        answer = QMessageBox.question(self, "Export running", "An export is still rendering. Stop it and close?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


def _recent_settings() -> QSettings:
    """Where the recent projects live: an INI file for PromptCut/PromptCut in the user scope (tests move it
    with ``QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)``)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptCut", "PromptCut")


def recent_projects() -> list[str]:
    """The recent projects, newest first, with files that no longer exist pruned (and forgotten)."""
    settings = _recent_settings()
    stored = settings.value("recent/projects", [])
    if isinstance(stored, str):
        stored = [stored]
    stored = [str(p) for p in (stored or [])]
    kept = [p for p in stored if Path(p).is_file()][:RECENT_LIMIT]
    if kept != stored:
        settings.setValue("recent/projects", kept)
    return kept


def add_recent_project(path: str | Path) -> None:
    """Put ``path`` first in the recent projects (at most RECENT_LIMIT kept)."""
    entry = str(Path(path).absolute())
    paths = [entry] + [p for p in recent_projects() if p != entry]
    settings = _recent_settings()
    settings.setValue("recent/projects", paths[:RECENT_LIMIT])
    settings.sync()

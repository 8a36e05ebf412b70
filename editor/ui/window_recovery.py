"""The main window's safety nets: the project lock (one editor writes a project) and crash recovery from the
autosave copies (a mixin of ``MainWindow``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from editor.project import ProjectError
from editor.ui.autosave import Recoverable, delete_recovery, find_recovery, load_recovery, untitled_recoveries
from editor.ui.project_lock import ProjectLock


class WindowRecovery:
    """Locks the open project and offers the recovery copies a crash left."""

    def ask_recover(self, path: Path | None, recovery: Path) -> str:
        """'recover', 'discard' or 'later' (tests replace this)."""
        name = path.name if path else "an untitled project"
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved changes",
                          f"PromptCut closed without saving the changes to {name}. Recover them from the "
                          f"autosave copy?", parent=self)
        recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return {recover: "recover", discard: "discard"}.get(box.clickedButton(), "later")

    def ask_open_read_only(self, path: Path, holder: str) -> str:
        """'read-only' or 'cancel' (tests replace this)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Project in use",
                          f"{path.name} is open in {holder}. Open it read-only? (Save will ask for a new name.)",
                          parent=self)
        read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return "read-only" if box.clickedButton() is read_only else "cancel"

    def _try_lock(self, path: str | Path) -> ProjectLock | None:
        lock = ProjectLock(path)
        return lock if lock.acquire() else None

    def _holds_lock_on(self, path: str | Path) -> bool:
        return self.project_lock is not None and self.project_lock.path == ProjectLock(path).path

    def _lock_for_open(self, path: str | Path) -> tuple[bool, ProjectLock | None]:
        """(go on, the lock to hold; None: read-only)."""
        if self._holds_lock_on(path):
            return True, self.project_lock
        lock = ProjectLock(path)
        if lock.acquire():
            return True, lock
        return self.ask_open_read_only(Path(path), lock.holder()) == "read-only", None

    def _lock_for_save(self, path: str | Path) -> tuple[bool, ProjectLock | None]:
        if self._holds_lock_on(path):
            return True, self.project_lock
        lock = ProjectLock(path)
        if lock.acquire():
            return True, lock
        self.show_message(f"Not saved: {Path(path).name} is open in {lock.holder()} (read-only here)")
        return False, None

    def _drop_unused_lock(self, lock: ProjectLock | None) -> None:
        if lock is not None and lock is not self.project_lock:
            lock.release()

    def _set_lock(self, lock: ProjectLock | None) -> None:
        if self.project_lock is not None and self.project_lock is not lock:
            self.project_lock.release()
        self.project_lock = lock
        self.read_only = self.path is not None and lock is None
        if self.read_only:
            self.show_message(f"{self.path.name} is open elsewhere: read-only (Save asks for a new name)")

    def _document_changing(self, path: str | Path | None) -> None:
        """Another document replaces this one: drop this one's recovery copies and, for another file, its lock."""
        if not hasattr(self, "autosaver"):
            return
        self.autosaver.discard()
        if path is None or self.path is None or Path(path).absolute() != self.path.absolute():
            if self.project_lock is not None:
                self.project_lock.release()
            self.project_lock = None
            self.read_only = False

    def _saved(self, lock: ProjectLock | None) -> None:
        self.autosaver.discard()
        self._set_lock(lock)

    def offer_recovery(self) -> bool:
        """After opening: offer the recovery copy a crash left for this project. True when recovered."""
        if self.path is None or self.read_only:
            return False
        recovery = find_recovery(self.path)
        return recovery is not None and self._recover_from(self.path, recovery)

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the newest recovery copy of an untitled project whose editor crashed."""
        if self.path is not None or self.modified:
            return False
        found = untitled_recoveries()
        return bool(found) and self._recover_from(None, found[0])

    def open_recovered(self, found: Recoverable) -> bool:
        """The welcome screen's Recover: open the project with the unsaved changes of its recovery copy (the
        user chose them there: no second question). A project whose file has gone comes back from the copy
        alone, under its old name."""
        if not found.project.is_file():
            if not self._apply_recovery(found.project, found.recovery):
                return False
            self._set_lock(self._try_lock(found.project))
            return True
        if not self.open_path(found.project, offer_recovery=False):
            return False
        if self.read_only:
            self.show_message(f"{found.project.name} is open in another window: recover it there")
            return False
        return self._apply_recovery(found.project, found.recovery)

    def _recover_from(self, path: Path | None, recovery: Path) -> bool:
        answer = self.ask_recover(path, recovery)
        if answer == "discard":
            delete_recovery(recovery)
            return False
        if answer != "recover":
            return False
        return self._apply_recovery(path, recovery)

    def _apply_recovery(self, path: Path | None, recovery: Path) -> bool:
        """Make the recovery copy the document, as unsaved changes to ``path``."""
        try:
            timeline, metadata = load_recovery(recovery)
        except ProjectError as exc:
            self.show_message(str(exc))
            return False
        self.set_document(timeline, path, metadata)
        self.edits.stack.resetClean()   # recovered changes are unsaved changes
        self.autosaver.adopt(recovery)
        self._update_title()
        self.show_message(f"Recovered unsaved changes to {path.name if path else 'Untitled'}")
        return True

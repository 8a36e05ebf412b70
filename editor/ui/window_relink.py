"""File > Relink Offline Media… for the main window (a mixin of ``MainWindow``)."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog


class _Bridge(QObject):
    done = Signal(object)   # emitted from a worker thread, delivered on the GUI thread


class WindowRelink:
    """Searches beside the GUI thread for the offline media and relinks what it confirms as one undo step.
    The window declares ``relink_finished`` and calls ``_init_relink`` once."""

    def _init_relink(self) -> None:
        self._relinking = False
        self._relink_bridge = _Bridge(self)
        self._relink_bridge.done.connect(self._relink_found)

    def ask_relink_folder(self) -> str:
        """The folder to search for offline media, or '' (tests replace this)."""
        start = str(self.path.parent) if self.path else ""
        return QFileDialog.getExistingDirectory(self, "Relink offline media: folder to search", start,
                                                QFileDialog.Option.DontUseNativeDialog)

    def relink_dialog(self) -> bool:
        """File > Relink Offline Media…: search a folder for the offline files by name (beside the GUI thread:
        probing and hashing candidates takes a while), then relink the confirmed ones as one undo step and say
        which were found but not confirmed. ``relink_finished(matches)`` follows. False when nothing starts."""
        from editor.relink import find_candidates

        if self._relinking:
            self.show_message("Still searching for the offline media…")
            return False
        if not self.timeline.offline_media():
            self.show_message("No offline media to relink")
            return False
        folder = self.ask_relink_folder()
        if not folder:
            return False
        snapshot, timeline = self.timeline.copy(), self.timeline
        self._relinking = True
        self.show_message(f"Searching {folder} for {len(snapshot.offline_media())} offline files…")

        def work() -> None:
            try:
                found: object = find_candidates(snapshot, folder)
            except Exception as exc:   # noqa: BLE001 - reported in one line, never lost on the thread
                found = f"Relink failed: {exc}".splitlines()[0]
            self._relink_bridge.done.emit((timeline, found))

        threading.Thread(target=work, name="relink", daemon=True).start()
        return True

    def _relink_found(self, payload: object) -> None:
        from editor.relink import relink_command

        self._relinking = False
        timeline, matches = payload   # type: ignore[misc]
        if timeline is not self.timeline:   # another document opened meanwhile: nothing to apply
            return
        if isinstance(matches, str):
            self.show_message(matches)
            self.relink_finished.emit([])
            return
        command = relink_command(matches)
        relinked = 0
        if command is not None and self.edits.do(command):
            relinked = sum(m.confirmed for m in matches)
        unconfirmed = [m for m in matches if not m.confirmed]
        left = len(self.timeline.offline_media())
        text = f"Relinked {relinked} media; {left} still offline"
        if unconfirmed:
            text += " — not confirmed: " + "; ".join(f"{Path(m.new_path).name} {m.reason}" for m in unconfirmed)
        self.show_message(text)
        self.relink_finished.emit(list(matches))

"""The main window's exchange with other editors and with other machines (a mixin of ``MainWindow``):
File > Import Timeline… and Export Timeline… (Premiere / FCP 7 XML, FCPXML, EDL, AAF, OTIO and its bundles,
Kdenlive, chosen by extension), Collect Project… and Archive Project…, and opening a project archive.

The work lives below the UI (``editor.interchange.formats``, ``editor.archive``); archiving and collecting copy
media, so they run beside the GUI thread and report back through a signal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox


class _Bridge(QObject):
    done = Signal(object)   # (what finished, its result or a one-line error), delivered on the GUI thread


class WindowInterchange:
    """Importing and exporting timelines, collecting and archiving the project. The window calls
    ``_init_interchange`` once."""

    def _init_interchange(self) -> None:
        self._packing: str | None = None   # "collect" or "archive" while one runs
        self._interchange_bridge = _Bridge(self)
        self._interchange_bridge.done.connect(self._packing_done)

    # --- asking (tests replace these) ----------------------------------------------------------------------
    def ask_timeline_to_import(self) -> str:
        from editor.interchange.formats import file_dialog_filter

        path, _ = QFileDialog.getOpenFileName(self, "Import timeline", str(self.path.parent if self.path else ""),
                                              file_dialog_filter(writing=False),
                                              options=QFileDialog.Option.DontUseNativeDialog)
        return path

    def ask_timeline_export_path(self) -> str:
        from editor.interchange.formats import file_dialog_filter

        start = self.path.with_suffix(".xml") if self.path else Path("Untitled.xml")
        path, chosen = QFileDialog.getSaveFileName(self, "Export timeline", str(start),
                                                   file_dialog_filter(writing=True),
                                                   options=QFileDialog.Option.DontUseNativeDialog)
        return _with_filter_suffix(path, chosen)

    def ask_archive_path(self) -> str:
        start = self.path.with_suffix(".zip") if self.path else Path("Untitled.zip")
        path, _ = QFileDialog.getSaveFileName(self, "Archive project", str(start), "Zip archives (*.zip)",
                                              options=QFileDialog.Option.DontUseNativeDialog)
        if path and not Path(path).suffix:
            path += ".zip"
        return path

    def tell(self, title: str, lines: list[str]) -> None:
        """Show what an import or export could not carry (one line each); tests replace this."""
        if lines and self.isVisible():
            more = f"\n… and {len(lines) - 20} more" if len(lines) > 20 else ""
            QMessageBox.information(self, title, "\n".join(lines[:20]) + more)

    # --- timelines ---------------------------------------------------------------------------------------
    def import_timeline_dialog(self) -> bool:
        if not self.maybe_keep_changes():
            return False
        path = self.ask_timeline_to_import()
        return bool(path) and self.import_timeline(path)

    def import_timeline(self, path: str | Path) -> bool:
        """Open another editor's timeline as a new, untitled project (Save asks where the project goes, so the
        exchange file is never overwritten with what its format cannot carry)."""
        from editor.documents import DocumentError, open_document

        try:
            doc = open_document(path)
        except (DocumentError, OSError) as exc:
            self.show_message(str(exc))
            if self.isVisible():
                QMessageBox.warning(self, "Cannot import", str(exc))
            return False
        metadata = dict(doc.metadata)
        metadata.setdefault("name", Path(path).stem)
        self.set_document(doc.timeline, None, metadata)
        self.edits.stack.resetClean()   # an imported timeline is unsaved work
        offline = f"; {len(doc.offline)} media offline" if doc.offline else ""
        notes = f"; {len(doc.warnings)} notes" if doc.warnings else ""
        self.show_message(f"Imported {Path(path).name}{offline}{notes}")
        self.tell(f"Imported {Path(path).name}", doc.warnings)
        return True

    def export_timeline_dialog(self) -> bool:
        path = self.ask_timeline_export_path()
        return bool(path) and self.export_timeline(path)

    def export_timeline(self, path: str | Path) -> bool:
        """Write the timeline for another editor, in the format the extension names; say what it left out."""
        from editor.interchange.formats import write_timeline
        from editor.interchange.otio_common import InterchangeError

        name = self.metadata.get("name") or (self.path.stem if self.path else Path(path).stem)
        try:
            notes = write_timeline(self.timeline, path, name=name)
        except (InterchangeError, OSError) as exc:
            self.show_message(f"Not exported: {exc}")
            if self.isVisible():
                QMessageBox.warning(self, "Cannot export the timeline", str(exc))
            return False
        self.show_message(f"Exported the timeline to {Path(path).name}" + (f"; {len(notes)} notes" if notes else ""))
        self.tell(f"Exported {Path(path).name}", notes)
        return True

    # --- collect and archive -----------------------------------------------------------------------------
    def collect_project(self) -> bool:
        """File > Collect Project…: copy every file the project uses beside it (``NAME.media/``), relink to the
        copies as one undo step, then save. The project must have a file first."""
        from editor.archive.collect import collect_project

        if not self._ready_to_pack("collect"):
            return False
        snapshot, path = self.timeline.copy(), self.path

        def work() -> object:
            result = collect_project(snapshot, path, apply=False)
            return snapshot, result

        return self._pack_beside("collect", work, f"Collecting the media of {path.name}…")

    def archive_project(self) -> bool:
        """File > Archive Project…: one zip with the project, its media, its generated takes and its fonts."""
        from editor.archive.zip_archive import write_archive

        if not self._ready_to_pack("archive"):
            return False
        target = self.ask_archive_path()
        if not target:
            return False
        snapshot, path, metadata = self.timeline.copy(), self.path, dict(self.metadata)
        return self._pack_beside("archive", lambda: (target, write_archive(snapshot, path, target, metadata)),
                                 f"Archiving {path.name}…")

    def _ready_to_pack(self, what: str) -> bool:
        if self._packing:
            self.show_message(f"Still busy: the {self._packing} has not finished")
            return False
        if (self.path is None or self.modified or self.read_only) and (not self.save() or self.path is None):
            self.show_message(f"Save the project before you {what} it")
            return False
        return True

    def _pack_beside(self, what: str, work: Callable[[], object], message: str) -> bool:
        timeline = self.timeline
        self._packing = what
        self.show_message(message)

        def run() -> None:
            try:
                result: object = work()
            except Exception as exc:   # noqa: BLE001 - reported in one line, never lost on the thread
                result = f"{what.capitalize()} failed: {exc}".splitlines()[0]
            self._interchange_bridge.done.emit((what, timeline, result))

        threading.Thread(target=run, name=what, daemon=True).start()
        return True

    def _packing_done(self, payload: object) -> None:
        what, timeline, result = payload   # type: ignore[misc]
        self._packing = None
        if isinstance(result, str):
            self.show_message(result)
            if self.isVisible():
                QMessageBox.warning(self, f"{what.capitalize()} failed", result)
            self.packing_finished.emit(what, False)
            return
        if what == "archive":
            target, notes = result   # type: ignore[misc]
            self.show_message(f"Archived the project to {Path(target).name}" + (f"; {len(notes)} notes" if notes
                                                                                 else ""))
            self.tell(f"Archived {Path(target).name}", list(notes))
            self.packing_finished.emit(what, True)
            return
        _snapshot, outcome = result   # type: ignore[misc]
        if timeline is not self.timeline:   # another document opened meanwhile: the copies stay, nothing relinks
            self.packing_finished.emit(what, False)
            return
        # The relink was made from the snapshot; it runs on the live timeline as one undo step.
        if outcome.command is not None and self.edits.do(outcome.command):
            self.save()
        self.show_message(f"Collected {len(outcome.copied)} files into {self.path.stem}.media"
                          + (f"; {len(outcome.notes)} notes" if outcome.notes else ""))
        self.tell("Collect project", list(outcome.notes))
        self.packing_finished.emit(what, True)

    # --- archives ----------------------------------------------------------------------------------------
    def open_archive_path(self, path: str | Path) -> bool:
        """Open a project archive: unpack it safely into a new folder beside it, then open the project inside."""
        from editor.archive.zip_archive import ArchiveError, open_archive

        try:
            project = open_archive(path)
        except (ArchiveError, OSError) as exc:
            self.show_message(str(exc))
            if self.isVisible():
                QMessageBox.warning(self, "Cannot open the archive", str(exc))
            return False
        opened = self.open_path(project)
        if opened:
            self.show_message(f"Unpacked {Path(path).name} into {project.parent.name} and opened {project.name}")
        return opened


def _with_filter_suffix(path: str, chosen_filter: str) -> str:
    """``path`` with the first extension of the chosen dialog filter when the user typed none."""
    if not path or Path(path).suffix:
        return path
    start = chosen_filter.find("(*")
    if start < 0:
        return path
    suffix = chosen_filter[start + 2:].split()[0].rstrip(")")
    return path + suffix if suffix.startswith(".") else path

"""The main window's exchange with other editors and with other machines (a mixin of ``MainWindow``):
File > Import Timeline… and Export Timeline… (Premiere / FCP 7 XML, FCPXML, EDL, AAF, OTIO and its bundles,
Kdenlive, chosen by extension), Collect Project… and Archive Project…, and opening a project archive.

The work lives below the UI (``editor.interchange.formats``, ``editor.archive``). Archiving and collecting copy
media, importing a foreign timeline waits on an adapter's child process (up to its time limit for a hostile
file) and opening an archive unpacks it: all four run beside the GUI thread, one at a time, and report back
through a signal (``packing_finished``). A result lands only on the document it was made for: an import or an
unpacked archive opens only if the document did not change meanwhile; a collect relinks the live timeline,
keeping the edits made while it copied."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox


class _Bridge(QObject):
    done = Signal(object)   # (the task, its result or a _Failed), delivered on the GUI thread


@dataclass(frozen=True)
class _Task:
    what: str            # "collect", "archive", "import" or "unarchive" (packing_finished says it)
    timeline: object     # the document when the task started (identity: was another one opened since?)
    index: int           # its undo index then (was it edited since?)
    shown: str           # the file the task works on, for messages


@dataclass(frozen=True)
class _Failed:
    title: str
    line: str


class WindowInterchange:
    """Importing and exporting timelines, collecting and archiving the project. The window calls
    ``_init_interchange`` once."""

    def _init_interchange(self) -> None:
        self._packing: str | None = None   # "collect", "archive", "import" or "unarchive" while one runs
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
        exchange file is never overwritten with what its format cannot carry). The file is read beside the GUI
        thread; True when the reading started (``packing_finished("import", ok)`` says how it ended)."""
        from editor.documents import DocumentError, open_document

        if self._busy():
            return False

        def work() -> object:
            try:
                return open_document(path)
            except (DocumentError, OSError) as exc:
                return _Failed("Cannot import", " ".join(str(exc).split()))

        return self._run_beside("import", work, f"Importing {Path(path).name}…", Path(path).name)

    def _imported(self, task: _Task, doc) -> bool:
        metadata = dict(doc.metadata)
        metadata.setdefault("name", Path(task.shown).stem)
        self.set_document(doc.timeline, None, metadata)
        self.edits.stack.resetClean()   # an imported timeline is unsaved work
        offline = f"; {len(doc.offline)} media offline" if doc.offline else ""
        notes = f"; {len(doc.warnings)} notes" if doc.warnings else ""
        self.show_message(f"Imported {task.shown}{offline}{notes}")
        self.tell(f"Imported {task.shown}", doc.warnings)
        return True

    def export_timeline_dialog(self) -> bool:
        path = self.ask_timeline_export_path()
        return bool(path) and self.export_timeline(path)

    def export_timeline(self, path: str | Path) -> bool:
        """Write the timeline for another editor, in the format the extension names, beside the GUI thread (a
        bundle copies every media file); say what it left out. True when the writing started
        (``packing_finished("export", ok)`` says how it ended)."""
        from editor.interchange.formats import write_timeline
        from editor.interchange.otio_common import InterchangeError

        if self._busy():
            return False
        name = self.metadata.get("name") or (self.path.stem if self.path else Path(path).stem)
        snapshot = self.timeline.copy()

        def work() -> object:
            try:
                return write_timeline(snapshot, path, name=name)
            except (InterchangeError, OSError) as exc:
                return _Failed("Cannot export the timeline", "Not exported: " + " ".join(str(exc).split()))

        return self._run_beside("export", work, f"Exporting the timeline to {Path(path).name}…", Path(path).name)

    def _exported(self, task: _Task, notes: list[str]) -> bool:
        self.show_message(f"Exported the timeline to {task.shown}" + (f"; {len(notes)} notes" if notes else ""))
        self.tell(f"Exported {task.shown}", list(notes))
        return True

    # --- collect and archive -----------------------------------------------------------------------------
    def collect_project(self) -> bool:
        """File > Collect Project…: copy every file the project uses beside it (``NAME.media/``), relink to the
        copies as one undo step, then save. The project must have a file first."""
        from editor.archive.collect import collect_project

        if not self._ready_to_pack("collect"):
            return False
        snapshot, path = self.timeline.copy(), self.path
        # The copying works on a snapshot; only the mapping old file -> copy comes back (the relink is made
        # against the live timeline when it lands).
        return self._run_beside("collect", lambda: collect_project(snapshot, path, apply=False),
                                f"Collecting the media of {path.name}…", path.name)

    def archive_project(self) -> bool:
        """File > Archive Project…: one zip with the project, its media, its generated takes and its fonts."""
        from editor.archive.zip_archive import write_archive

        if not self._ready_to_pack("archive"):
            return False
        target = self.ask_archive_path()
        if not target:
            return False
        snapshot, path, metadata = self.timeline.copy(), self.path, dict(self.metadata)
        return self._run_beside("archive", lambda: write_archive(snapshot, path, target, metadata),
                                f"Archiving {path.name}…", Path(target).name)

    def _busy(self) -> bool:
        if self._packing:
            self.show_message(f"Still busy: the {self._packing} has not finished")
            return True
        return False

    def _ready_to_pack(self, what: str) -> bool:
        if self._busy():
            return False
        if (self.path is None or self.modified or self.read_only) and (not self.save() or self.path is None):
            self.show_message(f"Save the project before you {what} it")
            return False
        return True

    def _run_beside(self, what: str, work: Callable[[], object], message: str, shown: str) -> bool:
        task = _Task(what, self.timeline, self.edits.stack.index(), shown)
        self._packing = what
        self.show_message(message)

        def run() -> None:
            try:
                result: object = work()
            except Exception as exc:   # noqa: BLE001 - reported in one line, never lost on the thread
                result = _Failed(f"{what.capitalize()} failed",
                                 f"{what.capitalize()} failed: {' '.join(str(exc).split()) or type(exc).__name__}")
            with contextlib.suppress(RuntimeError):   # the window closed while the work ran: nobody to tell
                self._interchange_bridge.done.emit((task, result))

        threading.Thread(target=run, name=what, daemon=True).start()
        return True

    def _unchanged_since(self, task: _Task) -> bool:
        return task.timeline is self.timeline and task.index == self.edits.stack.index()

    def _packing_done(self, payload: object) -> None:
        task, result = payload   # type: ignore[misc]
        self._packing = None
        if isinstance(result, _Failed):
            self.show_message(result.line)
            if self.isVisible():
                QMessageBox.warning(self, result.title, result.line)
            self.packing_finished.emit(task.what, False)
            return
        if task.what in ("import", "unarchive") and not self._unchanged_since(task):
            # The user went on working (or opened another document) while the file was read: keep that.
            again = "import it again" if task.what == "import" else f"open {result} to continue there"
            self.show_message(f"{task.shown} was not opened: the project changed meanwhile; {again}")
            self.packing_finished.emit(task.what, False)
            return
        done = {"import": self._imported, "unarchive": self._unarchived, "archive": self._archived,
                "collect": self._collected, "export": self._exported}[task.what]
        self.packing_finished.emit(task.what, bool(done(task, result)))

    def _archived(self, task: _Task, notes: list[str]) -> bool:
        self.show_message(f"Archived the project to {task.shown}" + (f"; {len(notes)} notes" if notes else ""))
        self.tell(f"Archived {task.shown}", list(notes))
        return True

    def _collected(self, task: _Task, outcome) -> bool:
        from editor.archive.collect import relink_command

        if task.timeline is not self.timeline:   # another document opened meanwhile: the copies stay
            self.show_message(f"Collected {len(outcome.copied)} files; another project is open now, so nothing "
                              "was relinked")
            return False
        # Made here, on the GUI thread, against the live timeline: edits made while the copying ran are kept.
        command = relink_command(self.timeline, outcome)
        if command is not None and self.edits.do(command):
            self.save()
        self.show_message(f"Collected {len(outcome.copied)} files into {self.path.stem}.media"
                          + (f"; {len(outcome.notes)} notes" if outcome.notes else ""))
        self.tell("Collect project", list(outcome.notes))
        return True

    # --- archives ----------------------------------------------------------------------------------------
    def open_archive_path(self, path: str | Path) -> bool:
        """Open a project archive: unpack it safely into a new folder beside it (beside the GUI thread), then
        open the project inside. True when the unpacking started (``packing_finished("unarchive", ok)``)."""
        from editor.archive.zip_archive import ArchiveError, open_archive

        if self._busy():
            return False

        def work() -> object:
            try:
                return open_archive(path)
            except (ArchiveError, OSError) as exc:
                return _Failed("Cannot open the archive", " ".join(str(exc).split()))

        return self._run_beside("unarchive", work, f"Unpacking {Path(path).name}…", Path(path).name)

    def _unarchived(self, task: _Task, project: Path) -> bool:
        opened = self.open_path(project)
        if opened:
            self.show_message(f"Unpacked {task.shown} into {project.parent.name} and opened {project.name}")
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

"""The main window: media bin, viewer, inspector and timeline, menus, toolbar, status bar, files."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from editor.model import Timeline, TrackKind
from editor.ui.autosave import Autosaver
from editor.ui.edits import Edits
from editor.ui.export_dialog import ExportDialog
from editor.ui.fill_gaps_dialog import FillGapsDialog
from editor.ui.inspector import Inspector
from editor.ui.media_bin import MediaBin
from editor.ui.project_lock import ProjectLock
from editor.ui.queue_panel import QueuePanel
from editor.ui.shots_ui import ShotsUi
from editor.ui.timeline_view import TimelineView
from editor.ui.viewer import Viewer

PROJECT_FILTER = "PromptCut projects (*.promptcut);;OpenTimelineIO (*.otio);;All files (*)"
MEDIA_FILTER = "Media (*.mp4 *.mov *.mkv *.webm *.m4v *.avi *.wav *.mp3 *.m4a *.aac *.flac *.ogg *.png *.jpg " \
               "*.jpeg *.webp);;All files (*)"

# (action name, menu text, shortcuts, key handled by the timeline too)
SHORTCUTS: list[tuple[str, str]] = [
    ("Space", "Play / pause"), ("J / K / L", "Play backwards / stop / play forwards (press again: faster)"),
    ("Left / Right", "One frame back / forward"), ("Up / Down", "Previous / next edit point"),
    ("Home / End", "Start / end of the timeline"), ("I / O", "Mark in / out"),
    ("S, Ctrl+K, Ctrl+B", "Split at the playhead"), ("Delete", "Delete (leave a gap)"),
    ("Shift+Delete", "Ripple delete"), ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("+ / -", "Zoom in / out"), ("Shift+Z", "Zoom to fit"), ("N", "Snapping on / off"),
    ("Alt+drag an edge", "Ripple trim"), ("Shift/Ctrl+click, drag on empty space", "Add to selection, rubber band"),
    ("Ctrl+drag from the bin", "Insert instead of overwrite"),
    ("G, double-click a gap", "Generate a shot (over the gap, the marked range, or at the playhead)"),
    ("Ctrl+R", "Regenerate the selected shot with a new seed"), ("Ctrl+Shift+Q", "Generator queue"),
    ("Right-click a gap / a track header", "Close the gap, generate a shot, fill gaps / add or delete tracks"),
    ("Double-click a marker", "Rename it"),
    ("Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S", "New / open / save / save as"),
]


NAVIGATION_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
                             Qt.Key.Key_End, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_A, Qt.Key.Key_C,
                             Qt.Key.Key_X, Qt.Key.Key_V})


class _Bridge(QObject):
    done = Signal(object)   # emitted from a worker thread, delivered on the GUI thread


class MainWindow(QMainWindow):
    relink_finished = Signal(list)   # the relink search's matches, after they were applied

    def __init__(self, timeline: Timeline | None = None, path: str | Path | None = None,
                 metadata: dict | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.resize(1600, 900)
        self.path: Path | None = Path(path) if path else None
        self.metadata: dict = dict(metadata or {})
        self.edits = Edits(timeline or Timeline.empty(), self)
        self.edits.refused.connect(self.show_message)
        # Bound methods, not lambdas: Qt then drops these connections when the window goes, before the stack
        # (its grandchild) is destroyed and emits on the way out.
        self.edits.stack.cleanChanged.connect(self._update_title)
        self.edits.stack.indexChanged.connect(self._update_undo_texts)

        self.bin = MediaBin(self.edits)
        self.bin.message.connect(self.show_message)
        self.viewer = Viewer()
        self.inspector = Inspector(self.edits)
        self.timeline_view = TimelineView(self.edits)
        self.timeline_view.message.connect(self.show_message)
        self.timeline_view.media_dropped.connect(self.bin.import_paths)
        self.timeline_view.playhead_changed.connect(self._playhead_moved)
        self.timeline_view.selection_changed.connect(self._selection_changed)
        self.viewer.transport.connect(self._transport)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(_panel("Media", self.bin))
        top.addWidget(_panel("Viewer", self.viewer))
        # The inspector grows with a generated shot's section; it scrolls rather than squeezing the timeline.
        inspector_scroll = QScrollArea()
        inspector_scroll.setObjectName("InspectorScroll")
        inspector_scroll.setWidgetResizable(True)
        inspector_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inspector_scroll.setWidget(self.inspector)
        inspector_scroll.setMinimumWidth(Inspector.PANEL_MIN_WIDTH)
        top.addWidget(_panel("Inspector", inspector_scroll))
        top.setSizes([280, 960, 360])
        top.setStretchFactor(1, 1)
        main = QSplitter(Qt.Orientation.Vertical)
        main.addWidget(top)
        main.addWidget(self.timeline_view)
        main.setSizes([520, 380])
        main.setStretchFactor(0, 1)
        self.setCentralWidget(main)

        self.play_timer = QTimer(self)
        self.play_timer.timeout.connect(self._tick)
        self.play_speed = 0
        self._play_origin = (0.0, 0)

        self._relinking = False
        self._relink_bridge = _Bridge(self)
        self._relink_bridge.done.connect(self._relink_found)
        self.shots = ShotsUi(self)
        self.shots.message.connect(self.show_message)
        self.inspector.shots = self.shots
        self.queue_dock: QDockWidget | None = None

        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self.position_label = QLabel("")
        self.statusBar().addPermanentWidget(self.position_label)
        self._update_title()
        self._update_undo_texts()
        self._playhead_moved(0)
        QTimer.singleShot(0, self.timeline_view.zoom_to_fit)
        self.read_only = False   # another window or instance holds the project's lock: Save does Save As
        self.project_lock: ProjectLock | None = None
        self.autosaver = Autosaver(self)
        if self.path is not None:
            self._set_lock(self._try_lock(self.path))
        elif timeline is None:
            QTimer.singleShot(0, self.offer_untitled_recovery)

    # --- actions -------------------------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline:
        return self.edits.timeline

    def _action(self, name: str, text: str, slot: Callable[[], None], keys: tuple[str, ...] = (),
                timeline_key: bool = False) -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _=False: slot())
        if timeline_key:
            nav = any(QKeySequence(k)[0].key() in NAVIGATION_KEYS for k in keys)
            if nav:
                # Arrows, Home/End, Delete: lists and fields use these; they act where the timeline or the
                # viewer has the focus.
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.timeline_view.addAction(action)
                self.viewer.addAction(action)
            else:
                # Everywhere in the window; a text field with the focus still gets its letters and spaces (it
                # claims them before shortcuts run).
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                self.addAction(action)
            for k in keys:
                seq = QKeySequence(k)
                combo = seq[0]
                self.timeline_view.key_handlers[(int(combo.key().value), int(combo.keyboardModifiers().value))] \
                    = slot
        self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        tv = self.timeline_view
        a = self._action
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(a("new", "&New Project…", self.new_project, ("Ctrl+N",)))
        file_menu.addAction(a("demo", "New &Demo Project", self.new_demo_project))
        file_menu.addAction(a("open", "&Open…", self.open_dialog, ("Ctrl+O",)))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.update_recent_menu)
        self.update_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(a("save", "&Save", self.save, ("Ctrl+S",)))
        file_menu.addAction(a("save_as", "Save &As…", self.save_as, ("Ctrl+Shift+S",)))
        file_menu.addSeparator()
        file_menu.addAction(a("import", "&Import Media…", self.import_dialog, ("Ctrl+I",)))
        file_menu.addAction(a("relink", "&Relink Offline Media…", self.relink_dialog))
        export = a("export", "&Export…", self.export_dialog, ("Ctrl+M",))
        export.setToolTip("Export the timeline to an MP4 file (Ctrl+M)")
        file_menu.addAction(export)
        file_menu.addSeparator()
        file_menu.addAction(a("quit", "&Quit", self.close, ("Ctrl+Q",)))

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = a("undo", "&Undo", self.edits.stack.undo, ("Ctrl+Z",))
        redo = a("redo", "&Redo", self.edits.stack.redo, ("Ctrl+Shift+Z", "Ctrl+Y"))
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(a("split", "&Split at Playhead", tv.split_at_playhead, ("S", "Ctrl+K", "Ctrl+B"), True))
        edit_menu.addAction(a("cut", "Cu&t", tv.cut_selected, ("Ctrl+X",), True))
        edit_menu.addAction(a("copy", "&Copy", tv.copy_selected, ("Ctrl+C",), True))
        edit_menu.addAction(a("paste", "&Paste at Playhead", tv.paste_at_playhead, ("Ctrl+V",), True))
        edit_menu.addAction(a("delete", "&Delete", tv.delete_selected, ("Delete", "Backspace"), True))
        edit_menu.addAction(a("ripple_delete", "&Ripple Delete", lambda: tv.delete_selected(ripple=True),
                              ("Shift+Delete", "Shift+Backspace"), True))
        edit_menu.addSeparator()
        edit_menu.addAction(a("select_all", "Select &All", lambda: tv.select({c.id for _, c in self.timeline.clips()}),
                              ("Ctrl+A",), True))
        snap = a("snap", "S&napping", tv.toggle_snapping, ("N",), True)
        snap.setCheckable(True)
        snap.setChecked(True)
        edit_menu.addAction(snap)
        edit_menu.addAction(a("mark_in", "Mark &In", tv.set_in, ("I",), True))
        edit_menu.addAction(a("mark_out", "Mark &Out", tv.set_out, ("O",), True))
        edit_menu.addSeparator()
        edit_menu.addAction(a("add_marker", "Add &Marker", tv.add_marker_at_playhead, ("M",), True))
        edit_menu.addAction(a("remove_marker", "Delete Marker at Playhead", tv.remove_marker_at_playhead,
                              ("Ctrl+Shift+M",), True))

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(a("zoom_in", "Zoom &In", tv.zoom_in, ("+", "=", "Shift++", "Ctrl+="), True))
        view_menu.addAction(a("zoom_out", "Zoom &Out", tv.zoom_out, ("-", "Ctrl+-"), True))
        view_menu.addAction(a("zoom_fit", "Zoom to &Fit", tv.zoom_to_fit, ("Shift+Z",), True))

        play_menu = self.menuBar().addMenu("&Playback")
        play_menu.addAction(a("play", "&Play / Pause", self.toggle_play, ("Space",), True))
        play_menu.addAction(a("reverse", "Play &Backwards (J)", lambda: self.shuttle(-1), ("J",), True))
        play_menu.addAction(a("stop", "&Stop (K)", self.stop, ("K",), True))
        play_menu.addAction(a("forward", "Play &Forwards (L)", lambda: self.shuttle(1), ("L",), True))
        play_menu.addSeparator()
        play_menu.addAction(a("prev_frame", "Previous Frame", lambda: self.step(-1), ("Left",), True))
        play_menu.addAction(a("next_frame", "Next Frame", lambda: self.step(1), ("Right",), True))
        play_menu.addAction(a("prev_edit", "Previous Edit", tv.previous_edit, ("Up",), True))
        play_menu.addAction(a("next_edit", "Next Edit", tv.next_edit, ("Down",), True))
        play_menu.addAction(a("home", "Go to Start", lambda: tv.set_playhead(0), ("Home",), True))
        play_menu.addAction(a("end", "Go to End", lambda: tv.set_playhead(self.timeline.duration), ("End",), True))

        gen_menu = self.menuBar().addMenu("&Generate")
        gen_menu.addAction(a("generate", "&Generate Shot at Playhead…", self.shots.generate_at_playhead, ("G",),
                             True))
        gen_menu.addAction(a("fill_track", "&Fill Gaps on Track…", self.fill_gaps_dialog))
        gen_menu.addAction(a("fill_all", "Fill Gaps in the &Picture…", lambda: self.fill_gaps_dialog(all_tracks=True)))
        gen_menu.addSeparator()
        gen_menu.addAction(a("regenerate", "&Regenerate Selected (New Seed)", self.shots.regenerate, ("Ctrl+R",),
                             True))
        gen_menu.addAction(a("variations", "&Variations of Selected (4 Seeds)",
                             lambda: self.shots.regenerate(count=4)))
        gen_menu.addSeparator()
        gen_menu.addAction(a("queue_panel", "Generator &Queue", self.show_queue_panel, ("Ctrl+Shift+Q",)))
        gen_menu.addAction(a("models", "&Models and Settings…", self.models_dialog))

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts, ("F1",)))

        bar = QToolBar("Main", self)
        bar.setObjectName("MainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("new", "open", "save", None, "import", None, "undo", "redo", None, "split", "delete",
                     "ripple_delete", None, "snap", "zoom_out", "zoom_in", "zoom_fit", None, "generate",
                     "queue_panel", None, "export"):
            if name is None:
                bar.addSeparator()
            else:
                bar.addAction(self.actions_by_name[name])
        self.addToolBar(bar)

    def _update_undo_texts(self, *_ignored: object) -> None:
        stack = self.edits.stack
        undo, redo = self.actions_by_name["undo"], self.actions_by_name["redo"]
        try:
            undo.setEnabled(stack.canUndo())
            redo.setEnabled(stack.canRedo())
            undo.setText(f"&Undo {stack.undoText()}" if stack.canUndo() else "&Undo")
            redo.setText(f"&Redo {stack.redoText()}" if stack.canRedo() else "&Redo")
        except RuntimeError:   # the stack clears while the window is being torn down
            return

    # --- generation ----------------------------------------------------------------------------------

    def fill_gaps_dialog(self, track_id: str | None = None, *, all_tracks: bool = False) -> FillGapsDialog | None:
        """One prompt per gap of a track (the selected clip's, else the bottom video track) or, with
        ``all_tracks``, of the picture (the bottom track's gaps: upper tracks' gaps are overlays coming and
        going). Non-modal; its Generate queues every gap that has a prompt."""
        tl = self.timeline
        if not tl.video_tracks:
            self.show_message("No video track to fill")
            return None
        if track_id is None and not all_tracks:
            sel = self.timeline_view.selected_clips()
            track_id = sel[0][0].id if sel and sel[0][0].kind is TrackKind.VIDEO else tl.video_tracks[0].id
        dialog = FillGapsDialog(tl, [track_id] if track_id else [tl.video_tracks[0].id], self)
        dialog.accepted.connect(lambda: self.fill_gaps(dialog.requests()))
        self._fill_dialog = dialog
        dialog.open()
        return dialog

    def fill_gaps(self, requests: list[tuple[str, int, int, str]]) -> int:
        from editor.generate.shots import ShotOptions

        asked = sum(self.shots.queue.request(track_id, start, end - start, ShotOptions(prompt))
                    for track_id, start, end, prompt in requests)
        self.shots.poll()
        if asked:
            self.show_message(f"Queuing {asked} shot{'s' * (asked != 1)}")
        return asked

    def show_queue_panel(self) -> QueuePanel:
        if self.queue_dock is None:
            self.queue_dock = QDockWidget("Generator queue", self)
            self.queue_dock.setObjectName("QueueDock")
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.queue_dock)
            self.resizeDocks([self.queue_dock], [400], Qt.Orientation.Horizontal)
            self.shots.events.connect(self._queue_events)
        panel = self.queue_dock.widget()
        if not isinstance(panel, QueuePanel) or panel.client is not self.shots.queue.client:
            panel = QueuePanel(self.shots.queue.client)
            self.queue_dock.setWidget(panel)
        panel.refresh()
        self.queue_dock.show()
        self.queue_dock.raise_()
        return panel

    def _queue_events(self, events: list) -> None:
        panel = self.queue_dock.widget() if self.queue_dock is not None else None
        if panel is not None and getattr(panel, "client", None) is self.shots.queue.client:
            panel.on_events(events)

    def models_dialog(self):
        from editor.ui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self)
        self._models_dialog = dialog
        dialog.open()
        return dialog

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{rows}</table>",
                          QMessageBox.StandardButton.Close, self)
        box.open()

    # --- playhead and playback -----------------------------------------------------------------------

    def _playhead_moved(self, frame: int) -> None:
        self.viewer.show_frame(self.timeline, frame)
        n = sum(len(t.clips) for t in self.timeline.tracks)
        self.position_label.setText(f"{n} clips  ·  snapping {'on' if self.timeline_view.snapping else 'off'}")

    def _selection_changed(self) -> None:
        sel = self.timeline_view.selected
        self.inspector.show_clip(next(iter(sel)) if len(sel) == 1 else None)
        self.viewer.show_frame(self.timeline, self.timeline_view.playhead)

    def step(self, frames: int) -> None:
        self.stop()
        self.timeline_view.set_playhead(self.timeline_view.playhead + frames)

    def toggle_play(self) -> None:
        if self.play_speed:
            self.stop()
        else:
            self.shuttle(1, restart=True)

    def shuttle(self, direction: int, restart: bool = False) -> None:
        """J/L: start or speed up playback that way (1x, 2x, 4x, 8x)."""
        if restart or self.play_speed == 0 or (self.play_speed > 0) != (direction > 0):
            self.play_speed = direction
        else:
            self.play_speed = max(-8, min(8, self.play_speed * 2))
        self._play_origin = (time.monotonic(), self.timeline_view.playhead)
        self.play_timer.start(max(1, int(1000 / float(self.timeline.fps))))
        self.viewer.set_playing(True)

    def stop(self) -> None:
        self.play_speed = 0
        self.play_timer.stop()
        self.viewer.set_playing(False)

    def _tick(self) -> None:
        t0, f0 = self._play_origin
        frame = f0 + int((time.monotonic() - t0) * float(self.timeline.fps) * self.play_speed)
        end = self.timeline.duration
        if frame < 0 or (self.play_speed > 0 and frame >= end):
            frame = max(0, min(frame, end))
            self.stop()
        self.timeline_view.set_playhead(frame)

    def _transport(self, action: str) -> None:
        {"start": lambda: self.timeline_view.set_playhead(0), "back": lambda: self.step(-1),
         "play": self.toggle_play, "forward": lambda: self.step(1),
         "end": lambda: self.timeline_view.set_playhead(self.timeline.duration)}[action]()

    # --- files ---------------------------------------------------------------------------------------

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
        self._update_title()
        self._update_undo_texts()
        self.shots.document_changed()

    def open_path(self, path: str | Path) -> bool:
        from editor.documents import DocumentError, open_document

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
            save_document(self.timeline, path, self.metadata)
        except (DocumentError, OSError) as exc:
            self._drop_unused_lock(lock)
            self.show_message(f"Not saved: {exc}")
            return False
        self.path = Path(path)
        self.edits.stack.setClean()
        self._saved(lock)
        self._update_title()
        self.show_message(f"Saved {self.path.name}")
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

    # --- recent projects, relinking offline media -------------------------------------------------------

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

    def import_dialog(self) -> None:
        from editor.ui.file_dialogs import choose_files

        self.bin.import_paths(choose_files(self, "Import media", MEDIA_FILTER, key="import"))

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

    def new_demo_project(self, ask: bool = True) -> None:
        import tempfile

        from editor.ui.demo import make_demo

        if ask and not self.maybe_keep_changes():
            return
        self.show_message("Making the demo project…")
        folder = Path(tempfile.mkdtemp(prefix="promptcut-demo-"))
        self.set_document(make_demo(folder), None)
        self.show_message(f"Demo project made in {folder}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.maybe_stop_export():
            event.ignore()
            return
        if self.maybe_keep_changes():
            self.stop()
            self._closing()
            event.accept()
        else:
            event.ignore()

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

    # --- autosave, crash recovery, the project lock ---------------------------------------------------

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

    def _closing(self) -> None:
        self.shots.close()
        self.bin.shutdown()
        self.autosaver.shutdown(discard=True)
        if self.project_lock is not None:
            self.project_lock.release()
        self.project_lock = None

    def offer_recovery(self) -> bool:
        """After opening: offer the recovery copy a crash left for this project. True when recovered."""
        from editor.ui.autosave import find_recovery

        if self.path is None or self.read_only:
            return False
        recovery = find_recovery(self.path)
        return recovery is not None and self._recover_from(self.path, recovery)

    def offer_untitled_recovery(self) -> bool:
        """At start: offer the newest recovery copy of an untitled project whose editor crashed."""
        from editor.ui.autosave import untitled_recoveries

        if self.path is not None or self.modified:
            return False
        found = untitled_recoveries()
        return bool(found) and self._recover_from(None, found[0])

    def _recover_from(self, path: Path | None, recovery: Path) -> bool:
        from editor.project import ProjectError
        from editor.ui.autosave import delete_recovery, load_recovery

        answer = self.ask_recover(path, recovery)
        if answer == "discard":
            delete_recovery(recovery)
            return False
        if answer != "recover":
            return False
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


RECENT_LIMIT = 10


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


def _panel(title: str, body: QWidget) -> QWidget:
    box = QWidget()
    box.setObjectName("Panel")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    label = QLabel(title.upper())
    label.setObjectName("PanelHeader")
    layout.addWidget(label)
    layout.addWidget(body, 1)
    return box

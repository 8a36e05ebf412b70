"""The main window: media bin, viewer, inspector and timeline, the status bar, playback, and the parts that
live beside it as mixins: menus and shortcuts (``window_actions``), documents (``window_files``), the lock and
crash recovery (``window_recovery``), relinking (``window_relink``), other editors' timelines, collect and
archive (``window_interchange``) and the storyboard (``window_story``). Generated
shots are ``ShotsUi``'s."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from editor.model import Change, Timeline
from editor.ui.autosave import Autosaver
from editor.ui.caption_panel import CaptionPanel
from editor.ui.edits import Edits
from editor.ui.fill_gaps_dialog import FillGapsDialog
from editor.ui.inspector import Inspector
from editor.ui.media_bin import MediaBin
from editor.ui.project_lock import ProjectLock
from editor.ui.queue_panel import QueuePanel
from editor.ui.shots_ui import ShotsUi
from editor.ui.timeline_view import TimelineView
from editor.ui.viewer import Viewer
from editor.ui.window_actions import NAVIGATION_KEYS, SHORTCUTS, WindowActions
from editor.ui.window_files import (
    PROJECT_FILTER,
    RECENT_LIMIT,
    WindowFiles,
    _recent_settings,
    add_recent_project,
    recent_projects,
)
from editor.ui.window_interchange import WindowInterchange
from editor.ui.window_playback import WindowPlayback
from editor.ui.window_recovery import WindowRecovery
from editor.ui.window_relink import WindowRelink
from editor.ui.window_story import WindowStory

# Kept importable from here, where they used to live.
__all__ = ["MainWindow", "NAVIGATION_KEYS", "PROJECT_FILTER", "RECENT_LIMIT", "SHORTCUTS", "_recent_settings",
           "add_recent_project", "recent_projects"]

MEDIA_FILTER = "Media (*.mp4 *.mov *.mkv *.webm *.m4v *.avi *.wav *.mp3 *.m4a *.aac *.flac *.ogg *.png *.jpg " \
               "*.jpeg *.webp);;All files (*)"


class MainWindow(WindowPlayback, WindowActions, WindowFiles, WindowInterchange, WindowRecovery, WindowRelink,
                 WindowStory, QMainWindow):
    relink_finished = Signal(list)   # the relink search's matches, after they were applied
    packing_finished = Signal(str, bool)   # "collect", "archive", "import" or "unarchive" ended (True: it did)

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
        self.bin.insert_requested.connect(self.timeline_view.insert_media_at_playhead)
        # The viewer moves and edits titles through the same edits and selection as the timeline.
        overlay = self.viewer.screen_.overlay
        overlay.edits = self.edits
        overlay.selected = lambda: self.timeline_view.selected
        overlay.select = self.timeline_view.select
        self.captions = CaptionPanel(self.edits)
        self.captions.playhead = lambda: self.timeline_view.playhead
        self.captions.seek.connect(self.timeline_view.set_playhead)
        self.captions.message.connect(self.show_message)
        self.caption_dock = QDockWidget("Captions", self)
        self.caption_dock.setObjectName("CaptionDock")
        self.caption_dock.setWidget(self.captions)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.caption_dock)
        self.caption_dock.setVisible(any(t.captions for t in self.timeline.video_tracks))
        self.timeline_view.reveal_in_bin.connect(self.bin.reveal)

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

        self._init_playback()

        self._init_relink()
        self._init_interchange()
        self.shots = ShotsUi(self, parent=self)
        self.shots.message.connect(self.show_message)
        self.inspector.shots = self.shots
        self.queue_dock: QDockWidget | None = None
        self._init_storyboard()

        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self.position_label = QLabel("")
        self.statusBar().addPermanentWidget(self.position_label)
        self._unsubscribe_status = self.timeline.subscribe(self._timeline_changed)
        self._update_title()
        self._update_undo_texts()
        self._playhead_moved(0)
        self._update_status()
        QTimer.singleShot(0, self.timeline_view.zoom_to_fit)
        self.read_only = False   # another window or instance holds the project's lock: Save does Save As
        self.project_lock: ProjectLock | None = None
        self.autosaver = Autosaver(self, parent=self)
        self.edits.stack.indexChanged.connect(self.autosaver.edited)
        if self.path is not None:
            self._set_lock(self._try_lock(self.path))
        elif timeline is None:
            QTimer.singleShot(0, self.offer_untitled_recovery)

    @property
    def timeline(self) -> Timeline:
        return self.edits.timeline

    # --- the status bar --------------------------------------------------------------------------------

    def _timeline_changed(self, _change: Change) -> None:
        self._update_status()
        self.viewer.invalidate()      # whatever changed the model, the player's snapshot and frames are stale
        self.captions.refresh()
        self._story_changed()

    def _follow_timeline(self) -> None:
        """Another document's timeline: count its clips from now on."""
        self._unsubscribe_status()
        self._unsubscribe_status = self.timeline.subscribe(self._timeline_changed)
        self._update_status()
        self.captions.refresh()
        self._story_document()

    def _update_status(self) -> None:
        """The clip count and snapping, kept current on every change of the timeline (not only when the
        playhead moves)."""
        n = sum(len(t.clips) for t in self.timeline.tracks)
        snapping = "on" if self.timeline_view.snapping else "off"
        self.position_label.setText(f"{n} clip{'s' * (n != 1)}  ·  snapping {snapping}")

    # --- generation ----------------------------------------------------------------------------------

    def fill_gaps_dialog(self, track_id: str | None = None, *, all_tracks: bool = False) -> FillGapsDialog | None:
        """Generate > Fill Gaps: see :meth:`ShotsUi.fill_gaps_dialog`."""
        return self.shots.fill_gaps_dialog(track_id, all_tracks=all_tracks, parent=self)

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

    # --- playhead and playback -----------------------------------------------------------------------

    def _playhead_moved(self, frame: int) -> None:
        self.viewer.show_frame(self.timeline, frame)

    def _selection_changed(self) -> None:
        sel = self.timeline_view.selected
        self.inspector.show_clip(next(iter(sel)) if len(sel) == 1 else None)
        self.viewer.show_frame(self.timeline, self.timeline_view.playhead)

    # --- files (the rest: window_files, window_recovery, window_relink) ------------------------------------

    def import_dialog(self) -> None:
        from editor.ui.file_dialogs import choose_files

        self.bin.import_paths(choose_files(self, "Import media", MEDIA_FILTER, key="import"))

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

    def _closing(self) -> None:
        self.viewer.close_player()
        self.proxies.close()
        self._unsubscribe_status()
        self._unsubscribe_status = lambda: None
        self.shots.close()
        self.bin.shutdown()
        self.autosaver.shutdown(discard=True)
        if self.project_lock is not None:
            self.project_lock.release()
        self.project_lock = None


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

"""The window's side of script-to-cut (a mixin of ``MainWindow``): the Storyboard dock, New from script, the
cast, and fitting the shots to their narration once the speech takes arrive."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from editor.model import Timeline
from editor.ui.script_dialog import ScriptDialog
from editor.ui.storyboard_panel import StoryboardPanel

STORYBOARD_WIDTH = 440


class WindowStory:
    """Builds ``storyboard`` (the panel) and ``storyboard_dock``; call ``_init_storyboard`` once the window's
    ``shots`` and ``timeline_view`` exist."""

    def _init_storyboard(self) -> None:
        self.storyboard = StoryboardPanel(self.edits, shots=self.shots, art=self.timeline_view.art)
        self.storyboard.message.connect(self.show_message)
        self.storyboard.clip_chosen.connect(self._card_chosen)
        self.storyboard.script_requested.connect(self.script_dialog)
        self.storyboard_dock = QDockWidget("Storyboard", self)
        self.storyboard_dock.setObjectName("StoryboardDock")
        self.storyboard_dock.setWidget(self.storyboard)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.storyboard_dock)
        self.resizeDocks([self.storyboard_dock], [STORYBOARD_WIDTH], Qt.Orientation.Horizontal)
        self.storyboard_dock.setVisible(self.timeline.story.storyboard is not None)
        self.timeline_view.selection_changed.connect(self._story_selection)
        self.shots.attached.connect(self.storyboard.continue_chain)
        self.script_dialog_: ScriptDialog | None = None

    def _story_changed(self) -> None:
        self.storyboard.refresh()

    def _story_document(self) -> None:
        """Another document: its storyboard (the dock shows when it has one)."""
        self.storyboard.refresh()
        if self.timeline.story.storyboard is not None:
            self.storyboard_dock.show()

    def _story_selection(self) -> None:
        self.storyboard.follow_selection(set(self.timeline_view.selected))

    def _card_chosen(self, clip_id: str, frame: int) -> None:
        """A card was picked: its clip selected on the timeline, the playhead at its start."""
        self.timeline_view.select({clip_id})
        self.timeline_view.set_playhead(frame)

    def show_storyboard(self, tab: str = "Shots") -> StoryboardPanel:
        self.storyboard_dock.show()
        self.storyboard_dock.raise_()
        if self.storyboard_dock.width() < STORYBOARD_WIDTH:   # docks open at their minimum: give cards room
            self.resizeDocks([self.storyboard_dock], [STORYBOARD_WIDTH], Qt.Orientation.Horizontal)
        tabs = self.storyboard.tabs
        for i in range(tabs.count()):
            if tabs.tabText(i) == tab:
                tabs.setCurrentIndex(i)
        self.storyboard.refresh()
        return self.storyboard

    def show_cast(self) -> StoryboardPanel:
        return self.show_storyboard("Cast")

    def script_dialog(self) -> ScriptDialog:
        """Story ▸ Storyboard from Script: the shots go after the storyboard's last one (or at the start of an
        empty timeline)."""
        dialog = ScriptDialog(self.edits, self, base_dir=self.path.parent if self.path else None)
        dialog.created.connect(self._storyboard_created)
        self.script_dialog_ = dialog
        dialog.open()
        return dialog

    def new_from_script(self) -> ScriptDialog | None:
        """File ▸ New from Script: a new document (after asking about unsaved changes) unless this one is
        still empty, then the script dialog."""
        if any(t.clips for t in self.timeline.tracks) or not self.timeline.story.empty:
            if not self.maybe_keep_changes():
                return None
            self.set_document(Timeline.empty(self.timeline.settings, video_tracks=1, audio_tracks=1), None)
        return self.script_dialog()

    def _storyboard_created(self) -> None:
        self.show_storyboard()
        self.timeline_view.zoom_to_fit()
        n = len(self.timeline.story.storyboard.shots) if self.timeline.story.storyboard else 0
        self.show_message(f"Storyboard with {n} shot{'s' * (n != 1)}: Generate all makes them")

    def generate_storyboard(self) -> bool:
        if self.timeline.story.storyboard is None:
            self.show_message("No storyboard: Story ▸ Storyboard from Script makes one")
            return False
        return self.storyboard.generate()

    def fit_to_narration(self, *, quiet: bool = False) -> bool:
        """Each shot without a fixed length as long as its narration's take (one undo step)."""
        from editor.model import EditError
        from editor.storyboard.edits import fit_to_narration

        if self.timeline.story.storyboard is None:
            return False
        try:
            command = fit_to_narration(self.timeline)
        except EditError as exc:
            if not quiet:
                self.show_message(str(exc).splitlines()[0])
            return False
        if command is None:
            if not quiet:
                self.show_message("The shots already fit their narration")
            return False
        return self.edits.do(command)

"""The main window's menus, toolbar and keyboard shortcuts (a mixin of ``MainWindow``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QToolBar,
)

from editor import keymaps
from editor.model import TextClip
from editor.model.commands import AddTrack, Group, Insert, Link, SetMasterVolume, SetTrackFlags, Unlink, one_per_link
from editor.model.commands.length import DropTrailingGap, trailing_gap
from editor.model.keyframe_edit import GAIN_MAX_DB, GAIN_MIN_DB, db_to_volume, volume_to_db
from editor.model.text import PRESETS

TITLE_SECONDS = 3
CAPTION_FILTER = "Captions (*.srt *.vtt);;All files (*)"

# (keys, what they do) in PromptCut's own layout and the mouse gestures (the dialog shows every layout).
SHORTCUTS: list[tuple[str, str]] = keymaps.summary(keymaps.DEFAULT)

# QSettings key of the chosen keyboard layout (one of keymaps.LAYOUTS).
LAYOUT_SETTING = "keyboard/layout"


NAVIGATION_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
                             Qt.Key.Key_End, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_A, Qt.Key.Key_C,
                             Qt.Key.Key_X, Qt.Key.Key_V})

# Fields that edit text. With the focus in one, the keys it edits with are its own, not the window's shortcuts.
TEXT_FIELDS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
CARET_KEYS = frozenset(int(k.value) for k in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down,
                                               Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_Delete,
                                               Qt.Key.Key_Backspace))
CLIPBOARD_KEYS = frozenset(int(k.value) for k in (Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_X, Qt.Key.Key_V,
                                                  Qt.Key.Key_Z, Qt.Key.Key_Y))
_CTRL = Qt.KeyboardModifier.ControlModifier
_MODIFIERS = _CTRL | Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.AltModifier | \
    Qt.KeyboardModifier.MetaModifier

# Characters of "Undo <edit>": the toolbar has room for about 20 beside its other buttons in a 1600-pixel window
# (with Redo named too); the Edit menu for more.
UNDO_TOOLBAR_LIMIT = 20

TOOLBAR_LABELS = {"new": "New", "import": "Import", "split": "Split", "zoom_fit": "Fit", "generate": "Generate Shot",
                  "queue_panel": "Queue", "export": "Export…"}
UNDO_MENU_LIMIT = 40


def elided(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _editable(widget: QObject) -> bool:
    if isinstance(widget, QComboBox):   # an editable one has the focus itself and hands keys to its line edit
        return widget.isEditable() and widget.isEnabled()
    return isinstance(widget, TEXT_FIELDS) and not widget.isReadOnly() and widget.isEnabled()


class TextFieldsFirst(QObject):
    """Qt asks the focus widget (ShortcutOverride) before a shortcut fires; a text field says yes only to some
    keys, so Ctrl+K (Premiere's split) in the prompt box split the selected clip. This answers for the window's
    editable text fields: the keys of the actions that edit the timeline (the ones the timeline handles too:
    ``_handled_keys``), the caret keys, and Ctrl with A/C/X/V/Z/Y are the field's. Saving, opening, Alt+letter
    menus and the like still reach the window."""

    def __init__(self, window: WindowActions) -> None:
        super().__init__(window)   # type: ignore[arg-type]
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or not _editable(watched):
            return False
        if not isinstance(event, QKeyEvent) or watched.window() is not self._window:   # type: ignore[attr-defined]
            return False
        if not self._window.text_field_takes(event):
            return False
        if kind == QEvent.Type.KeyPress:
            # The field does what it does with the key (Ctrl+B: nothing), and the key stops there: one it ignored
            # would go on to its parents, and the prompt box's parent is the timeline, which splits on it.
            watched.event(event)   # type: ignore[attr-defined]
        event.accept()   # a ShortcutOverride accepted: the key goes to the field as a key press, no shortcut runs
        return True


class WindowActions:
    """Builds ``actions_by_name``, the menus and the toolbar of the window it is mixed into."""

    def text_field_takes(self, event: QKeyEvent) -> bool:
        """Whether a focused text field keeps ``event``'s key from the window's shortcuts (see
        :class:`TextFieldsFirst`)."""
        key = int(event.key())
        mods = event.modifiers() & _MODIFIERS
        if (key, int(mods.value)) in self._handled_keys or key in CARET_KEYS:
            return True
        return key in CLIPBOARD_KEYS and bool(mods & _CTRL) and not mods & ~(_CTRL | Qt.KeyboardModifier.ShiftModifier)

    def _action(self, name: str, text: str, slot: Callable[[], None], timeline_key: bool = False) -> QAction:
        """An action with the active layout's keys for ``name``; with ``timeline_key`` the timeline also runs
        ``slot`` on those keys when it has the focus (its own key handling, which sees keys no shortcut took)."""
        action = QAction(text, self)
        action.triggered.connect(lambda _=False: slot())
        self.actions_by_name[name] = action
        self._layout_actions.append(name)
        if timeline_key:
            self._timeline_slots[name] = slot
        self._bind(name, keymaps.keys_for(self.keyboard_layout, name))
        return action

    def _bind(self, name: str, keys: tuple[str, ...]) -> None:
        action = self.actions_by_name[name]
        action.setShortcuts([QKeySequence(k) for k in keys])
        slot = self._timeline_slots.get(name)
        if slot is None:
            return
        for widget in (self, self.timeline_view, self.viewer):
            widget.removeAction(action)     # placed anew below: the new keys may want the other place
        if any(QKeySequence(k)[0].key() in NAVIGATION_KEYS for k in keys):
            # Arrows, Home/End, Delete: lists and fields use these; they act where the timeline or the viewer has
            # the focus.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.timeline_view.addAction(action)
            self.viewer.addAction(action)
        else:
            # Everywhere in the window; a text field with the focus still gets its letters and spaces (it claims
            # them before shortcuts run).
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        handlers = self.timeline_view.key_handlers
        for k in keys:
            combo = QKeySequence(k)[0]
            key = (int(combo.key().value), int(combo.keyboardModifiers().value))
            handlers[key] = slot
            self._handled_keys[key] = name

    def set_keyboard_layout(self, layout: str) -> bool:
        """Give every action its keys in ``layout`` (one of ``keymaps.LAYOUTS``) at once, the timeline's own key
        handling too, and remember the choice for the next window. False (and nothing changed) for an unknown
        layout."""
        if keymaps.find_layout(layout) is None:
            return False
        handlers = self.timeline_view.key_handlers
        for key in self._handled_keys:
            handlers.pop(key, None)
        self._handled_keys.clear()
        self.keyboard_layout = layout
        for name in self._layout_actions:
            self._bind(name, keymaps.keys_for(layout, name))
        layout_settings().setValue(LAYOUT_SETTING, layout)
        return True

    def drop_trailing_gap(self) -> bool:
        """Edit > Remove Trailing Gap: end the timeline at its last clip (one undo step)."""
        return self.edits.do(DropTrailingGap())

    def _build_menus(self) -> None:
        self.keyboard_layout = saved_layout()
        self._layout_actions: list[str] = []                  # the actions the layout gives keys
        self._timeline_slots: dict[str, Callable[[], None]] = {}
        self._handled_keys: dict[tuple[int, int], str] = {}    # timeline key handlers the layout put there
        app = QApplication.instance()
        if app is not None:   # parented to the window: it goes (and stops filtering) with it
            app.installEventFilter(TextFieldsFirst(self))
        tv = self.timeline_view
        a = self._action
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(a("new", "&New Project…", self.new_project))
        file_menu.addAction(a("demo", "New &Demo Project", self.new_demo_project))
        file_menu.addAction(a("new_from_script", "New from Scrip&t…", self.new_from_script))
        file_menu.addAction(a("open", "&Open…", self.open_dialog))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.update_recent_menu)
        self.update_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(a("save", "&Save", self.save))
        file_menu.addAction(a("save_as", "Save &As…", self.save_as))
        file_menu.addSeparator()
        file_menu.addAction(a("import", "&Import Media…", self.import_dialog))
        file_menu.addAction(a("relink", "Relin&k Offline Media…", self.relink_dialog))
        file_menu.addAction(a("import_captions", "Import &Captions…", self.import_captions_dialog))
        import_timeline = a("import_timeline", "Import Ti&meline…", self.import_timeline_dialog)
        import_timeline.setToolTip("Open a Premiere / Final Cut / Resolve XML, FCPXML, EDL, AAF, OTIO or Kdenlive "
                                   "timeline as a new project")
        file_menu.addAction(import_timeline)
        export = a("export", "&Export…", self.export_dialog)
        export.setToolTip("Export the timeline to an MP4 file")
        file_menu.addAction(export)
        export_timeline = a("export_timeline", "Export Time&line…", self.export_timeline_dialog)
        export_timeline.setToolTip("Write the timeline for another editor: XML, FCPXML, EDL, AAF or OTIO")
        file_menu.addAction(export_timeline)
        file_menu.addSeparator()
        file_menu.addAction(a("collect", "Collect &Project…", self.collect_project))
        file_menu.addAction(a("archive", "Arc&hive Project…", self.archive_project))
        file_menu.addSeparator()
        file_menu.addAction(a("quit", "&Quit", self.close))

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = a("undo", "&Undo", self.edits.stack.undo)
        redo = a("redo", "&Redo", self.edits.stack.redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        edit_menu.addAction(a("split", "&Split at Playhead", tv.split_at_playhead, True))
        edit_menu.addAction(a("cut", "Cu&t", tv.cut_selected, True))
        edit_menu.addAction(a("copy", "&Copy", tv.copy_selected, True))
        edit_menu.addAction(a("paste", "&Paste at Playhead", tv.paste_at_playhead, True))
        edit_menu.addAction(a("delete", "&Delete", tv.delete_selected, True))
        edit_menu.addAction(a("ripple_delete", "&Ripple Delete", lambda: tv.delete_selected(ripple=True), True))
        # Clip ▸ Enable: checked while every selected clip is on (set as the menu opens: selection changes often).
        enable = a("enable_clips", "&Enable", tv.toggle_enabled_selected, True)
        enable.setCheckable(True)
        enable.setChecked(True)
        edit_menu.addAction(enable)
        edit_menu.addAction(a("link", "&Link / Unlink", self.toggle_link, True))
        edit_menu.aboutToShow.connect(lambda: enable.setChecked(tv.selection_enabled()))
        # An imported timeline can last past its last clip (the other editor's trailing gap); this drops it.
        trailing = a("drop_trailing_gap", "Remove Trailing &Gap", self.drop_trailing_gap)
        edit_menu.addAction(trailing)
        edit_menu.aboutToShow.connect(lambda: trailing.setEnabled(trailing_gap(self.timeline) > 0))
        edit_menu.addSeparator()
        edit_menu.addAction(a("select_all", "Select &All", lambda: tv.select({c.id for _, c in self.timeline.clips()}),
                              True))
        snap = a("snap", "S&napping", self._toggle_snapping, True)
        snap.setCheckable(True)
        snap.setChecked(True)
        edit_menu.addAction(snap)
        edit_menu.addAction(a("mark_in", "Mark &In", tv.set_in, True))
        edit_menu.addAction(a("mark_out", "Mark &Out", tv.set_out, True))
        edit_menu.addSeparator()
        edit_menu.addAction(a("add_marker", "Add &Marker", tv.add_marker_at_playhead, True))
        edit_menu.addAction(a("remove_marker", "Delete Marker at Playhead", tv.remove_marker_at_playhead, True))

        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(a("zoom_in", "Zoom &In", tv.zoom_in, True))
        view_menu.addAction(a("zoom_out", "Zoom &Out", tv.zoom_out, True))
        view_menu.addAction(a("zoom_fit", "Zoom to &Fit", tv.zoom_to_fit, True))
        view_menu.addSeparator()
        view_menu.addAction(self.viewer.safe_zones_action)
        self.actions_by_name["safe_zones"] = self.viewer.safe_zones_action
        captions_view = self.caption_dock.toggleViewAction()
        captions_view.setText("&Captions")
        view_menu.addAction(captions_view)
        self.actions_by_name["captions_panel"] = captions_view
        storyboard_view = self.storyboard_dock.toggleViewAction()
        storyboard_view.setText("&Storyboard")
        view_menu.addAction(storyboard_view)
        self.actions_by_name["storyboard_panel"] = storyboard_view

        title_menu = self.menuBar().addMenu("&Titles")
        title_menu.addAction(a("add_title", "Add &Title", self.add_title, True))
        presets = title_menu.addMenu("Title &Presets")
        for name in PRESETS:
            presets.addAction(a(f"title_{name}", name, lambda n=name: self.add_title(n)))
        title_menu.addSeparator()
        title_menu.addAction(a("import_captions_titles", "Import &Captions…", self.import_captions_dialog))

        track_menu = self.menuBar().addMenu("T&rack")
        track_menu.addAction(a("solo_track", "&Solo Track", self.solo_track))
        track_menu.addAction(a("master_volume", "&Master Volume…", self.master_volume_dialog))

        play_menu = self.menuBar().addMenu("&Playback")
        play_menu.addAction(a("play", "&Play / Pause", self.toggle_play, True))
        play_menu.addAction(a("reverse", "Play &Backwards (J)", lambda: self.shuttle(-1), True))
        play_menu.addAction(a("stop", "&Stop (K)", self.stop, True))
        play_menu.addAction(a("forward", "Play &Forwards (L)", lambda: self.shuttle(1), True))
        play_menu.addAction(a("loop", "&Loop In/Out", self.viewer.loop_button.toggle, True))
        play_menu.addAction(a("mute_preview", "&Mute Preview", self.viewer.sound_button.toggle, True))
        play_menu.addSeparator()
        play_menu.addAction(a("prev_frame", "Previous Frame", lambda: self.step(-1), True))
        play_menu.addAction(a("next_frame", "Next Frame", lambda: self.step(1), True))
        play_menu.addAction(a("prev_edit", "Previous Edit", tv.previous_edit, True))
        play_menu.addAction(a("next_edit", "Next Edit", tv.next_edit, True))
        play_menu.addAction(a("home", "Go to Start", lambda: tv.set_playhead(0), True))
        play_menu.addAction(a("end", "Go to End", lambda: tv.set_playhead(self.timeline.duration), True))

        gen_menu = self.menuBar().addMenu("&Generate")
        gen_menu.addAction(a("generate", "&Generate Shot at Playhead…", self.shots.generate_at_playhead, True))
        gen_menu.addAction(a("fill_track", "&Fill Gaps on Track…", self.fill_gaps_dialog))
        gen_menu.addAction(a("fill_all", "Fill Gaps in the &Picture…", lambda: self.fill_gaps_dialog(all_tracks=True)))
        gen_menu.addSeparator()
        gen_menu.addAction(a("regenerate", "&Regenerate Selected (New Seed)", self.shots.regenerate, True))
        gen_menu.addAction(a("variations", "&Variations of Selected (4 Seeds)",
                             lambda: self.shots.regenerate(count=4)))
        # Enabled when a selected shot plays a draft take (checked as the menu opens: selection changes often).
        gen_menu.addAction(a("promote", "&Promote Selected to Final (Same Seed)", lambda: self.shots.promote()))
        gen_menu.aboutToShow.connect(
            lambda: self.actions_by_name["promote"].setEnabled(self.shots.can_promote_selection()))
        gen_menu.addSeparator()
        gen_menu.addAction(a("queue_panel", "Generator &Queue", self.show_queue_panel))
        # The first-run setup (GPU, recommended models, downloads) can be found again here.
        gen_menu.addAction(a("setup_generation", "Set &Up Generation…", self._generation_setup))
        gen_menu.addAction(a("models", "&Models and Settings…", self.models_dialog))

        story_menu = self.menuBar().addMenu("&Story")
        story_menu.addAction(a("storyboard_from_script", "Storyboard from &Script…", self.script_dialog))
        story_menu.addAction(a("show_storyboard", "Show &Storyboard", self.show_storyboard))
        story_menu.addAction(a("cast", "&Cast…", self.show_cast))
        story_menu.addSeparator()
        story_menu.addAction(a("generate_storyboard", "&Generate All Cards", self.generate_storyboard))
        story_menu.addAction(a("fit_to_narration", "&Fit Shots to Narration", self.fit_to_narration))

        from editor.ui import help_dialogs

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a("getting_started", "&Getting Started", lambda: help_dialogs.show_getting_started(self)))
        help_menu.addAction(a("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts))
        help_menu.addSeparator()
        help_menu.addAction(a("report_problem", "&Report a Problem…",
                              lambda: help_dialogs.show_report(self, self.timeline, self.path)))
        help_menu.addAction(a("about", "&About PromptCut", lambda: help_dialogs.show_about(self)))

        bar = QToolBar("Main", self)
        bar.setObjectName("MainToolBar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # Export sits with the file actions, where it is never pushed off a laptop-wide window; the zoom buttons
        # stay in the View menu and on their keys. Toolbar labels are short (the menus keep the full names).
        for name in ("new", "open", "save", "export", None, "import", None, "undo", "redo", None, "split",
                     "delete", "ripple_delete", None, "snap", "zoom_fit", None, "generate", "queue_panel"):
            if name is None:
                bar.addSeparator()
            else:
                action = self.actions_by_name[name]
                if name in TOOLBAR_LABELS:
                    action.setIconText(TOOLBAR_LABELS[name])
                    action.setToolTip(action.text().replace("&", "").removesuffix("…"))
                bar.addAction(action)
        self.addToolBar(bar)

    def _update_undo_texts(self, *_ignored: object) -> None:
        """Undo / Redo name the edit they act on, elided so a long name cannot push the toolbar's other buttons
        off the window; the tooltip has it in full."""
        stack = self.edits.stack
        undo, redo = self.actions_by_name["undo"], self.actions_by_name["redo"]
        try:
            for action, verb, can, what in ((undo, "Undo", stack.canUndo(), stack.undoText()),
                                            (redo, "Redo", stack.canRedo(), stack.redoText())):
                full = f"{verb} {what}" if can and what else verb
                action.setEnabled(can)
                # "&" starts a mnemonic in an action's text: the edit's own ampersands are doubled.
                action.setText("&" + elided(full, UNDO_MENU_LIMIT).replace("&", "&&"))
                action.setIconText(elided(full, UNDO_TOOLBAR_LIMIT).replace("&", "&&"))   # the toolbar's
                action.setToolTip(full)
        except RuntimeError:   # the stack clears while the window is being torn down
            return

    def toggle_link(self) -> bool:
        """Edit > Link / Unlink: link the selected clips (two or more, on different tracks), else unlink the
        selected linked ones; one undo step."""
        tv = self.timeline_view
        to_link = tv.linkable_selection()
        if to_link:
            return self.edits.do(Link([c.id for c in to_link]))
        linked = one_per_link(c for _, c in tv.selected_clips() if c.link is not None)
        if not linked:
            self.show_message("Select two clips or more on different tracks to link them, or a linked clip")
            return False
        commands = [Unlink(c.id) for c in linked]
        return self.edits.do(commands[0] if len(commands) == 1 else Group("Unlink", commands))

    def _generation_setup(self) -> None:
        # The setup's window lives with the documents (window_files); a build without it says so.
        setup = getattr(self, "show_generation_setup", None)
        if setup is None:
            self.show_message("Generation setup is not available in this build")
            return
        setup()

    def _toggle_snapping(self) -> None:
        self.timeline_view.toggle_snapping()
        self._update_status()

    def show_shortcuts(self):
        """Help > Keyboard Shortcuts: the layouts' keys, searchable; choosing a layout applies it at once."""
        from editor.ui.shortcuts_dialog import ShortcutsDialog

        dialog = getattr(self, "_shortcuts_dialog", None)
        if dialog is None:
            dialog = self._shortcuts_dialog = ShortcutsDialog(self)
        dialog.show_layout(self.keyboard_layout)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # --- titles, captions, solo, checks before export ------------------------------------------------------

    def add_title(self, preset: str = "Centred title") -> TextClip | None:
        """A title in ``preset``'s style at the playhead, 3 s, on the top video track with room (not a caption
        track), else on a new track on top; selected afterwards so the inspector shows it. One undo step."""
        tl = self.timeline
        at = self.timeline_view.playhead
        length = max(1, round(TITLE_SECONDS * tl.fps))
        clip = TextClip(id=_new_clip_id(), start=at, duration=length, name=preset, text="Title",
                        style=PRESETS[preset])
        track = next((t for t in reversed(tl.video_tracks)
                      if not t.captions and not t.locked and not t.clips_in(at, at + length)), None)
        if track is not None:
            command = Insert(track.id, clip, at)
        else:
            captions = [i for i, t in enumerate(tl.video_tracks) if t.captions]
            new = AddTrack("video", captions[0] if captions else None)
            command = Group("Add title", [new, Insert(new.track_id, clip, at)])
        command.label = "Add title"
        if not self.edits.do(command):
            return None
        self.timeline_view.select({clip.id})
        return clip

    def import_captions_dialog(self) -> bool:
        from editor.ui.file_dialogs import choose_files

        paths = choose_files(self, "Import captions", CAPTION_FILTER, key="captions")
        return self.import_captions(paths[0]) if paths else False

    def import_captions(self, path: str) -> bool:
        """A .srt/.vtt file as a caption track on top (overlapping cues cut to fit); errors in a message box."""
        from editor.interchange.captions import CaptionError, cues_to_frames, non_overlapping, read_captions
        from editor.model.commands import EditError
        from editor.model.commands.captions import ImportCaptions

        try:
            cues = cues_to_frames(non_overlapping(read_captions(path)), self.timeline.fps)
            command = ImportCaptions(cues)
        except (CaptionError, EditError, OSError) as exc:
            QMessageBox.warning(self, "Import captions", (str(exc) or type(exc).__name__).splitlines()[0])
            return False
        if not self.edits.do(command):
            return False
        self.caption_dock.show()
        self.caption_dock.raise_()
        self.show_message(f"Imported {len(cues)} caption{'s' * (len(cues) != 1)}")
        return True

    def solo_track(self) -> bool:
        """Solo (or unsolo) the track of the selected clip, else the top video track."""
        sel = self.timeline_view.selected
        track = next((t for t, c in self.timeline.clips() if c.id in sel), None)
        if track is None and self.timeline.video_tracks:
            track = self.timeline.video_tracks[-1]
        return track is not None and self.edits.do(SetTrackFlags(track.id, solo=not track.solo))

    def master_volume_dialog(self) -> bool:
        """Ask for the whole mix's level in dB (0 dB: as mixed)."""
        current = volume_to_db(self.timeline.master_volume)
        value, ok = QInputDialog.getDouble(self, "Master Volume", "Level of the whole mix (dB):", current,
                                           GAIN_MIN_DB, GAIN_MAX_DB, 1)
        return ok and self.set_master_volume_db(value)

    def set_master_volume_db(self, db: float) -> bool:
        """One undo step; the lowest level the dialog offers is silence."""
        volume = db_to_volume(db)
        done = self.edits.do(SetMasterVolume(volume))
        if done:
            self.show_message(f"Master volume {db:+.1f} dB" if volume else "Master volume off")
        return done

    def export_dialog(self):
        """The export dialog (``WindowFiles.export_dialog``), whose Export button first runs the platform
        checks and asks "Export anyway?" when there are any."""
        dialog = super().export_dialog()
        dialog.before_export = lambda d=dialog: self.confirm_platform(d)
        return dialog

    def platform_warnings(self, dialog) -> list[str]:
        from editor.render.platform_checks import check_export
        from editor.render.settings import resolve_settings

        try:
            size = dialog.size_edit.text().strip() or None
            settings = resolve_settings(self.timeline, dialog.preset_name(), size=size, loudness=None)
        except ValueError:
            return []     # the dialog reports a bad size itself
        return check_export(self.timeline, dialog.preset_name(), settings.width, settings.height, settings.fps)

    def checked_export(self, dialog) -> bool:
        """The Export button: the platform checks, then the export (unless the user stops there)."""
        if not self.confirm_platform(dialog):
            return False
        dialog.start_export()
        return True

    def confirm_platform(self, dialog) -> bool:
        """True when nothing breaks the platform's limits, or the user chose to export anyway."""
        warnings = self.platform_warnings(dialog)
        if warnings:
            box = QMessageBox(QMessageBox.Icon.Warning, "Export anyway?", "\n".join(f"• {w}" for w in warnings),
                              QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, dialog)
            box.setObjectName("PlatformWarnings")
            box.button(QMessageBox.StandardButton.Yes).setText("Export anyway")
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            self._platform_box = box
            return box.exec() == QMessageBox.StandardButton.Yes
        return True


def _new_clip_id() -> str:
    from editor.model import new_id

    return new_id("c")


def layout_settings() -> QSettings:
    # The same store as the recent projects (tests move it with QSettings.setPath).
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptCut", "PromptCut")


def saved_layout() -> str:
    """The keyboard layout chosen last (PromptCut's own when none was, or the stored name is unknown)."""
    return keymaps.find_layout(layout_settings().value(LAYOUT_SETTING, keymaps.DEFAULT)) or keymaps.DEFAULT

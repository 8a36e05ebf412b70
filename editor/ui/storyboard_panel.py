"""The Storyboard dock: the script's shots as cards in timeline order, the selected card's editor, the board's
options and the cast.

The cards are derived from the timeline each time it changes (``editor.storyboard.cards.cards``): the panel
keeps no copy of its own, so moving a clip on the timeline reorders the cards and undo brings them back. Every
change made here is one command from ``editor.storyboard.edits`` on the window's undo stack. Selecting a card
selects its clip on the timeline and moves the playhead there (``clip_chosen``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from editor.model import EditError, GeneratedClip, MediaKind
from editor.ui.cast_panel import CastPanel
from editor.ui.clip_art import thumb_key
from editor.ui.storyboard_cards import CARD_H, THUMB_H, CardDelegate, CardView
from editor.ui.storyboard_editor import BoardOptions, CardEditor
from editor.ui.voice_settings import video_model_entries, voice_entries


class StoryboardPanel(QWidget):
    """``clip_chosen(clip id, frame)``: a card was picked; ``script_requested()``: "From script…";
    ``message(str)``: one line for the status bar. ``shots`` (the window's ``ShotsUi``) gives the cards' states,
    seeds and regeneration; without it (tests of the panel alone) cards are drafts."""

    clip_chosen = Signal(str, int)
    script_requested = Signal()
    message = Signal(str)

    def __init__(self, edits, *, shots=None, art=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StoryboardPanel")
        self.setMinimumWidth(360)   # a card's text and the editor's four buttons need about this much
        self.edits = edits
        self.shots = shots
        self.art = art
        self._cards: list = []
        self._views: dict[str, CardView] = {}
        self._waiting: set[object] = set()
        self._previews: dict[str, QImage] = {}
        self._filling = False
        # Cards asked to generate whose shot waits for the previous one (a chained board): asked again when
        # takes arrive (``continue_chain``).
        self.chain_waiting: set[str] = set()
        voices = voice_entries()

        self.summary = QLabel("")
        self.summary.setObjectName("Dim")
        self.script_button = QPushButton("From script…")
        self.script_button.setToolTip("Make a storyboard from a script (one shot per line)")
        self.script_button.clicked.connect(self.script_requested)
        self.generate_all_button = QPushButton("Generate all")
        self.generate_all_button.setObjectName("Primary")
        self.generate_all_button.setToolTip("Queue every card not made yet: narration first, then the shots")
        self.generate_all_button.clicked.connect(lambda: self.generate())
        head = QHBoxLayout()
        head.setContentsMargins(8, 6, 8, 2)
        head.addWidget(self.summary, 1)
        head.addWidget(self.script_button)
        head.addWidget(self.generate_all_button)

        self.list = QListWidget()
        self.list.setObjectName("StoryboardCards")
        self.list.setItemDelegate(CardDelegate(self.list, lambda shot_id: self._views.get(shot_id)))
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # cards fit the width
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.currentRowChanged.connect(self._current_changed)
        self.list.model().rowsMoved.connect(self._rows_moved)
        self.editor = CardEditor(voices)
        self.editor.edited.connect(lambda changes: self.edit_card(self.editor.shot_id, **changes))
        self.editor.action.connect(self._editor_action)
        editor_scroll = QScrollArea()
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        editor_scroll.setWidget(self.editor)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.list)
        self.split.addWidget(editor_scroll)
        self.split.setSizes([CARD_H * 3 + 20, 420])
        self.split.setChildrenCollapsible(False)

        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        note = QLabel("No storyboard yet.\n\nWrite or paste a script — one shot per line — and PromptCut lays out "
                      "the shots, their narration and captions on the timeline.")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setObjectName("Dim")
        start = QPushButton("New storyboard from a script…")
        start.setObjectName("Primary")
        start.clicked.connect(self.script_requested)
        empty_layout.addStretch(1)
        empty_layout.addWidget(note)
        empty_layout.addWidget(start, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.pages = QStackedWidget()
        self.pages.addWidget(empty)
        self.pages.addWidget(self.split)

        self.board = BoardOptions(video_model_entries(), voices)
        self.board.changed.connect(lambda options: self.set_board(**options))
        self.cast = CastPanel(edits, art)
        self.cast.message.connect(self.message)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("StoryboardTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pages, "Shots")
        self.tabs.addTab(self.board, "Board")
        self.tabs.addTab(self.cast, "Cast")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        if art is not None:
            art.ready.connect(self._art_ready)
        if shots is not None:
            shots.changed.connect(self.refresh_states)
        self.refresh()

    @property
    def timeline(self):
        return self.edits.timeline

    # --- showing the cards ---------------------------------------------------------------------------

    def cards(self) -> list:
        from editor.storyboard.cards import cards

        return cards(self.timeline)

    def shot_ids(self) -> list[str]:
        """The cards' shot ids in the order the list shows them."""
        return [self.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.list.count())]

    def card_view(self, shot_id: str) -> CardView:
        return self._views[shot_id]

    def refresh(self) -> None:
        """The timeline changed: derive the cards again and show them (the list keeps its selection)."""
        board = self.timeline.story.storyboard
        self._cards = self.cards() if board is not None else []
        self.pages.setCurrentIndex(1 if self._cards else 0)
        self.generate_all_button.setEnabled(bool(self._cards))
        total = sum(float(c.seconds) for c in self._cards)
        self.summary.setText(f"{len(self._cards)} shot{'s' * (len(self._cards) != 1)} · {total:.1f} s"
                             if self._cards else "")
        self._fill()
        self.board.show_board(board)
        self.cast.base_dir = self._base_dir()
        self.cast.refresh()
        self._show_editor()

    def refresh_states(self) -> None:
        """Only the states (a job moved on): repaint the cards and the editor's state line."""
        if self._cards:
            self._fill()
            self._show_editor()

    def _fill(self) -> None:
        current = self.current_shot_id()
        views = [self._view(c) for c in self._cards]
        shown = self._views
        self._views = {v.shot_id: v for v in views}
        self._filling = True
        try:
            if self.shot_ids() != [v.shot_id for v in views]:
                self.list.clear()
                for v in views:
                    item = QListWidgetItem()
                    item.setData(Qt.ItemDataRole.UserRole, v.shot_id)
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)   # drop between cards only
                    self.list.addItem(item)
            for row, v in enumerate(views):
                old = shown.get(v.shot_id)
                if old != v or (v.thumbnail is None) != (old is None or old.thumbnail is None):
                    item = self.list.item(row)
                    item.setToolTip(v.tooltip)
                    self.list.update(self.list.indexFromItem(item))
            ids = self.shot_ids()
            if current in ids:
                self.list.setCurrentRow(ids.index(current))
        finally:
            self._filling = False

    def _status(self, clip: GeneratedClip | None):
        if clip is None or self.shots is None:
            return None
        with contextlib.suppress(Exception):   # the generator's trouble never breaks the panel
            return self.shots.status(clip)
        return None

    def _view(self, card) -> CardView:
        status = self._status(card.clip)
        state = status.state if status is not None else ("ready" if card.clip is not None
                                                         and card.clip.media_id() else "draft")
        tl = self.timeline
        return CardView(
            shot_id=card.shot.id, clip_id=card.clip.id if card.clip is not None else "", index=card.index,
            seconds=float(card.seconds), fixed=card.shot.seconds is not None, narration=card.shot.narration,
            picture=card.shot.picture, cast=tuple(m.name for m in card.cast), state=state,
            state_text=status.text() if status is not None else state.title(),
            fraction=status.fraction if status is not None and state == "generating" else None,
            notes=tuple(card.notes), start=card.start,
            aspect=tl.settings.width / tl.settings.height, thumbnail=self._thumbnail(card.clip, status))

    def _thumbnail(self, clip: GeneratedClip | None, status) -> QImage | None:
        """The active take's first picture (the timeline's thumbnail cache), else the live preview while it is
        being made, else None (the card shows its number)."""
        if clip is None:
            return None
        media = self.timeline.media.get(clip.media_id() or "")
        if media is not None and media.online and media.has_video and self.art is not None:
            t = 0.0 if media.kind is MediaKind.IMAGE else max(0.0, clip.source_in / float(self.timeline.fps))
            image = self.art.thumb(media.path, t, THUMB_H)
            if image is None:
                self._waiting.add(thumb_key(media.path, t, THUMB_H))
            return image
        preview = getattr(status, "preview", None)
        if preview:
            if preview not in self._previews:
                image = QImage(preview)
                if image.isNull():
                    return None
                self._previews = {preview: image}   # only the latest preview is kept
            return self._previews[preview]
        return None

    def _art_ready(self, key: object) -> None:
        if key in self._waiting:
            self._waiting.discard(key)
            with contextlib.suppress(RuntimeError):
                self._fill()

    def _base_dir(self):
        window = self.window()
        path = getattr(window, "path", None)
        return path.parent if path is not None else None

    # --- the selected card ---------------------------------------------------------------------------

    def current_shot_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def current_card(self):
        shot_id = self.current_shot_id()
        return next((c for c in self._cards if c.shot.id == shot_id), None)

    def select_card(self, shot_id: str) -> None:
        ids = self.shot_ids()
        if shot_id in ids:
            self.list.setCurrentRow(ids.index(shot_id))

    def follow_selection(self, clip_ids: set[str]) -> None:
        """The timeline's selection changed: show the card whose clips hold it (without echoing back)."""
        board = self.timeline.story.storyboard
        if board is None or len(clip_ids) != 1:
            return
        shot = board.shot_for_clip(next(iter(clip_ids)))
        if shot is not None and shot.id != self.current_shot_id() and shot.id in self.shot_ids():
            self._filling = True
            try:
                self.select_card(shot.id)
            finally:
                self._filling = False
            self._show_editor()

    def _current_changed(self, _row: int) -> None:
        self._show_editor()
        if self._filling:
            return
        card = self.current_card()
        if card is not None and card.clip is not None:
            self.clip_chosen.emit(card.clip.id, card.start)

    def _show_editor(self) -> None:
        card = self.current_card()
        if card is None:
            self.editor.show_card(None)
            return
        status = self._status(card.clip)
        self.editor.show_card(card, cast=self.timeline.story.cast,
                              state_text=status.text() if status is not None else "Draft",
                              can_generate=status is None or status.state == "draft",
                              last=card.index == len(self._cards) - 1)

    # --- edits (each one undo step) ------------------------------------------------------------------

    def _do(self, make: Callable, *args, **kwargs) -> bool:
        try:
            command = make(self.timeline, *args, **kwargs)
        except (EditError, ValueError, KeyError) as exc:
            self.message.emit((str(exc) or type(exc).__name__).splitlines()[0])
            self.refresh()
            return False
        if command is None:
            return False
        return self.edits.do(command)

    def move_card(self, shot_id: str, index: int) -> bool:
        from editor.storyboard.edits import move_card

        done = self._do(move_card, shot_id, index)
        if not done:
            self.refresh()   # the list shows the order the timeline has
        return done

    def edit_card(self, shot_id: str | None, **changes) -> bool:
        from editor.storyboard.edits import edit_card

        return shot_id is not None and bool(changes) and self._do(edit_card, shot_id, **changes)

    def split_card(self, shot_id: str) -> bool:
        from editor.storyboard.edits import split_card

        return self._do(split_card, shot_id)

    def merge_card(self, shot_id: str) -> bool:
        from editor.storyboard.edits import merge_cards

        return self._do(merge_cards, shot_id)

    def remove_card(self, shot_id: str) -> bool:
        from editor.storyboard.edits import remove_card

        return self._do(remove_card, shot_id)

    def set_board(self, **options) -> bool:
        from editor.storyboard.edits import set_board

        return bool(options) and self._do(set_board, **options)

    def generate(self, shot_ids: list[str] | None = None, what: tuple[str, ...] = ("speech", "video")) -> bool:
        """Give the drafts among ``shot_ids`` (None: every card) seeds: the shot queue then makes them (it
        syncs after every edit)."""
        from editor.storyboard.edits import generate
        from generation.plan import random_seed

        seed_source = self.shots.queue.seed_source if self.shots is not None else random_seed
        try:
            command = generate(self.timeline, shot_ids, seed_source=seed_source, what=what)
        except (EditError, ValueError, KeyError) as exc:
            self.message.emit((str(exc) or type(exc).__name__).splitlines()[0])
            return False
        if command is None:
            self.message.emit("Nothing to generate: every card is queued or made (Regenerate makes new takes)")
            return False
        if not self.edits.do(command):
            return False
        asked = list(shot_ids) if shot_ids is not None else [c.shot.id for c in self._cards]
        self.chain_waiting = {c.shot.id for c in self.cards() if c.shot.id in set(asked) and c.clip is not None
                              and c.clip.pending and c.clip.spec.seed is None} if "video" in what else set()
        n = len(asked)
        self.message.emit(f"Generating {n} card{'s' * (n != 1)}")
        return True

    def continue_chain(self, _clips: list | None = None) -> bool:
        """Takes arrived: on a chained board, the cards that waited for the shot before them go on."""
        board = self.timeline.story.storyboard
        known = {c.shot.id for c in self.cards()} if board is not None else set()
        self.chain_waiting &= known
        if not self.chain_waiting or board is None or not board.chain:
            return False
        from editor.storyboard.edits import generate
        from generation.plan import random_seed

        seed_source = self.shots.queue.seed_source if self.shots is not None else random_seed
        try:
            command = generate(self.timeline, sorted(self.chain_waiting), seed_source=seed_source, what=("video",))
        except (EditError, ValueError, KeyError):
            return False   # still waiting: nothing of the chain is ready yet
        if command is None or not self.edits.do(command):
            return False
        self.chain_waiting = {c.shot.id for c in self.cards() if c.shot.id in self.chain_waiting
                              and c.clip is not None and c.clip.spec.seed is None}
        return True

    def regenerate_shot(self, shot_id: str) -> bool:
        """A card's shot again: Generate for a draft, Retry for a failure, else a new take (new seed)."""
        card = next((c for c in self._cards if c.shot.id == shot_id), None)
        if card is None or card.clip is None:
            return False
        status = self._status(card.clip)
        if status is None or status.state == "draft":
            return self.generate([shot_id])
        if status.can_retry:
            self.shots.retry(card.clip.id)
            return True
        return bool(self.shots.regenerate(card.clip.id))

    def regenerate_line(self, shot_id: str) -> bool:
        """Speak a card's narration again (a new take), or for the first time."""
        card = next((c for c in self._cards if c.shot.id == shot_id), None)
        if card is None or card.speech is None:
            self.message.emit("This card has no narration to speak")
            return False
        status = self._status(card.speech)
        if status is None or status.state == "draft":
            return self.generate([shot_id], what=("speech",))
        return bool(self.shots.regenerate(card.speech.id))

    # --- gestures ------------------------------------------------------------------------------------

    def _editor_action(self, name: str) -> None:
        shot_id = self.editor.shot_id
        if shot_id is None:
            return
        {"generate": self.regenerate_shot, "split": self.split_card, "merge": self.merge_card,
         "remove": self.remove_card, "regenerate_line": self.regenerate_line}[name](shot_id)

    def _rows_moved(self, _parent, start: int, _end: int, _dest, row: int) -> None:
        """A card was dragged to ``row``: move its shot there on the timeline, after the drop has finished."""
        if self._filling:
            return
        shot_id = self.shot_ids()[row if row < start else row - 1] if self.list.count() else None
        index = row if row < start else row - 1
        if shot_id is not None:
            QTimer.singleShot(0, self, lambda: self.move_card(shot_id, index))

    def context_entries(self, shot_id: str) -> list[tuple[str, Callable[[], object] | None]]:
        ids = self.shot_ids()
        i = ids.index(shot_id)
        return [("Generate", lambda: self.regenerate_shot(shot_id)),
                ("Regenerate narration", lambda: self.regenerate_line(shot_id)),
                ("", None),
                ("Move up", (lambda: self.move_card(shot_id, i - 1)) if i > 0 else None),
                ("Move down", (lambda: self.move_card(shot_id, i + 1)) if i < len(ids) - 1 else None),
                ("Split", lambda: self.split_card(shot_id)),
                ("Merge with next", (lambda: self.merge_card(shot_id)) if i < len(ids) - 1 else None),
                ("", None),
                ("Remove", lambda: self.remove_card(shot_id))]

    def _context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        self.list.setCurrentItem(item)
        menu = QMenu(self)
        for text, slot in self.context_entries(item.data(Qt.ItemDataRole.UserRole)):
            if not text:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setEnabled(slot is not None)
            if slot is not None:
                action.triggered.connect(lambda _=False, s=slot: s())
        self.context_menu = menu   # kept so tests can find it
        menu.popup(self.list.viewport().mapToGlobal(pos))

"""The welcome / new-project dialog: canvas shape and frame rate, open, a recent project, a demo project, or a
project with unsaved changes a crash left (the Recover list, from the autosave's recovery copies).

On the first run (``editor.setup.first_run.setup_state() == "new"``) a banner offers to set up generation
(choice 'setup': the window opens the setup wizard); once it was done or skipped, Generate > Models offers it.

The recent projects are read from where the main window keeps them (``recent/projects`` in the PromptCut INI
settings, newest first) without pruning, so files that have gone are listed greyed with "(missing)" and
cannot be chosen.
"""

from __future__ import annotations

import logging
import time
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from editor.model import Settings
from editor.model.time import parse_rate
from editor.ui.autosave import Recoverable, recoverable_projects

ASPECTS = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}
RATES = ["24", "25", "30", "30000/1001", "50", "60"]
RECENT_KEY = "recent/projects"
SETUP_OFFER = ("Generation is not set up yet: find your GPU, pick the models that fit it, download them and "
               "make a test shot.")

logger = logging.getLogger(__name__)


def setup_is_new() -> bool:
    """Whether generation setup was never done nor skipped (a failure to tell is logged: no offer then)."""
    from editor.setup.first_run import setup_state

    try:
        return setup_state() == "new"
    except Exception as exc:  # noqa: BLE001 - the welcome screen opens whatever the setup record says
        logger.warning("cannot read the setup state: %s", exc, exc_info=exc)
        return False


def stored_recent_projects() -> list[str]:
    """The recent projects as the main window stored them (newest first), missing files included."""
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "PromptCut", "PromptCut")
    stored = settings.value(RECENT_KEY, [])
    if isinstance(stored, str):
        stored = [stored]
    return [str(p) for p in (stored or []) if str(p)]


class WelcomeDialog(QDialog):
    """``choice`` after exec(): 'new', 'open', 'recent', 'recover', 'demo' or 'setup'; ``settings()`` for 'new';
    ``recent_path`` (the project file to open) for 'recent'; ``recovered`` (the project and its recovery copy)
    for 'recover'. ``recents`` overrides the stored list (tests); ``offer_setup`` whether to offer generation
    setup (default: when it was never done nor skipped)."""

    def __init__(self, parent: QWidget | None = None, *, recents: list[str] | None = None,
                 offer_setup: bool | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to PromptCut")
        self.setObjectName("Welcome")
        self.choice = ""
        self.recent_path = ""
        self.recovered: Recoverable | None = None
        title = QLabel("PromptCut")
        title.setObjectName("WelcomeTitle")
        sub = QLabel("Recorded clips and prompt-generated shots on one timeline.")
        sub.setObjectName("Dim")
        self.setup_offer = QFrame()
        self.setup_offer.setObjectName("SetupOffer")
        self.setup_offer.setStyleSheet("QFrame#SetupOffer { background: #1f2a40; border: 1px solid #3a66d6; "
                                       "border-radius: 6px; } QFrame#SetupOffer QLabel { background: transparent; "
                                       "color: #dfe6f5; }")
        offer_text = QLabel(SETUP_OFFER)
        offer_text.setWordWrap(True)
        self.setup_button = QPushButton("Set up generation…")
        self.setup_button.setObjectName("setup-generation")
        self.setup_button.clicked.connect(lambda: self.choose("setup"))
        offer_row = QHBoxLayout(self.setup_offer)
        offer_row.setContentsMargins(12, 8, 8, 8)
        offer_row.addWidget(offer_text, 1)
        offer_row.addWidget(self.setup_button)
        self.aspect_group = QButtonGroup(self)
        aspects = QHBoxLayout()
        for i, (name, (w, h)) in enumerate(ASPECTS.items()):
            b = QPushButton(f"{name}\n{w}×{h}")
            b.setCheckable(True)
            b.setObjectName("AspectButton")
            b.setMinimumHeight(64)
            self.aspect_group.addButton(b, i)
            aspects.addWidget(b)
        self.aspect_group.button(0).setChecked(True)
        self.rate = QComboBox()
        self.rate.addItems(RATES)
        self.rate.setCurrentText("30")
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel("Frame rate"))
        rate_row.addWidget(self.rate, 1)
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("RecentProjects")
        self.recent_list.setMaximumHeight(150)
        for path in stored_recent_projects() if recents is None else recents:
            missing = not Path(path).is_file()
            item = QListWidgetItem(f"{Path(path).name}" + ("  (missing)" if missing else ""))
            item.setToolTip(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            if missing:
                item.setFlags(item.flags() & ~(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable))
                item.setForeground(QColor("#7a7f88"))
            self.recent_list.addItem(item)
        self.recent_list.itemDoubleClicked.connect(self.open_recent_item)
        self.recent_list.currentItemChanged.connect(lambda *_: self._update_open_recent())
        self.open_recent_button = QPushButton("Open recent")
        self.open_recent_button.clicked.connect(lambda: self.open_recent_item(self.recent_list.currentItem()))
        recent_row = QHBoxLayout()
        recent_row.addWidget(QLabel("Recent projects"), 1)
        recent_row.addWidget(self.open_recent_button)
        self._update_open_recent()
        # Projects a crash left with unsaved changes: offered here, at start, not only when reopened.
        self.recoverables = recoverable_projects()
        self.recover_list = QListWidget()
        self.recover_list.setObjectName("RecoverProjects")
        self.recover_list.setMaximumHeight(110)
        for found in self.recoverables:
            when = time.strftime("%a %d %b, %H:%M", time.localtime(found.saved_at))
            item = QListWidgetItem(f"{found.project.name}  —  unsaved changes from {when}")
            item.setToolTip(str(found.project))
            self.recover_list.addItem(item)
        self.recover_list.itemDoubleClicked.connect(lambda _item: self.recover_current())
        self.recover_list.currentItemChanged.connect(lambda *_: self._update_recover())
        self.recover_button = QPushButton("Recover")
        self.recover_button.clicked.connect(self.recover_current)
        recover_row = QHBoxLayout()
        recover_row.addWidget(QLabel("Recover (PromptCut closed without saving these)"), 1)
        recover_row.addWidget(self.recover_button)
        if self.recoverables:
            self.recover_list.setCurrentRow(0)
        self._update_recover()
        buttons = QHBoxLayout()
        for text, choice, primary in (("Open…", "open", False), ("Demo project", "demo", False),
                                      ("Create", "new", True)):
            b = QPushButton(text)
            if primary:
                b.setObjectName("Primary")
                b.setDefault(True)
            b.clicked.connect(lambda _=False, c=choice: self.choose(c))
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(sub)
        layout.addWidget(self.setup_offer)
        self.setup_offer.setVisible(setup_is_new() if offer_setup is None else offer_setup)
        if self.recoverables:   # first: unsaved work matters more than a new project
            layout.addLayout(recover_row)
            layout.addWidget(self.recover_list)
        else:
            self.recover_list.hide()
            self.recover_button.hide()
        layout.addWidget(QLabel("New project"))
        layout.addLayout(aspects)
        layout.addLayout(rate_row)
        if self.recent_list.count():
            layout.addLayout(recent_row)
            layout.addWidget(self.recent_list)
        else:
            self.recent_list.hide()
            self.open_recent_button.hide()
        layout.addLayout(buttons)

    def choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def _update_open_recent(self) -> None:
        item = self.recent_list.currentItem()
        self.open_recent_button.setEnabled(item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled))

    def open_recent_item(self, item: QListWidgetItem | None) -> None:
        """Choose the recent project ``item`` (ignored when None or its file is missing)."""
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        path = str(item.data(Qt.ItemDataRole.UserRole))
        if not Path(path).is_file():
            return
        self.recent_path = path
        self.choose("recent")

    def _update_recover(self) -> None:
        self.recover_button.setEnabled(self.recover_list.currentRow() >= 0)

    def recover_current(self) -> None:
        """Choose the project selected in the Recover list, to be opened with its unsaved changes."""
        row = self.recover_list.currentRow()
        if not 0 <= row < len(self.recoverables):
            return
        self.recovered = self.recoverables[row]
        self.choose("recover")

    def recent_paths(self) -> list[str]:
        """The paths listed (missing ones included), in order."""
        return [self.recent_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.recent_list.count())]

    def settings(self) -> Settings:
        w, h = list(ASPECTS.values())[max(0, self.aspect_group.checkedId())]
        return Settings(w, h, Fraction(parse_rate(self.rate.currentText())))

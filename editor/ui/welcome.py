"""The welcome / new-project dialog: canvas shape and frame rate, open, or a demo project."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import QButtonGroup, QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from editor.model import Settings
from editor.model.time import parse_rate

ASPECTS = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}
RATES = ["24", "25", "30", "30000/1001", "50", "60"]


class WelcomeDialog(QDialog):
    """``choice`` after exec(): 'new', 'open' or 'demo'; ``settings()`` for 'new'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to PromptCut")
        self.setObjectName("Welcome")
        self.choice = ""
        title = QLabel("PromptCut")
        title.setObjectName("WelcomeTitle")
        sub = QLabel("Recorded clips and prompt-generated shots on one timeline.")
        sub.setObjectName("Dim")
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
        layout.addWidget(QLabel("New project"))
        layout.addLayout(aspects)
        layout.addLayout(rate_row)
        layout.addLayout(buttons)

    def choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def settings(self) -> Settings:
        w, h = list(ASPECTS.values())[max(0, self.aspect_group.checkedId())]
        return Settings(w, h, Fraction(parse_rate(self.rate.currentText())))

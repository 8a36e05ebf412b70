"""The model's commands on a QUndoStack: apply first (a refusal never reaches the stack), then push."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from editor.model import Command, EditError, Timeline


class _Wrapped(QUndoCommand):
    """A model command already applied: the first redo() (QUndoStack.push calls it) does nothing."""

    def __init__(self, edits: Edits, command: Command) -> None:
        super().__init__(command.label)
        self.edits = edits
        self.command = command
        self._fresh = True

    def redo(self) -> None:
        if self._fresh:
            self._fresh = False
            return
        self.command.apply(self.edits.timeline)

    def undo(self) -> None:
        self.command.revert(self.edits.timeline)


class Edits(QObject):
    """The one way the window changes the timeline. ``refused`` carries the one-line reason of an EditError."""

    refused = Signal(str)

    def __init__(self, timeline: Timeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeline = timeline
        self.stack = QUndoStack(self)

    def reset(self, timeline: Timeline) -> None:
        """A new document: forget the history."""
        self.stack.clear()
        self.timeline = timeline
        self.stack.setClean()

    def do(self, command: Command) -> bool:
        try:
            command.apply(self.timeline)
        except EditError as exc:
            self.refused.emit(str(exc))
            return False
        self.stack.push(_Wrapped(self, command))
        return True

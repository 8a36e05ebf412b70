"""Grouping commands into one undo step, and the undo/redo history (pure Python; the GUI may use a
QUndoStack instead, calling ``apply``/``revert`` from its commands' redo/undo)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from editor.model.commands.base import Command, EditError, Plan
from editor.model.timeline import Change, Timeline


def merge_changes(label: str, changes: Iterable[Change]) -> Change:
    track_ids: list[str] = []
    layout = media = markers = story = False
    for c in changes:
        track_ids += [t for t in c.track_ids if t not in track_ids]
        layout, media, markers = layout or c.layout, media or c.media, markers or c.markers
        story = story or c.story
    return Change(label, tuple(track_ids), layout=layout, media=media, markers=markers, story=story)


class Group(Command):
    """Several commands as one: applied in order, reverted in reverse order, one undo step, one change event.

    If a part is refused, the parts already applied are reverted (the timeline is left unchanged) and the
    part's EditError propagates.
    """

    def __init__(self, label: str, commands: Iterable[Command]) -> None:
        self.label = label
        self.commands = list(commands)

    @classmethod
    def of_applied(cls, label: str, commands: Iterable[Command]) -> Group:
        """A group of commands that have already been applied, in order (as ``History.group`` collects)."""
        group = cls(label, commands)
        if not all(c.applied for c in group.commands):
            raise RuntimeError(f"{label}: not every part has been applied")
        group._change = merge_changes(label, (c._change for c in group.commands if c._change is not None))
        return group

    def plan(self, tl: Timeline, p: Plan) -> None:   # pragma: no cover - groups apply their parts instead
        raise NotImplementedError

    def _apply_quiet(self, tl: Timeline) -> Change:
        if self.applied:
            raise RuntimeError(f"{self.label}: already applied")
        changes: list[Change] = []
        done: list[Command] = []
        try:
            for command in self.commands:
                changes.append(command._apply_quiet(tl))
                done.append(command)
        except BaseException:
            for command in reversed(done):
                command._revert_quiet(tl)
            raise
        self._change = merge_changes(self.label, changes)
        return self._change

    def _revert_quiet(self, tl: Timeline) -> Change:
        if self._change is None:
            raise RuntimeError(f"{self.label}: not applied")
        for command in reversed(self.commands):
            command._revert_quiet(tl)
        change, self._change = self._change, None
        return change


_UNREACHABLE = object()


class History:
    """Undo and redo for one timeline.

    ``do(cmd)`` applies and records a command (a refused one raises EditError and is not recorded);
    ``with history.group("label"):`` makes the commands done inside one undo step, rolled back as a whole if
    the block raises. ``limit`` caps how many steps are kept (None: all).
    """

    def __init__(self, timeline: Timeline, limit: int | None = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"history limit must be at least 1, got {limit}")
        self.timeline = timeline
        self.limit = limit
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._open: list[tuple[str, list[Command]]] = []
        self._clean: object = None   # the command on top of the undo stack when the state was saved

    # --- state ----------------------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and not self._open

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and not self._open

    @property
    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    @property
    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    @property
    def undo_stack(self) -> tuple[Command, ...]:
        return tuple(self._undo)

    @property
    def redo_stack(self) -> tuple[Command, ...]:
        return tuple(self._redo)

    @property
    def is_clean(self) -> bool:
        """True while the timeline is in the state last marked clean (e.g. saved)."""
        return (self._undo[-1] if self._undo else None) is self._clean and not self._open

    def mark_clean(self) -> None:
        self._clean = self._undo[-1] if self._undo else None

    def clear(self) -> None:
        if self._open:
            raise RuntimeError("cannot clear the history inside a group")
        self._undo.clear()
        self._redo.clear()
        self._clean = _UNREACHABLE

    # --- editing ----------------------------------------------------------------------------------------

    def do(self, command: Command) -> Command:
        command.apply(self.timeline)
        self._record(command)
        return command

    def _record(self, command: Command) -> None:
        if self._open:
            self._open[-1][1].append(command)
            return
        self._undo.append(command)
        self._redo.clear()
        if self.limit is not None and len(self._undo) > self.limit:
            dropped = self._undo.pop(0)
            if dropped is self._clean or self._clean is None:
                self._clean = _UNREACHABLE

    def undo(self) -> Command:
        if self._open:
            raise RuntimeError("cannot undo inside a group")
        if not self._undo:
            raise EditError("nothing to undo")
        command = self._undo.pop()
        try:
            command.revert(self.timeline)
        except BaseException:
            self._undo.append(command)
            raise
        self._redo.append(command)
        return command

    def redo(self) -> Command:
        if self._open:
            raise RuntimeError("cannot redo inside a group")
        if not self._redo:
            raise EditError("nothing to redo")
        command = self._redo.pop()
        try:
            command.apply(self.timeline)
        except BaseException:
            self._redo.append(command)
            raise
        self._undo.append(command)
        return command

    @contextmanager
    def group(self, label: str) -> Iterator[None]:
        """Commands done inside the block become one undo step. If the block raises, they are reverted and
        the exception propagates. Groups nest (an inner group is one part of the outer one)."""
        self._open.append((label, []))
        try:
            yield
        except BaseException:
            _, commands = self._open.pop()
            for command in reversed(commands):
                command.revert(self.timeline)
            raise
        _, commands = self._open.pop()
        if commands:
            self._record(Group.of_applied(label, commands))


UndoStack = History

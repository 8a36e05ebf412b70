"""History (undo/redo, labels, clean state, limit) and groups with rollback."""

from __future__ import annotations

import pytest

from editor.model import Change, EditError, Group, History
from editor.model.commands import AddMarker, Delete, Insert, Move, SetTrackFlags, Split, TrimTail
from editor.model.testing import clip, spans
from editor.model.timeline import Marker


def test_do_undo_redo_and_labels(tl):
    original = tl.copy()
    h = History(tl)
    assert (h.can_undo, h.can_redo, h.undo_label, h.redo_label) == (False, False, None, None)
    h.do(Split("a", 30, right_id="a2"))
    h.do(Delete("b"))
    after = tl.copy()
    assert (h.can_undo, h.undo_label) == (True, "Delete")
    assert h.undo().label == "Delete"
    assert (h.undo_label, h.redo_label) == ("Split", "Delete")
    h.undo()
    assert tl == original and not h.can_undo
    h.redo()
    h.redo()
    assert tl == after and not h.can_redo
    tl.check()


def test_nothing_to_undo_or_redo(tl):
    h = History(tl)
    with pytest.raises(EditError, match="nothing to undo"):
        h.undo()
    with pytest.raises(EditError, match="nothing to redo"):
        h.redo()


def test_a_new_edit_drops_the_redo_steps_but_a_refused_one_does_not(tl):
    h = History(tl)
    h.do(Delete("b"))
    h.undo()
    with pytest.raises(EditError):
        h.do(Delete("zz"))
    assert h.redo_label == "Delete"
    h.do(Delete("c"))
    assert not h.can_redo
    assert [c.label for c in h.undo_stack] == ["Delete"]


def test_undo_and_redo_emit_changes(tl):
    events: list[Change] = []
    tl.subscribe(events.append)
    h = History(tl)
    h.do(TrimTail("a", 90))
    h.undo()
    h.redo()
    assert events == [Change("Trim tail", ("V1",)), Change("Trim tail", ("V1",), undo=True),
                      Change("Trim tail", ("V1",))]


def test_group_command_is_one_step_and_one_event(tl):
    events: list[Change] = []
    tl.subscribe(events.append)
    original = tl.copy()
    h = History(tl)
    split = Split("a", 30, right_id="a2")
    h.do(Group("Cut and lift", [split, Move(split.right_id, "V2", 200)]))
    assert spans(tl, "V2") == [("g", 50, 110, 0), ("a2", 200, 270, 80)]
    assert events == [Change("Cut and lift", ("V1", "V2"))]
    assert h.undo_label == "Cut and lift"
    h.undo()
    assert tl == original and not h.can_undo
    assert events[-1] == Change("Cut and lift", ("V1", "V2"), undo=True)


def test_a_refused_part_rolls_the_group_back(tl):
    events: list[Change] = []
    tl.subscribe(events.append)
    original = tl.copy()
    h = History(tl)
    group = Group("Two things", [Split("a", 30), Delete("b"), Delete("nope")])
    with pytest.raises(EditError, match="no clip 'nope'"):
        h.do(group)
    assert tl == original and events == [] and not h.can_undo and not group.applied
    for part in group.commands:
        assert not part.applied
    tl.check()


def test_group_context_manager_is_one_undo_step(tl):
    original = tl.copy()
    h = History(tl)
    with h.group("Tidy up"):
        h.do(Delete("b"))
        h.do(AddMarker(Marker(10)))
        assert not h.can_undo
    assert [c.label for c in h.undo_stack] == ["Tidy up"]
    after = tl.copy()
    h.undo()
    assert tl == original
    h.redo()
    assert tl == after


def test_group_context_manager_rolls_back_on_error(tl):
    original = tl.copy()
    h = History(tl)
    h.do(AddMarker(Marker(1)))
    before = tl.copy()
    with pytest.raises(EditError, match="track V1 is locked"), h.group("Doomed"):
        h.do(Delete("g"))
        h.do(SetTrackFlags("V1", locked=True))
        h.do(Delete("a"))
    assert tl == before and h.undo_label == "Add marker"
    with pytest.raises(ZeroDivisionError), h.group("Doomed too"):
        h.do(Delete("g"))
        _ = 1 / 0
    assert tl == before
    h.undo()
    assert tl == original


def test_groups_nest(tl):
    original = tl.copy()
    h = History(tl)
    with h.group("Outer"):
        h.do(Delete("a"))
        with h.group("Inner"):
            h.do(Delete("b"))
            h.do(Delete("c"))
    assert [c.label for c in h.undo_stack] == ["Outer"]
    assert spans(tl, "V1") == []
    h.undo()
    assert tl == original


def test_an_empty_group_records_nothing(tl):
    h = History(tl)
    with h.group("Nothing"):
        pass
    assert not h.can_undo


def test_no_undo_inside_a_group(tl):
    h = History(tl)
    h.do(Delete("a"))
    with pytest.raises(RuntimeError, match="inside a group"), h.group("g"):
        h.undo()


def test_clean_state_follows_undo_and_redo(tl):
    h = History(tl)
    assert h.is_clean
    h.do(Delete("a"))
    assert not h.is_clean
    h.mark_clean()
    h.do(Delete("b"))
    assert not h.is_clean
    h.undo()
    assert h.is_clean
    h.undo()
    assert not h.is_clean
    h.redo()
    assert h.is_clean


def test_limit_drops_the_oldest_steps(tl):
    h = History(tl, limit=2)
    for cid in ("a", "b", "c"):
        h.do(Delete(cid))
    assert len(h.undo_stack) == 2
    h.undo()
    h.undo()
    assert spans(tl, "V1") == [("b", 100, 150, 0), ("c", 200, 240, 0)]
    assert not h.can_undo and not h.is_clean


def test_a_command_cannot_be_applied_twice(tl):
    cmd = Delete("a")
    cmd.apply(tl)
    with pytest.raises(RuntimeError, match="already applied"):
        cmd.apply(tl)
    cmd.revert(tl)
    with pytest.raises(RuntimeError, match="not applied"):
        cmd.revert(tl)


def test_redo_reuses_the_ids_a_command_made(tl):
    h = History(tl)
    insert = Insert("V1", clip("cam", 0, 10, clip_id="n"), at=50)
    h.do(insert)
    h.do(Move(insert.split_id, "V2", 300))
    after = tl.copy()
    h.undo()
    h.undo()
    h.redo()
    h.redo()
    assert tl == after

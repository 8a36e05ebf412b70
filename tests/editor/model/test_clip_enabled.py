"""Clip.enabled (Clip > Enable, Shift+E): a disabled clip stays where it is on the timeline; the flag is a
property of every clip kind, set with SetClipProperties and undone like any other."""

from __future__ import annotations

from editor.model import Group, TextClip
from editor.model.commands import Insert, SetClipProperties
from editor.model.testing import spans


def test_clips_are_enabled_unless_told_otherwise(tl):
    assert all(c.enabled for _, c in tl.clips())


def test_disabling_keeps_the_clip_in_place_and_undo_restores_it(tl, do):
    before = spans(tl, "V1")
    do(tl, SetClipProperties("a", enabled=False))
    assert not tl.find("a")[1].enabled
    assert spans(tl, "V1") == before            # same place, same length, same source
    do(tl, SetClipProperties("a", enabled=True))
    assert tl.find("a")[1].enabled


def test_every_clip_kind_can_be_disabled_in_one_step(tl, do):
    tl.track("V2").add(TextClip(id="t", start=120, duration=30, text="Hi"))
    tl.check()
    ids = ("a", "g", "m", "t")                  # media (video and sound), generated, text
    cmd = do(tl, Group("Disable 4 clips", [SetClipProperties(i, enabled=False) for i in ids]))
    assert [tl.find(i)[1].enabled for i in ids] == [False] * 4
    cmd.revert(tl)
    assert [tl.find(i)[1].enabled for i in ids] == [True] * 4


def test_enabled_is_true_or_false(tl, refuse):
    refuse(tl, SetClipProperties("a", enabled="no"), "enabled is true or false, got 'no'")
    refuse(tl, SetClipProperties("a", enabled=0), "enabled is true or false")


def test_a_disabled_clip_split_by_an_insert_stays_disabled_on_both_sides(tl, do):
    from editor.model.testing import clip

    do(tl, SetClipProperties("b", enabled=False))
    do(tl, Insert("V1", clip("cam", 110, 20, clip_id="x"), split_id="b2"))
    parts = {c.id: c for c in tl.track("V1").clips}
    assert (parts["b"].enabled, parts["b2"].enabled, parts["x"].enabled) == (False, False, True)
    assert (parts["b"].end, parts["x"].start, parts["b2"].start) == (110, 110, 130)

"""The Command base: the check after running refuses (and rolls back) edits that would break a rule, even
from a command that forgot to validate; a custom command needs only a ``plan``."""

from __future__ import annotations

from dataclasses import replace

from editor.model import Command, Timeline
from editor.model.commands import Plan
from editor.model.testing import clip, spans


class Nudge(Command):
    """A careless custom command: moves a clip by ``by`` frames without looking at its neighbours."""

    label = "Nudge"

    def __init__(self, clip_id: str, by: int):
        self.clip_id, self.by = clip_id, by

    def plan(self, tl: Timeline, p: Plan) -> None:
        track, c = tl.find(self.clip_id)
        p.set_clips(track, [replace(x, start=x.start + self.by) if x is c else x for x in track.clips])


def test_a_custom_command_works_like_the_others(tl, do):
    do(tl, Nudge("c", 5))
    assert spans(tl, "V1")[-1] == ("c", 205, 245, 0)


def test_the_check_after_running_refuses_a_broken_result(tl, refuse):
    refuse(tl, Nudge("a", 1), "Nudge refused: clips a and b overlap on track V1")
    refuse(tl, Nudge("b", -1), "Nudge refused: clips a and b overlap on track V1")
    refuse(tl, Nudge("a", -1), "Nudge refused: clip a starts before zero")


def test_the_check_covers_the_far_end_of_a_long_track(tl, refuse):
    v1 = tl.track("V1")
    for i in range(50):
        v1.add(clip("logo", 300 + 10 * i, 10, clip_id=f"x{i}"))
    tl.check()
    refuse(tl, Nudge("x48", 1), "clips x48 and x49 overlap")
    refuse(tl, Nudge("x49", -1), "clips x48 and x49 overlap")


def test_an_edit_that_changes_nothing_is_still_an_edit(tl, do):
    do(tl, Nudge("a", 0))


def test_track_problems_can_look_at_a_run(tl):
    v1 = tl.track("V1")
    v1.clips[2] = replace(v1.clips[2], start=120)   # c overlaps b
    assert tl.track_problems(v1, 0, 1) == []
    assert tl.track_problems(v1, 2, 3) == ["clips b and c overlap on track V1"]
    assert tl.track_problems(v1) == ["clips b and c overlap on track V1"]

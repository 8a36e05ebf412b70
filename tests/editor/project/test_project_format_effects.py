"""Format 2: clip effects, text clips, solo and caption tracks, the master volume in the project file."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from project_examples import EFFECTS, FIXTURES, example, example_with_effects, round_trip

from editor.model.clips import TextClip
from editor.model.effects import Transition, TransitionKind
from editor.project import ProjectError, from_dict, to_dict


def test_effects_and_text_round_trip_and_plain_clips_are_written_as_before() -> None:
    tl = example_with_effects()
    back = round_trip(tl)
    assert back == tl
    fx = back.find("fx")[1]
    assert fx.speed == Fraction(3, 2) and fx.reverse and fx.transform.opacity.at(7.5) == 0.5
    assert back.find("fy")[1].transition == Transition(TransitionKind.DIP_WHITE, 10, 5)
    title = back.find("t1")[1]
    assert isinstance(title, TextClip) and title.text == tl.find("t1")[1].text
    assert back.track("V2").solo and back.track("V2").captions and back.master_volume == 0.5
    plain = to_dict(example())["tracks"][0]["clips"][0]
    assert not set(EFFECTS) & set(plain)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("speed", "20", "speed 20x is outside 0.1x..10x"),
    ("speed", "-1", "speed"),
    ("interpolation", "magic", "expected '', 'blend' or 'flow'"),
    ("fade_in", -3, "tracks[0].clips[0].fade_in"),
    ("gain", {"value": 0, "keys": [[0, 1], [0, 2]]}, "two keys at one frame"),
    ("gain", {"keys": [["x", 1]]}, "expected [frame, value, easing]"),
    ("transform", {"wobble": 1}, "unknown transform property 'wobble'"),
    ("transform", {"opacity": 3}, "opacity has a value outside 0..1"),
    ("transition", {"kind": "star wipe", "before": 1, "after": 1}, "unknown transition 'star wipe'"),
    ("transition", {"kind": "dissolve", "before": 400, "after": 0}, "transition"),
])
def test_bad_effects_are_refused_in_one_line(field: str, value: Any, reason: str) -> None:
    data = to_dict(example())
    data["tracks"][0]["clips"][0][field] = value
    with pytest.raises(ProjectError) as caught:
        from_dict(data, source="film.promptcut")
    assert reason in str(caught.value) and "\n" not in str(caught.value)



def test_format_2_fixture_reads() -> None:
    """The fixture is to_dict(example_with_effects()) as this version wrote it."""
    loaded = from_dict(json.loads((FIXTURES / "format-2.promptcut").read_text()))
    assert not loaded.migrated and loaded.warnings == []
    assert loaded.timeline == example_with_effects()



"""The project file keeps a timeline's own length (a trailing gap) and its named gaps: written only when set,
read strictly, and saved and opened through the real files."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from project_examples import example, round_trip

from editor.model import Timeline, Track
from editor.project import from_dict, to_dict
from editor.project.errors import ProjectError
from editor.project.store import load_project, save_project


def long_example() -> Timeline:
    tl = example()   # lasts 500 frames (V2's logo); 700 with the trailing gap
    tl.length = 700
    tl.track("V1").gap_names = {138: "slug", 210: "tail"}
    tl.track("A2").gap_names = {90: "room tone to come"}
    tl.check()
    return tl


def test_length_and_gap_names_round_trip() -> None:
    tl = long_example()
    again = round_trip(tl)
    assert again == tl
    assert again.length == 700 and again.duration == 700
    assert again.track("V1").gap_names == {138: "slug", 210: "tail"}


def test_written_only_when_set() -> None:
    plain = to_dict(example())
    assert "length" not in plain
    assert all("gap_names" not in track for track in plain["tracks"])
    data = to_dict(long_example())
    assert data["format_version"] == 2   # added within format 2: older files and readers are unaffected
    assert data["length"] == 700
    assert data["tracks"][0]["gap_names"] == {"138": "slug", "210": "tail"}
    assert "gap_names" not in data["tracks"][1]


def test_a_file_without_them_ends_with_its_last_clip() -> None:
    loaded = from_dict(to_dict(example()))
    assert loaded.timeline.length == 0 and loaded.timeline.duration == 500
    assert loaded.warnings == []


def test_the_format_covers_every_timeline_field() -> None:
    """A Timeline or Track field added to the model must be written, or a save would lose it."""
    data = to_dict(long_example())
    kept_elsewhere = {"video_tracks", "audio_tracks", "story"}   # as "tracks"; "story" only when it has one
    timeline_fields = {f.name for f in fields(Timeline) if not f.name.startswith("_")} - kept_elsewhere
    assert timeline_fields <= set(data)
    assert {f.name for f in fields(Track)} == set(data["tracks"][0])


def test_saved_and_opened_through_a_file(tmp_path: Path) -> None:
    tl = long_example()
    path = save_project(tl, tmp_path / "film.promptcut")
    loaded = load_project(path, check_media=False)
    assert loaded.timeline == tl
    assert loaded.timeline.duration == 700
    assert json.loads(path.read_text(encoding="utf-8"))["length"] == 700


def _with(change: Any) -> dict[str, Any]:
    data = to_dict(long_example())
    change(data)
    return data


@pytest.mark.parametrize(("change", "place"), [
    (lambda d: d.update(length=-1), "length: must not be negative"),
    (lambda d: d.update(length=True), "length: expected a whole number"),
    (lambda d: d.update(length="700"), "length: expected a whole number"),
    (lambda d: d.update(length=7.5), "length: expected a whole number"),
    (lambda d: d["tracks"][0].update(gap_names=[[138, "slug"]]), "tracks[0].gap_names: expected an object"),
    (lambda d: d["tracks"][0].update(gap_names={"0138": "slug"}), "tracks[0].gap_names: a gap is named at a frame"),
    (lambda d: d["tracks"][0].update(gap_names={"-1": "x"}), "tracks[0].gap_names: a gap is named at a frame"),
    (lambda d: d["tracks"][0].update(gap_names={"1e3": "x"}), "tracks[0].gap_names: a gap is named at a frame"),
    (lambda d: d["tracks"][0].update(gap_names={"٣": "x"}), "tracks[0].gap_names: a gap is named at a frame"),
    (lambda d: d["tracks"][0].update(gap_names={"9" * 400: "x"}), "tracks[0].gap_names: a gap is named at a frame"),
    (lambda d: d["tracks"][0].update(gap_names={"138": 5}), "tracks[0].gap_names.138: expected"),
])
def test_bad_values_are_refused_in_one_line(change: Any, place: str) -> None:
    with pytest.raises(ProjectError) as caught:
        from_dict(_with(change), source="film.promptcut")
    message = str(caught.value)
    assert message.startswith("film.promptcut: damaged project: ")
    assert place in message and "\n" not in message


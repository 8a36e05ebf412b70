"""Hostile .otio documents never crash, abort or hang the editor: each class found by running OTIO's C++ core
in a child process (or by the fuzz run) has its regression here, answered by one InterchangeError line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest

from editor.interchange.otio import InterchangeError, read_otio, write_otio
from editor.interchange.otio_guard import checked_text
from editor.model.testing import clip, timeline, video

pytestmark = pytest.mark.timeout(120)

RT = {"OTIO_SCHEMA": "RationalTime.1", "value": 1, "rate": 24}


def timeline_holding(node: dict, where: str = "child") -> dict:
    doc = {"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": []}}
    if where == "child":
        doc["tracks"]["children"].append(node)
    elif where == "metadata":
        doc["metadata"] = {"vendor": {"deep": [node]}}
    else:
        doc = node
    return doc


def refused(tmp_path: Path, text: str | bytes, *expected: str) -> str:
    path = tmp_path / "hostile.otio"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    with pytest.raises(InterchangeError) as caught:
        read_otio(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < 600, message
    for part in expected:
        assert part in message, message
    return message


def otio_core_exit_status(text: str) -> int:
    """What OTIO's own deserializer does with ``text``, in a child process (it may take the process down)."""
    code = ("import sys, opentimelineio as otio\n"
            "try:\n    otio.core.deserialize_json_from_string(sys.stdin.read())\nexcept Exception:\n    pass\n")
    return subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True,
                          timeout=60).returncode


ABORTS = {
    "UnknownSchema at the top": timeline_holding({"OTIO_SCHEMA": "UnknownSchema.1"}, "top"),
    "UnknownSchema as a child": timeline_holding({"OTIO_SCHEMA": "UnknownSchema.1"}),
    "UnknownSchema in metadata": timeline_holding({"OTIO_SCHEMA": "UnknownSchema.2"}, "metadata"),
    "an object inside a RationalTime": timeline_holding({**RT, "x": {"OTIO_SCHEMA": "Gap.1"}}, "metadata"),
    "an object inside a TimeRange": timeline_holding(
        {"OTIO_SCHEMA": "TimeRange.1", "start_time": RT, "duration": RT, "x": [{"OTIO_SCHEMA": "Wibble.1"}]},
        "metadata"),
}


@pytest.mark.parametrize("label", sorted(ABORTS))
def test_documents_that_take_otio_down_are_refused_before_it_sees_them(tmp_path: Path, label: str) -> None:
    text = json.dumps(ABORTS[label])
    assert otio_core_exit_status(text) != 0          # the finding: OTIO 0.18 aborts or segfaults on it
    refused(tmp_path, text)                           # and the editor says one line instead


def test_a_duplicated_key_cannot_smuggle_a_schema_past_the_guard(tmp_path: Path) -> None:
    # Python's json keeps the last key (a Timeline), OTIO's reader the first (the abort).
    text = '{"OTIO_SCHEMA": "UnknownSchema.1", "OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1"}}'
    assert otio_core_exit_status(text) != 0
    refused(tmp_path, text, "twice in one object")


@pytest.mark.parametrize("schema", ["Adapter.1", "MediaLinker.1", "HookScript.1", "PluginManifest.1", "Test.1"])
def test_plugin_objects_have_no_place_in_a_timeline(tmp_path: Path, schema: str) -> None:
    refused(tmp_path, json.dumps(timeline_holding({"OTIO_SCHEMA": schema, "filepath": "evil.py"}, "metadata")),
            "has no place in a timeline")


def test_unknown_names_are_one_line_not_a_crash(tmp_path: Path) -> None:
    refused(tmp_path, json.dumps(timeline_holding({"OTIO_SCHEMA": "Wibble.1"})), "malformed OTIO Timeline")


def test_a_timeline_without_a_stack_is_refused(tmp_path: Path) -> None:
    for tracks in (None, 5, {"OTIO_SCHEMA": "Clip.2"}):
        refused(tmp_path, json.dumps({"OTIO_SCHEMA": "Timeline.1", "tracks": tracks}), "without its tracks")


def test_deep_nesting_is_refused_at_any_depth(tmp_path: Path) -> None:
    refused(tmp_path, "[" * 300_000 + "]" * 300_000, "nested too deeply")
    refused(tmp_path, json.dumps(timeline_holding(json.loads('{"a":' * 250 + "1" + "}" * 250), "metadata")),
            "more than 200 levels")
    nested: dict = {"OTIO_SCHEMA": "Gap.1"}
    for _ in range(120):   # stacks in tracks in stacks: 240 levels
        nested = {"OTIO_SCHEMA": "Stack.1", "children": [{"OTIO_SCHEMA": "Track.1", "children": [nested]}]}
    refused(tmp_path, json.dumps(timeline_holding(nested)), "nested too deeply")


def our_document(path: Path) -> dict:
    """The JSON of a one-clip .otio PromptCut wrote at ``path`` (its own metadata included), to tamper with."""
    tl = timeline(1, 0)
    tl.media["m"] = video("m")
    tl.video_tracks[0].clips.append(clip("m", 0, 30))
    write_otio(tl, path)
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("rate", ["1e100000000", "-1E+99999", "9" * 500])
def test_a_number_written_as_text_whose_value_explodes_is_refused_unread(tmp_path: Path, rate: str) -> None:
    """PromptCut's own metadata carries the exact rate as text; Fraction("1e100000000") never returns."""
    path = tmp_path / "ours.otio"
    doc = our_document(path)
    doc["metadata"]["promptcut"]["settings"]["fps"] = rate
    refused(tmp_path, json.dumps(doc), "too large to read exactly")


def test_integers_and_floats_out_of_range(tmp_path: Path) -> None:
    refused(tmp_path, json.dumps(timeline_holding({}, "top")).replace("{}", "1" + "0" * 5000), "not readable JSON")
    gap = {"OTIO_SCHEMA": "Gap.1", "source_range": {"OTIO_SCHEMA": "TimeRange.1",
                                                     "start_time": RT, "duration": {**RT, "value": "@"}}}
    text = json.dumps(timeline_holding({"OTIO_SCHEMA": "Track.1", "children": [gap]}))
    for value in ("1e400", "-1e400", "NaN", "Infinity", str(2**70)):
        path = tmp_path / "numbers.otio"
        path.write_text(text.replace('"@"', value))
        try:
            result = read_otio(path)
        except InterchangeError as exc:
            assert "\n" not in str(exc)
        else:
            result.timeline.check()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_a_device_and_links_to_them_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.otio"
    os.mkfifo(fifo)
    link = tmp_path / "link.otio"
    link.symlink_to(fifo)
    for path in (fifo, link):
        with pytest.raises(InterchangeError, match="FIFO"):
            read_otio(path)
    if Path("/dev/zero").exists():
        zero = tmp_path / "zero.otio"
        zero.symlink_to("/dev/zero")
        with pytest.raises(InterchangeError, match="device"):
            read_otio(zero)


def test_checked_text_accepts_what_otio_writes() -> None:
    """The guard is no stricter than it must be: every value type, NaN and infinities as OTIO writes them."""
    tl = otio.schema.Timeline(name="ok")
    track = otio.schema.Track()
    tl.tracks.append(track)
    track.append(otio.schema.Clip(name="c", source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(48, 24))))
    track.append(otio.schema.Transition(in_offset=otio.opentime.RationalTime(2, 24)))
    tl.metadata["vendor"] = {"gain": float("inf"), "score": float("nan"), "rate": "30000/1001", "big": "1e300"}
    text, schema = checked_text(tl.to_json_string().encode(), "ok.otio")
    assert schema == "Timeline.1" and "Infinity" in text


@pytest.mark.parametrize("width", [float("inf"), 1e308, 10**30])
def test_promptcut_settings_out_of_range_fall_back_with_a_warning(tmp_path: Path, width: float) -> None:
    """Found by the fuzz run: an infinite canvas width raised OverflowError; a 10**30 one loaded as is."""
    path = tmp_path / "ours.otio"
    doc = our_document(path)
    doc["metadata"]["promptcut"]["settings"]["width"] = width
    path.write_text(json.dumps(doc))
    result = read_otio(path)
    result.timeline.check()
    assert result.timeline.settings.width == 1080 and any("settings" in w for w in result.warnings)

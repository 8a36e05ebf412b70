"""Garbage in: one-line InterchangeError naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
import pytest

from editor.interchange import InterchangeError, read_otio, timeline_from_otio

VALID_CLIP = otio.schema.Clip(name="c").to_json_string()

GARBAGE: dict[str, bytes] = {
    "empty": b"",
    "blank": b"   \n\t\n",
    "not json": b"this is not json {",
    "truncated": b'{"OTIO_SCHEMA": "Timeline.1", "tracks": {',
    "binary": bytes(range(256)) * 4,
    "zip": b"PK\x03\x04" + b"\x00" * 40,
    "array": b"[1, 2, 3]",
    "number": b"42",
    "object without schema": b'{"name": "x", "tracks": []}',
    "unknown schema": b'{"OTIO_SCHEMA": "Wibble.1"}',
    "clip not timeline": VALID_CLIP.encode(),
    "timeline missing tracks": b'{"OTIO_SCHEMA": "Timeline.1", "name": "t"}',
    "tracks of wrong type": b'{"OTIO_SCHEMA": "Timeline.1", "tracks": 5}',
    "unknown child schema": json.dumps({
        "OTIO_SCHEMA": "Timeline.1",
        "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [{"OTIO_SCHEMA": "Wibble.1"}]},
    }).encode(),
    "collection without timeline": json.dumps({"OTIO_SCHEMA": "SerializableCollection.1", "children": []}).encode(),
    "deeply nested": b"[" * 100000 + b"]" * 100000,
}


@pytest.mark.parametrize("label", sorted(GARBAGE))
def test_garbage_files_raise_one_line_errors(tmp_path: Path, label: str) -> None:
    path = tmp_path / f"bad {label}.otio"
    path.write_bytes(GARBAGE[label])
    with pytest.raises(InterchangeError) as caught:
        read_otio(path)
    message = str(caught.value)
    assert message.startswith(str(path) + ": ")
    assert "\n" not in message and len(message) < 500


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match=r"nope\.otio: no such file$"):
        read_otio(tmp_path / "nope.otio")


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InterchangeError, match="is a folder"):
        read_otio(tmp_path)


def test_clip_without_any_range_is_reported(tmp_path: Path) -> None:
    tl = otio.schema.Timeline()
    track = otio.schema.Track()
    track.append(otio.schema.Clip(name="rangeless", media_reference=otio.schema.ExternalReference("/m/a.mov")))
    tl.tracks.append(track)
    path = tmp_path / "rangeless.otio"
    path.write_text(tl.to_json_string())
    with pytest.raises(InterchangeError, match=r"rangeless\.otio: clip 'rangeless' .* has no usable range"):
        read_otio(path)


def test_bad_rate_is_reported(tmp_path: Path) -> None:
    tl = otio.schema.Timeline()
    track = otio.schema.Track()
    track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(10, 0)))
    tl.tracks.append(track)
    path = tmp_path / "zero rate.otio"
    path.write_text(tl.to_json_string())
    with pytest.raises(InterchangeError) as caught:
        read_otio(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_collection_with_timelines_imports_the_first(tmp_path: Path) -> None:
    first, second = otio.schema.Timeline(name="first"), otio.schema.Timeline(name="second")
    collection = otio.schema.SerializableCollection(children=[first, second])
    path = tmp_path / "two.otio"
    path.write_text(collection.to_json_string())
    result = read_otio(path)
    assert result.name == "first"
    assert any("2 timelines" in w for w in result.warnings)


def test_timeline_from_otio_refuses_other_objects() -> None:
    with pytest.raises(InterchangeError, match="expected an OTIO Timeline, got Clip"):
        timeline_from_otio(otio.schema.Clip())

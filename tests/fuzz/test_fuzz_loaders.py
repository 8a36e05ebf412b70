"""Property-based fuzzing of both loaders: whatever a project or .otio file holds, loading it gives a timeline
that passes ``check()`` or the project's own one-line error, never another exception, an abort or a hang.

Documents start from real ones (a project with every clip kind and effect, an .otio PromptCut wrote, one
shaped like another tool's) and hypothesis changes them: values swapped for extreme ones, keys dropped or
added, whole documents made of arbitrary JSON. ``bench/fuzz_loaders.py`` runs the same idea 10,000+ times,
each input in a child process with a time limit."""

from __future__ import annotations

import copy
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.interchange.otio import InterchangeError, read_otio, write_otio
from editor.project import ProjectError, encode, load_project, to_dict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "editor" / "project"))
from project_examples import example_with_effects  # noqa: E402

pytestmark = pytest.mark.timeout(300)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))

SCHEMAS = sorted(f"{name}.{version}" for name, version in otio.core.type_version_map().items()) + [
    "UnknownSchema.1", "Wibble.1", "Clip.99", "Timeline"]
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 5000, "[" * 300 + "]" * 300]

extreme_numbers = st.sampled_from([0, -1, 2**31, 2**63, 2**64 + 1, -(2**70), int("9" * 500), 1e308, -1e308, 5e-324])
number_texts = st.sampled_from(["1e100000000", "-1e999", "9" * 600, "1/0", "30000/1001", "29.97", "inf", "NaN", ""])
leaves = st.none() | st.booleans() | st.integers() | st.floats() | extreme_numbers | number_texts | st.text(max_size=8)
schema_objects = st.builds(lambda s, extra: {"OTIO_SCHEMA": s, **extra}, st.sampled_from(SCHEMAS),
                           st.dictionaries(st.sampled_from(["value", "rate", "x", "children", "name"]), leaves,
                                           max_size=3))
json_values = st.recursive(leaves | schema_objects, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
replacements = json_values | st.sampled_from([f"@raw:{token}" for token in RAW_TOKENS])


def project_seed() -> dict:
    return json.loads(encode(to_dict(example_with_effects())))


def otio_seeds() -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ours.otio"
        write_otio(example_with_effects(), path)
        ours = json.loads(path.read_text("utf-8"))
    foreign = otio.schema.Timeline(name="foreign")
    track = otio.schema.Track()
    foreign.tracks.append(track)
    for i in range(2):
        track.append(otio.schema.Clip(name=f"c{i}", media_reference=otio.schema.ExternalReference(
            target_url=f"file:///media/c{i}.mov"), source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(10, 23.976), otio.opentime.RationalTime(48, 23.976))))
        track.append(otio.schema.Gap(duration=otio.opentime.RationalTime(5, 23.976)))
    return [ours, json.loads(foreign.to_json_string())]


PROJECT = project_seed()
OTIOS = otio_seeds()


def places(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in children:
        found += places(value, prefix + (key,))
    return found


@st.composite
def mutated(draw: st.DrawFn, seeds: list[dict]) -> bytes:
    doc = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(places(doc)))
        if not where:
            continue
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        if draw(st.booleans()) or not isinstance(parent, dict):
            parent[where[-1]] = draw(replacements)
        else:
            del parent[where[-1]]
    text = json.dumps(doc, allow_nan=True)
    for token in RAW_TOKENS:
        text = text.replace(json.dumps(f"@raw:{token}"), token)
    return text.encode("utf-8", "surrogatepass")


def assert_loaded_or_one_line(load: Any, path: Path, errors: tuple[type[Exception], ...]) -> None:
    try:
        loaded = load(path)
    except errors as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 2000, message
    else:
        loaded.timeline.check()


@FUZZ
@given(blob=mutated([PROJECT]))
def test_the_project_loader_survives_anything(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "fuzz.promptcut"
    path.write_bytes(blob)
    assert_loaded_or_one_line(lambda p: load_project(p, check_media=True), path, (ProjectError,))


@FUZZ
@given(blob=mutated(OTIOS))
def test_the_otio_loader_survives_anything(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "fuzz.otio"
    path.write_bytes(blob)
    assert_loaded_or_one_line(read_otio, path, (InterchangeError,))


@FUZZ
@given(doc=json_values, as_otio=st.booleans())
def test_arbitrary_json_is_refused_in_one_line(tmp_path: Path, doc: Any, as_otio: bool) -> None:
    path = tmp_path / ("any.otio" if as_otio else "any.promptcut")
    path.write_text(json.dumps(doc, allow_nan=True))
    if as_otio:
        assert_loaded_or_one_line(read_otio, path, (InterchangeError,))
    else:
        assert_loaded_or_one_line(load_project, path, (ProjectError,))

"""``promptcut models list``: every registry family with abilities, sizes, licences, profiles and shot times."""

from __future__ import annotations

import dataclasses
import json

import pytest

import editor.generate.catalog as catalog
from editor.cli import main
from generation import timings
from generation.models import get_model, list_models
from generation.profiles import recipe


@pytest.fixture(autouse=True)
def hermetic(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv(timings.TIMINGS_ENV, str(tmp_path / "shot_times.json"))


@pytest.fixture
def restricted(monkeypatch):
    """A gated model in the list: the registry's own if it has one, else a copy of a real entry made gated."""
    models = list_models()
    gated = next((m for m in models if m.license_restricted), None)
    if gated is None:
        gated = dataclasses.replace(
            get_model("wan2.1-t2v-1.3b"),
            id="gated-test",
            license="Community Licence",
            license_restricted=True,
            license_terms="no use above 1M monthly users",
            license_url="https://example.invalid/licence",
        )
        monkeypatch.setattr(catalog, "list_models", lambda include_test=True: [*models, gated])
    return gated


def block(text: str, model_id: str) -> list[str]:
    """The lines of one model: its first line and the indented ones below it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(model_id + " "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def listing(capsys, *args: str) -> str:
    assert main(["models", "list", *args]) == 0
    return capsys.readouterr().out


def entries(capsys, *args: str) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads(listing(capsys, "--json", *args))}


def test_every_registry_model_and_family_is_listed_with_its_facts(capsys):
    text = listing(capsys, "--device", "cpu")
    data = entries(capsys, "--device", "cpu")
    assert set(data) == {m.id for m in list_models()}
    assert {e["family"] for e in data.values()} == {m.family for m in list_models()}
    for model in list_models():
        e = data[model.id]
        assert e["sizes"] == [str(s) for s in model.sizes] and e["fps"] == model.fps
        assert e["frames"] == model.frames.describe() and e["window_frames"] == model.window
        assert set(a.value for a in model.abilities) <= set(e["abilities"])
        assert ("audio" in e["abilities"]) == model.makes_audio
        assert ("unbounded" in e["abilities"]) == model.unbounded
        assert e["license"] == model.license and e["license_restricted"] == model.license_restricted
        lines = block(text, model.id)
        assert model.label in lines[0] and f"family {model.family}" in lines[1]
        assert ", ".join(str(s) for s in model.sizes) in lines[2]


def test_profiles_carry_the_recipe(capsys):
    data = entries(capsys, "--device", "cpu")
    for model in list_models():
        profiles = {p["profile"]: p for p in data[model.id]["profiles"]}
        assert list(profiles) == ["draft", "standard", "final"]
        for name, p in profiles.items():
            r = recipe(model, name)
            assert (p["steps"], p["guidance"], p["cache"]) == (r.steps, r.guidance, r.cache)
            assert (p["lora"] is None) == (r.lora is None)
            assert p["seconds_per_5s_shot"] is None  # nothing measured on this fresh machine, no CPU figures


def test_a_measured_time_and_a_published_one_are_told_apart(capsys):
    timings.record(
        "NVIDIA H100 80GB HBM3", "wan2.1-t2v-1.3b", "draft", seconds_per_step=0.5, steps_per_5s=8, fixed_s=2.0
    )
    text = listing(capsys, "--device", "NVIDIA H100 80GB HBM3")
    wan = block(text, "wan2.1-t2v-1.3b")
    draft = next(line for line in wan if "Draft" in line)
    final = next(line for line in wan if "Final" in line)
    assert draft.rstrip().endswith("5 s shot on NVIDIA H100 80GB HBM3: 6 s")
    assert "~91 s (published" in final
    e = entries(capsys, "--device", "NVIDIA H100 80GB HBM3")["wan2.1-t2v-1.3b"]
    by = {p["profile"]: p for p in e["profiles"]}
    assert by["draft"]["measured"] is True and by["draft"]["seconds_per_5s_shot"] == 6.0
    assert by["final"]["measured"] is False and by["final"]["seconds_per_5s_shot"] == 91.0
    assert by["standard"]["seconds_per_5s_shot"] is None


def test_a_restricted_licence_is_marked_with_its_terms(capsys, restricted):
    text = listing(capsys, "--device", "cpu")
    licence = next(line for line in block(text, restricted.id) if "licence:" in line)
    assert "RESTRICTED" in licence and restricted.license_terms in licence
    assert "RESTRICTED" not in next(line for line in block(text, "wan2.1-t2v-1.3b") if "licence:" in line)
    e = entries(capsys, "--device", "cpu")[restricted.id]
    assert e["license_restricted"] is True and e["license_terms"] == restricted.license_terms


def test_the_device_defaults_to_the_detected_one(capsys, monkeypatch):
    import generation.shot_timing as shot_timing

    monkeypatch.setattr(shot_timing, "detected_device", lambda: "NVIDIA H100 PCIe")
    text = listing(capsys)
    assert text.splitlines()[0].startswith("expected times per 5 s shot are for NVIDIA H100 PCIe")
    assert "~91 s" in text

"""Where generation runs: the generator choice in the preferences, addresses as typed, $PROMPTCUT_RAY_ADDRESS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from editor.generate.preferences import (
    GenerationPreferences,
    cluster_config,
    load_preferences,
    parse_cluster,
    preferences_path,
    save_preferences,
)
from generation.cluster.config import ClusterConfig


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("PROMPTCUT_RAY_ADDRESS", raising=False)
    return tmp_path / "config"


def test_the_default_is_this_computer():
    prefs = load_preferences()
    assert (prefs.generator, prefs.cluster_address, prefs.cluster_workers) == ("local", None, None)
    assert cluster_config(prefs, {}) is None


def test_the_cluster_choice_round_trips_with_the_others():
    prefs = GenerationPreferences(device="cuda", generator="cluster", cluster_address="ray://gpu-box:10001",
                                  cluster_workers=3)
    save_preferences(prefs)
    saved = json.loads(preferences_path().read_text())
    assert (saved["generator"], saved["cluster_address"], saved["cluster_workers"]) == (
        "cluster", "ray://gpu-box:10001", 3)
    back = load_preferences()
    assert back == prefs and back.warning is None
    assert cluster_config(back, {}) == ClusterConfig("ray://gpu-box:10001")


def test_a_file_from_before_the_choice_reads_as_this_computer():
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 1, "device": "cpu", "offload": "model"}))
    prefs = load_preferences()
    assert (prefs.device, prefs.offload, prefs.generator) == ("cpu", "model", "local") and prefs.warning is None


def test_a_bad_cluster_field_keeps_the_rest_and_says_which():
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"generator": "cluster", "cluster_address": "not an address", "cluster_workers": 0,
                                "device": "cpu"}))
    prefs = load_preferences()
    assert (prefs.generator, prefs.device, prefs.cluster_address, prefs.cluster_workers) == (
        "cluster", "cpu", None, None)
    assert "cluster_address='not an address'" in prefs.warning and "cluster_workers=0" in prefs.warning
    assert "\n" not in prefs.warning


@pytest.mark.parametrize("fields", [{"generator": "gpu-farm"}, {"cluster_workers": -1}, {"cluster_workers": True},
                                    {"cluster_workers": "2"}, {"cluster_address": 6379},
                                    {"cluster_address": "http://host:10001"}])
def test_invalid_cluster_values_are_refused(fields):
    with pytest.raises(ValueError):
        GenerationPreferences(**fields)


def test_a_local_ray_takes_the_worker_count():
    prefs = GenerationPreferences(generator="cluster", cluster_workers=2)
    assert cluster_config(prefs, {}) == ClusterConfig("local", workers=2)
    assert cluster_config(prefs.with_(cluster_address="local"), {}) == ClusterConfig("local", workers=2)
    # the count is for a Ray started here; a cluster's own GPUs say how many workers it runs
    assert cluster_config(prefs.with_(cluster_address="auto"), {}) == ClusterConfig("auto")
    assert cluster_config(prefs.with_(cluster_address="local:4"), {}) == ClusterConfig("local", workers=4)


def test_the_environment_wins_over_the_saved_choice():
    env = {"PROMPTCUT_RAY_ADDRESS": " ray://head:10001 "}
    assert cluster_config(GenerationPreferences(), env) == ClusterConfig("ray://head:10001")
    saved = GenerationPreferences(generator="cluster", cluster_address="local", cluster_workers=2)
    assert cluster_config(saved, env) == ClusterConfig("ray://head:10001")
    assert cluster_config(saved, {"PROMPTCUT_RAY_ADDRESS": "local:3"}) == ClusterConfig("local", workers=3)
    assert cluster_config(GenerationPreferences(), {"PROMPTCUT_RAY_ADDRESS": "  "}) is None


def test_the_environment_is_read_when_none_is_given(monkeypatch):
    monkeypatch.setenv("PROMPTCUT_RAY_ADDRESS", "auto")
    assert cluster_config(load_preferences()) == ClusterConfig("auto")


def test_a_bad_address_in_the_environment_is_one_line_naming_it():
    with pytest.raises(ValueError) as caught:
        cluster_config(GenerationPreferences(), {"PROMPTCUT_RAY_ADDRESS": "gpu box"})
    assert str(caught.value).startswith("$PROMPTCUT_RAY_ADDRESS: 'gpu box' is not a cluster address")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "config"), [
    ("local", ClusterConfig("local")),
    ("LOCAL", ClusterConfig("local")),
    ("local:2", ClusterConfig("local", workers=2)),
    ("auto", ClusterConfig("auto")),
    (" ray://gpu-box:10001 ", ClusterConfig("ray://gpu-box:10001")),
    ("10.0.0.5:6379", ClusterConfig("10.0.0.5:6379")),
])
def test_addresses_as_typed(text, config):
    assert parse_cluster(text) == config


@pytest.mark.parametrize("text", ["", "local:0", "local:two", "gpu-box", "ray://", "ray://gpu-box", "ray://a b:1",
                                  "host:99999", "http://host:10001", "host:port"])
def test_addresses_that_are_not_refused_in_one_line(text):
    with pytest.raises(ValueError) as caught:
        parse_cluster(text)
    assert "\n" not in str(caught.value) and repr(text.strip()) in str(caught.value)


def test_no_ray_or_torch_import():
    code = ("import sys, editor.generate.preferences as p; p.cluster_config(p.load_preferences(), {}); "
            "p.parse_cluster('local:2'); assert not {'ray', 'torch', 'PySide6'} & set(sys.modules), sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)

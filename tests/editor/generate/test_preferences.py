"""Generation preferences: JSON in the user config folder, atomic save, tolerant load, worker environment."""

from __future__ import annotations

import json
import os
import sys

import pytest

from editor.generate.preferences import (
    GenerationPreferences,
    load_preferences,
    preferences_path,
    save_preferences,
    user_config_dir,
    worker_env,
)
from generation.backends.settings import BackendSettings


@pytest.fixture(autouse=True)
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_path_is_in_the_user_config_folder(config_home):
    assert user_config_dir() == config_home / "promptcut"
    assert preferences_path().parent == config_home / "promptcut"


def test_missing_file_gives_defaults_without_warning():
    prefs = load_preferences()
    assert prefs == GenerationPreferences()
    assert prefs.warning is None
    assert (prefs.device, prefs.precision, prefs.offload, prefs.vae_tiling) == ("auto", "auto", "auto", None)


def test_save_then_load_round_trips(tmp_path):
    prefs = GenerationPreferences(default_model="wan2.1-t2v-1.3b", models_dir=str(tmp_path / "weights"),
                                  device="cuda", precision="fp16", offload="group", vae_tiling=True)
    path = save_preferences(prefs)
    assert path == preferences_path()
    assert json.loads(path.read_text())["offload"] == "group"
    back = load_preferences()
    assert back == prefs
    assert back.warning is None
    # only the file is left in the folder: the temp file was renamed over it
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_save_is_atomic_old_file_survives_a_failed_write(monkeypatch):
    save_preferences(GenerationPreferences(device="cpu"))

    def broken_replace(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as mp:
        mp.setattr(os, "replace", broken_replace)
        with pytest.raises(OSError):
            save_preferences(GenerationPreferences(device="cuda"))
    assert load_preferences().device == "cpu"
    assert [p.name for p in preferences_path().parent.iterdir()] == [preferences_path().name]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\x00\x01", ""])
def test_corrupt_file_gives_defaults_and_one_line_warning(text):
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(text)
    prefs = load_preferences()
    assert prefs == GenerationPreferences()
    assert prefs.warning and "\n" not in prefs.warning
    assert "using defaults" in prefs.warning


def test_bad_value_keeps_the_good_fields_and_names_the_bad_one():
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"device": "tpu", "offload": "model", "vae_tiling": False, "extra": 1}))
    prefs = load_preferences()
    assert prefs.device == "auto"
    assert prefs.offload == "model" and prefs.vae_tiling is False
    assert "device='tpu'" in prefs.warning and "\n" not in prefs.warning


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_gives_defaults_and_warning():
    path = preferences_path()
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0)
    try:
        prefs = load_preferences()
    finally:
        path.chmod(0o600)
    assert prefs == GenerationPreferences()
    assert "could not read" in prefs.warning


def test_a_folder_in_place_of_the_file_gives_defaults_and_warning():
    preferences_path().mkdir(parents=True)
    prefs = load_preferences()
    assert prefs == GenerationPreferences()
    assert prefs.warning.startswith("could not read") and "\n" not in prefs.warning


def test_invalid_values_are_refused():
    with pytest.raises(ValueError):
        GenerationPreferences(device="tpu")
    with pytest.raises(ValueError):
        GenerationPreferences(precision="int8")
    with pytest.raises(ValueError):
        GenerationPreferences(offload="disk")


def test_worker_env_maps_every_lever_to_what_the_backend_reads(tmp_path):
    prefs = GenerationPreferences(models_dir=str(tmp_path), device="cuda", precision="bf16", offload="sequential",
                                  vae_tiling=False)
    env = worker_env(prefs)
    assert env == {"PROMPTCUT_MODELS": str(tmp_path), "PROMPTCUT_DEVICE": "cuda", "PROMPTCUT_DTYPE": "bfloat16",
                   "PROMPTCUT_OFFLOAD": "sequential", "PROMPTCUT_VAE_TILING": "off"}
    settings = BackendSettings.from_env(env)
    assert (settings.device, settings.dtype, settings.offload, settings.vae_tiling) == (
        "cuda", "bfloat16", "sequential", False)
    for precision, dtype in (("fp16", "float16"), ("fp32", "float32")):
        assert BackendSettings.from_env(worker_env(GenerationPreferences(precision=precision))).dtype == dtype
    assert worker_env(GenerationPreferences(vae_tiling=True))["PROMPTCUT_VAE_TILING"] == "on"


def test_worker_env_auto_inherits_or_removes():
    assert worker_env(GenerationPreferences()) == {}
    removed = worker_env(GenerationPreferences(), inherit=False)
    assert removed == {"PROMPTCUT_MODELS": None, "PROMPTCUT_DEVICE": None, "PROMPTCUT_DTYPE": None,
                       "PROMPTCUT_OFFLOAD": None, "PROMPTCUT_VAE_TILING": None}
    settings = BackendSettings.from_env({})
    assert (settings.device, settings.dtype, settings.offload, settings.vae_tiling) == ("auto", "auto", "auto", None)


def test_no_torch_import():
    import subprocess

    code = ("import sys, editor.generate.preferences as p; p.worker_env(p.load_preferences()); "
            "p.nvidia_gpu_present(); assert 'torch' not in sys.modules and 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)

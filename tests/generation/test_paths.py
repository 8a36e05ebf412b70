"""The user folders (config, cache, data, state) and the models folder, on this machine and, through
platformdirs' own platform classes, on Windows and macOS."""

from __future__ import annotations

import ntpath
import sys
from pathlib import Path, PureWindowsPath

import pytest
from platformdirs.macos import MacOS
from platformdirs.windows import Windows

from generation import paths

LOCAL_APPDATA = r"C:\Users\ana\AppData\Local"
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG variables are a Linux convention")


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    return tmp_path


@LINUX
def test_each_user_folder_lands_under_its_xdg_variable(xdg):
    assert paths.user_config_dir() == xdg / "xdg_config_home" / "promptcut"
    assert paths.user_cache_dir() == xdg / "xdg_cache_home" / "promptcut"
    assert paths.user_data_dir() == xdg / "xdg_data_home" / "promptcut"
    assert paths.user_state_dir() == xdg / "xdg_state_home" / "promptcut"


@LINUX
def test_models_go_to_the_data_folder_unless_the_user_names_one(xdg, monkeypatch):
    assert paths.models_dir() == xdg / "xdg_data_home" / "promptcut" / "models"
    monkeypatch.setenv(paths.MODELS_ENV, str(xdg / "mine"))
    assert paths.models_dir() == xdg / "mine"


@LINUX
def test_models_left_in_the_old_cache_folder_are_still_searched_after_the_new_folder(xdg, monkeypatch):
    new = xdg / "xdg_data_home" / "promptcut" / "models"
    old = xdg / "xdg_cache_home" / "promptcut" / "models"
    assert paths.model_search_dirs() == [new]
    old.mkdir(parents=True)
    assert paths.model_search_dirs() == [new]   # an empty leftover folder is nothing to search
    (old / "wan2.1-t2v-1.3b").mkdir()
    assert paths.model_search_dirs() == [new, old]
    # A folder the user configured is the only one: they said where their models are.
    monkeypatch.setenv(paths.MODELS_ENV, str(xdg / "mine"))
    assert paths.model_search_dirs() == [xdg / "mine"]


def test_on_windows_everything_is_under_local_appdata_without_a_vendor_folder(monkeypatch):
    # platformdirs' own override for the known folder, so no Windows API is asked on this machine.
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", LOCAL_APPDATA)
    monkeypatch.delenv(paths.MODELS_ENV, raising=False)
    windows = Windows(paths.APP_NAME, appauthor=False)

    def parts(path: Path) -> tuple[str, ...]:
        return PureWindowsPath(ntpath.normpath(str(path))).parts

    base = PureWindowsPath(LOCAL_APPDATA).parts
    assert parts(paths.user_config_dir(windows)) == (*base, "promptcut")
    assert parts(paths.user_data_dir(windows)) == (*base, "promptcut")
    assert parts(paths.user_state_dir(windows)) == (*base, "promptcut")
    assert parts(paths.user_cache_dir(windows)) == (*base, "promptcut", "Cache")
    assert parts(paths.models_dir(windows)) == (*base, "promptcut", "models")


def test_on_macos_caches_and_application_support(monkeypatch):
    # platformdirs honours XDG variables on macOS too, when a user sets them; this user has not.
    for var in (paths.MODELS_ENV, "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(var, raising=False)
    mac = MacOS(paths.APP_NAME, appauthor=False)
    library = Path.home() / "Library"
    assert paths.user_cache_dir(mac) == library / "Caches" / "promptcut"
    assert paths.user_config_dir(mac) == library / "Application Support" / "promptcut"
    assert paths.user_data_dir(mac) == library / "Application Support" / "promptcut"
    assert paths.models_dir(mac) == library / "Application Support" / "promptcut" / "models"

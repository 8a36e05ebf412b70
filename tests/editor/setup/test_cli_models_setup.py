"""`promptcut models index` and `promptcut models fetch` (their parsers as editor.cli adds them)."""

from __future__ import annotations

import argparse
import json
import shutil

import pytest

from editor.cli_models import add_setup_parsers
from editor.cli_support import CliError
from editor.setup.index import INDEX_FILE
from generation.paths import legacy_models_dir, models_dir

from .conftest import MODEL_ID


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="promptcut models")
    add_setup_parsers(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_index_then_fetch_over_http(tmp_path, mirror, http_mirror, models_root, capsys):
    (mirror / INDEX_FILE).unlink()
    assert run("index", str(mirror)) == 0
    assert capsys.readouterr().out.strip() == str(mirror / INDEX_FILE)
    assert json.loads((mirror / INDEX_FILE).read_text(encoding="utf-8"))["models"][0]["id"] == MODEL_ID
    assert run("fetch", MODEL_ID, "--index", http_mirror[0]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(models_root / MODEL_ID)
    assert "fetching 100%" in out.err


def test_index_names_models_installed_elsewhere(tmp_path, mirror, monkeypatch, capsys):
    monkeypatch.setenv("PROMPTCUT_MODELS", str(mirror))
    assert run("index", str(tmp_path / "share"), MODEL_ID) == 0
    doc = json.loads((tmp_path / "share" / INDEX_FILE).read_text(encoding="utf-8"))
    assert doc["models"][0]["base"] == (mirror / MODEL_ID).as_uri() + "/"


def test_index_of_a_model_not_installed_is_one_line(tmp_path):
    with pytest.raises(CliError, match="not installed"):
        run("index", str(tmp_path / "share"), MODEL_ID)


def test_fetch_without_a_network_says_how_to_copy_in(closed_port, models_root):
    with pytest.raises(CliError, match="copy that folder") as failure:
        run("fetch", MODEL_ID, "-q", "--index", f"http://127.0.0.1:{closed_port}/index.json")
    assert str(models_root / MODEL_ID) in str(failure.value)


def test_fetch_of_a_model_the_index_lacks(mirror):
    with pytest.raises(CliError, match="does not list wan2.1-vace-1.3b"):
        run("fetch", "wan2.1-vace-1.3b", "--index", str(mirror))


def test_fetch_of_a_model_in_the_old_models_folder_downloads_nothing(mirror, user_folders, capsys):
    old = legacy_models_dir() / MODEL_ID
    shutil.copytree(mirror / MODEL_ID, old)
    assert run("fetch", MODEL_ID, "-q", "--index", str(mirror)) == 0
    assert capsys.readouterr().out.strip() == str(old)
    assert not models_dir().exists()

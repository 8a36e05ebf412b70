"""Reading a model index: from a folder, a file, file:// and http; hostile and malformed ones; the hub offline."""

from __future__ import annotations

import json

import pytest

from editor.setup.index import (
    HUB,
    INDEX_ENV,
    INDEX_FILE,
    NoNetwork,
    SetupError,
    copy_in_instructions,
    file_sha256,
    hub_index,
    index_source,
    load_index,
    write_index,
)
from generation.models import get_model

from .conftest import BIG_FILE, MODEL_ID

GOOD_SHA = "0" * 64


def _write(folder, models, **extra):
    doc = {"format": "promptcut-model-index", "version": 1, "models": models, **extra}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / INDEX_FILE).write_text(json.dumps(doc), encoding="utf-8")
    return folder


def _model(files, model_id=MODEL_ID, **extra):
    return {"id": model_id, "files": files, **extra}


def test_write_index_lists_every_file_with_size_and_sha256(mirror):
    doc = json.loads((mirror / INDEX_FILE).read_text(encoding="utf-8"))
    (listed,) = doc["models"]
    assert listed["id"] == MODEL_ID and listed["base"] == f"{MODEL_ID}/"
    by_path = {f["path"]: f for f in listed["files"]}
    assert set(by_path) == {"model_index.json", "transformer/config.json", BIG_FILE,
                            "scheduler/scheduler_config.json"}
    big = mirror / MODEL_ID / BIG_FILE
    assert by_path[BIG_FILE] == {"path": BIG_FILE, "size": big.stat().st_size, "sha256": file_sha256(big)}


def test_the_same_index_reads_from_a_folder_a_file_and_a_file_url(mirror):
    ways = [str(mirror), str(mirror / INDEX_FILE), (mirror / INDEX_FILE).as_uri(), mirror]
    listings = [load_index(way).entry(MODEL_ID).files for way in ways]
    assert all(files == listings[0] for files in listings)
    assert all(f.url.startswith("file://") and f.sha256 for f in listings[0])


def test_http_index_files_are_addressed_on_the_server(http_mirror):
    url, _server = http_mirror
    index = load_index(url)
    assert index.source == url and index.skipped == ()
    assert all(f.url.startswith(url.removesuffix(INDEX_FILE) + MODEL_ID + "/") for f in index.entry(MODEL_ID).files)


def test_index_source_comes_from_the_environment(monkeypatch, mirror):
    assert index_source() == HUB
    monkeypatch.setenv(INDEX_ENV, str(mirror))
    assert index_source() == str(mirror)
    assert load_index().entry(MODEL_ID) is not None


@pytest.mark.parametrize("bad_file, why", [
    ({"path": "../x", "size": 1, "sha256": GOOD_SHA}, "leaves its folder"),
    ({"path": "/etc/passwd", "size": 1, "sha256": GOOD_SHA}, "absolute"),
    ({"path": "C:/x", "size": 1, "sha256": GOOD_SHA}, "absolute"),
    ({"path": "a/../../x", "size": 1, "sha256": GOOD_SHA}, "leaves its folder"),
    ({"path": "./", "size": 1}, "unusable"),
    ({"path": 7, "size": 1}, "no path"),
    ({"path": "x", "size": 10**30}, "impossible size"),
    ({"path": "x", "size": -1}, "impossible size"),
    ({"path": "x", "size": "12"}, "impossible size"),
    ({"path": "x", "size": True}, "impossible size"),
    ({"path": "x", "size": 1, "sha256": "zz"}, "malformed sha256"),
    ({"path": "x", "size": 1, "sha256": 5}, "malformed sha256"),
    ({"path": "w.safetensors.promptcut-part", "size": 1}, "keeps for its unfinished downloads"),
    ({"path": "a.PROMPTCUT-PART/w", "size": 1}, "keeps for its unfinished downloads"),
    ({"path": "w.promptcut-checked", "size": 1}, "keeps for its unfinished downloads"),
    ("x", "not an object"),
])
def test_hostile_files_skip_their_entry(tmp_path, bad_file, why):
    good = {"path": "model_index.json", "size": 2, "sha256": GOOD_SHA}
    index = load_index(_write(tmp_path / "idx", [_model([good, bad_file])]))
    assert index.entries == ()
    (line,) = index.skipped
    assert why in line and "\n" not in line


@pytest.mark.parametrize("raw, why", [
    ({"id": "no-such-model", "files": [{"path": "a", "size": 1}]}, "not a model this PromptCut knows"),
    ({"files": [{"path": "a", "size": 1}]}, "no model id"),
    ({"id": ["x"], "files": []}, "no model id"),
    ({"id": MODEL_ID, "files": "a"}, "no files"),
    ({"id": MODEL_ID, "files": []}, "no files"),
    ({"id": MODEL_ID, "base": 3, "files": [{"path": "a", "size": 1}]}, "base"),
    ({"id": MODEL_ID, "base": "ftp://x/", "files": [{"path": "a", "size": 1}]}, "ftp"),
    ({"id": MODEL_ID, "files": [{"path": "a", "size": 1}, {"path": "A", "size": 1}]}, "twice"),
    (None, "not an object"),
])
def test_hostile_entries_are_skipped_and_the_good_ones_kept(tmp_path, raw, why):
    good = _model([{"path": "model_index.json", "size": 2, "sha256": GOOD_SHA}], model_id="wan2.1-vace-1.3b")
    index = load_index(_write(tmp_path / "idx", [raw, good]))
    assert [e.model.id for e in index.entries] == ["wan2.1-vace-1.3b"]
    (line,) = index.skipped
    assert why in line


def test_a_model_listed_twice_keeps_the_first(tmp_path):
    files = [{"path": "model_index.json", "size": 2}]
    index = load_index(_write(tmp_path / "idx", [_model(files), _model(files + [{"path": "b", "size": 1}])]))
    assert len(index.entry(MODEL_ID).files) == 1 and "twice" in index.skipped[0]


def test_a_web_index_may_not_point_at_local_files(tmp_path, http_mirror):
    url, _server = http_mirror
    mirror = tmp_path / "mirror"
    doc = json.loads((mirror / INDEX_FILE).read_text(encoding="utf-8"))
    doc["models"][0]["base"] = "file:///etc/"
    (mirror / INDEX_FILE).write_text(json.dumps(doc), encoding="utf-8")
    index = load_index(url)
    assert index.entries == () and "local files" in index.skipped[0]


@pytest.mark.parametrize("content, why", [
    (b"\xff\xfe not json", "not JSON"),
    (b"{", "not JSON"),
    (b"[]", "format"),
    (b'{"format": "something-else", "version": 1, "models": []}', "format"),
    (b'{"format": "promptcut-model-index", "version": "1", "models": []}', "version"),
    (b'{"format": "promptcut-model-index", "version": 99, "models": []}', "update PromptCut"),
    (b'{"format": "promptcut-model-index", "version": 1, "models": {}}', "not a list"),
])
def test_a_malformed_index_is_one_line(tmp_path, content, why):
    (tmp_path / INDEX_FILE).write_bytes(content)
    with pytest.raises(SetupError, match=why) as failure:
        load_index(tmp_path)
    assert "\n" not in str(failure.value) and not isinstance(failure.value, NoNetwork)


def test_a_missing_or_special_index_is_one_line(tmp_path):
    with pytest.raises(SetupError, match="no model index"):
        load_index(tmp_path / "nowhere")
    (tmp_path / "dir" / INDEX_FILE).mkdir(parents=True)
    with pytest.raises(SetupError):
        load_index(tmp_path / "dir" / INDEX_FILE)


def test_an_http_index_that_is_missing_is_refused_not_offline(http_mirror):
    url, _server = http_mirror
    with pytest.raises(SetupError, match="404") as failure:
        load_index(url.replace(INDEX_FILE, "missing.json"))
    assert not isinstance(failure.value, NoNetwork)


def test_the_hub_offline_is_no_network(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(NoNetwork, match="HF_HUB_OFFLINE"):
        load_index(HUB)


def test_an_unreachable_hub_is_no_network(monkeypatch, closed_port):
    pytest.importorskip("huggingface_hub")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(NoNetwork, match="Hugging Face hub"):
        hub_index(endpoint=f"http://127.0.0.1:{closed_port}", timeout_s=5, models=[get_model(MODEL_ID)])


def test_copy_in_instructions_name_the_repo_and_the_folder(tmp_path):
    model = get_model(MODEL_ID)
    text = copy_in_instructions(model, tmp_path)
    assert model.repo in text and str(tmp_path / MODEL_ID) in text and "\n" not in text
    assert "nothing to copy" in copy_in_instructions(get_model("tiny-wan"), tmp_path)


def test_write_index_of_folders_elsewhere_uses_absolute_addresses(tmp_path, mirror):
    path = write_index(tmp_path / "elsewhere", {MODEL_ID: mirror / MODEL_ID})
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["models"][0]["base"] == (mirror / MODEL_ID).as_uri() + "/"
    assert load_index(path.parent).entry(MODEL_ID).files == load_index(mirror).entry(MODEL_ID).files


def test_write_index_without_models_is_one_line(tmp_path):
    with pytest.raises(SetupError, match="no installed model"):
        write_index(tmp_path / "empty")

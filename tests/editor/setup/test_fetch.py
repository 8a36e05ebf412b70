"""Downloading a model from the fake index: real file copies and http transfers, progress, pause and resume,
damaged files, a full disk, a source that cannot be reached, two downloads at once, a changed index."""

from __future__ import annotations

import shutil
import threading
from collections import namedtuple
from pathlib import Path

import pytest

from editor.setup.fetch import (
    PART_SUFFIX,
    PARTIAL,
    ChecksumMismatch,
    FetchPaused,
    discard_partial,
    fetch_model,
    installed_model,
    partial_bytes,
)
from editor.setup.index import NoNetwork, SetupError, load_index, write_index
from generation.locate import find_model
from generation.paths import legacy_models_dir, models_dir

from .conftest import BIG_FILE, MODEL_ID


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    return files_a == files_b and all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)


def _pause_inside(name: str, stop: threading.Event, seen: list):
    """A progress callback that sets ``stop`` once part of ``name`` has arrived (and records every report)."""
    def progress(p):
        seen.append(p)
        if p.current_file == name and len([s for s in seen if s.current_file == name]) >= 2:
            stop.set()
    return progress


@pytest.mark.parametrize("served", ["folder", "http"])
def test_full_download_reports_monotonic_progress_and_is_found(served, mirror, http_mirror, models_root):
    source = str(mirror) if served == "folder" else http_mirror[0]
    entry = load_index(source).entry(MODEL_ID)
    seen = []
    path = fetch_model(entry, models_root, progress=seen.append)
    assert path == models_root / MODEL_ID
    assert _same_tree(path, mirror / MODEL_ID)
    done = [p.done_bytes for p in seen]
    assert done == sorted(done) and done[-1] == seen[-1].total_bytes == entry.size_bytes
    assert not (models_root / PARTIAL).exists()
    found = find_model(MODEL_ID, models_root=models_root, build_test_models=False)
    assert found is not None and found.path == path
    assert fetch_model(entry, models_root) == path   # installed: returned at once


def test_pause_mid_file_then_resume_over_http_asks_from_the_offset(mirror, http_mirror, models_root, every_chunk):
    url, server = http_mirror
    entry = load_index(url).entry(MODEL_ID)
    stop = threading.Event()
    seen: list = []
    with pytest.raises(FetchPaused):
        fetch_model(entry, models_root, progress=_pause_inside(BIG_FILE, stop, seen), stop=stop)
    part = models_root / PARTIAL / MODEL_ID / (BIG_FILE + PART_SUFFIX)
    have = part.stat().st_size
    assert 0 < have < (mirror / MODEL_ID / BIG_FILE).stat().st_size
    assert not (models_root / MODEL_ID).exists()
    assert partial_bytes(entry, models_root) >= have
    server.requests.clear()
    resumed: list = []
    path = fetch_model(entry, models_root, progress=resumed.append)
    assert (f"/{MODEL_ID}/{BIG_FILE}", f"bytes={have}-") in server.requests
    assert resumed[0].done_bytes >= have           # the resumed bytes count from the start
    assert _same_tree(path, mirror / MODEL_ID)


def test_a_dropped_connection_keeps_what_arrived_and_resumes_from_there(mirror, http_mirror, models_root):
    url, server = http_mirror
    entry = load_index(url).entry(MODEL_ID)
    server.cut_after = 300_000
    with pytest.raises(NoNetwork, match="broke off"):
        fetch_model(entry, models_root, timeout_s=10)
    part = models_root / PARTIAL / MODEL_ID / (BIG_FILE + PART_SUFFIX)
    assert part.stat().st_size == 300_000
    server.cut_after = None
    server.requests.clear()
    assert _same_tree(fetch_model(entry, models_root), mirror / MODEL_ID)
    assert (f"/{MODEL_ID}/{BIG_FILE}", "bytes=300000-") in server.requests


def test_resume_from_a_server_that_ignores_range_starts_the_file_over(mirror, http_mirror, models_root,
                                                                      every_chunk):
    url, server = http_mirror
    entry = load_index(url).entry(MODEL_ID)
    stop = threading.Event()
    with pytest.raises(FetchPaused):
        fetch_model(entry, models_root, progress=_pause_inside(BIG_FILE, stop, []), stop=stop)
    server.ignore_range = True   # answers 200 with the whole file
    path = fetch_model(entry, models_root)
    assert _same_tree(path, mirror / MODEL_ID)


def test_pause_and_resume_from_a_folder(mirror, models_root, every_chunk):
    entry = load_index(mirror).entry(MODEL_ID)
    stop = threading.Event()
    with pytest.raises(FetchPaused):
        fetch_model(entry, models_root, progress=_pause_inside(BIG_FILE, stop, []), stop=stop)
    assert (models_root / PARTIAL / MODEL_ID / (BIG_FILE + PART_SUFFIX)).stat().st_size > 0
    assert _same_tree(fetch_model(entry, models_root), mirror / MODEL_ID)


def test_discard_partial_forgets_a_paused_download(mirror, models_root, every_chunk):
    entry = load_index(mirror).entry(MODEL_ID)
    stop = threading.Event()
    with pytest.raises(FetchPaused):
        fetch_model(entry, models_root, progress=_pause_inside(BIG_FILE, stop, []), stop=stop)
    discard_partial(entry, models_root)
    assert partial_bytes(entry, models_root) == 0
    assert not (models_root / PARTIAL).exists()


@pytest.mark.parametrize("served", ["folder", "http"])
def test_a_damaged_file_is_deleted_and_named(served, mirror, http_mirror, models_root):
    source = str(mirror) if served == "folder" else http_mirror[0]
    entry = load_index(source).entry(MODEL_ID)
    served_file = mirror / MODEL_ID / BIG_FILE
    data = bytearray(served_file.read_bytes())
    data[1000] ^= 0xFF
    served_file.write_bytes(bytes(data))
    with pytest.raises(ChecksumMismatch, match="diffusion_pytorch_model.safetensors") as failure:
        fetch_model(entry, models_root)
    assert "\n" not in str(failure.value)
    assert not (models_root / MODEL_ID).exists()
    target = models_root / PARTIAL / MODEL_ID / BIG_FILE
    assert not target.exists() and not target.with_name(target.name + ".part").exists()
    served_file.write_bytes(bytes(data[:1000]) + bytes([data[1000] ^ 0xFF]) + bytes(data[1001:]))
    assert _same_tree(fetch_model(entry, models_root), mirror / MODEL_ID)   # the next try fetches it anew


def test_a_short_file_is_a_mismatch_too(mirror, models_root):
    entry = load_index(mirror).entry(MODEL_ID)
    served_file = mirror / MODEL_ID / "transformer" / "config.json"
    served_file.write_bytes(served_file.read_bytes()[:-3])
    with pytest.raises(ChecksumMismatch, match="config.json"):
        fetch_model(entry, models_root)


Usage = namedtuple("Usage", "total used free")


def test_free_space_is_checked_at_the_edge(mirror, models_root, monkeypatch):
    entry = load_index(mirror).entry(MODEL_ID)
    free = {"bytes": entry.size_bytes - 1}
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(10**12, 0, free["bytes"]))
    with pytest.raises(SetupError, match="not enough disk space") as failure:
        fetch_model(entry, models_root)
    assert "\n" not in str(failure.value)
    assert partial_bytes(entry, models_root) == 0 and not (models_root / MODEL_ID).exists()
    free["bytes"] = entry.size_bytes
    assert fetch_model(entry, models_root) == models_root / MODEL_ID


def test_an_unreachable_server_is_no_network(mirror, http_mirror, models_root, closed_port):
    with pytest.raises(NoNetwork):
        load_index(f"http://127.0.0.1:{closed_port}/index.json", timeout_s=5)
    url, server = http_mirror
    entry = load_index(url).entry(MODEL_ID)
    server.shutdown()
    server.server_close()
    with pytest.raises(NoNetwork, match="127.0.0.1"):
        fetch_model(entry, models_root, timeout_s=5)
    assert not (models_root / MODEL_ID).exists()


def test_an_incomplete_folder_already_there_is_left_alone(mirror, models_root):
    entry = load_index(mirror).entry(MODEL_ID)
    half = models_root / MODEL_ID   # a copy in progress: the index names parts not there yet
    half.mkdir(parents=True)
    shutil.copy(mirror / MODEL_ID / "model_index.json", half / "model_index.json")
    with pytest.raises(SetupError, match="not a complete"):
        fetch_model(entry, models_root)
    assert sorted(p.name for p in half.iterdir()) == ["model_index.json"]


def test_an_index_listing_too_few_files_is_not_installed(mirror, models_root):
    entry = load_index(mirror).entry(MODEL_ID)
    short = type(entry)(entry.model, tuple(f for f in entry.files if f.path != BIG_FILE))
    with pytest.raises(SetupError, match="too few files"):
        fetch_model(short, models_root)
    assert not (models_root / MODEL_ID).exists()


# --- two downloads at once, a changed index, names, the old models folder, stalls and redirects --------------

def _fetch_in_thread(entry, models_root, **kwargs):
    """Run fetch_model in a thread; the returned dict gets "result" (the path or the exception) when it ends."""
    out: dict = {}

    def work():
        try:
            out["result"] = fetch_model(entry, models_root, **kwargs)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            out["result"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    out["thread"] = thread
    return out


def _inside_big(entry, p) -> bool:
    """Some bytes of the big file (the last listed) have arrived."""
    return p.current_file == BIG_FILE and p.done_bytes > entry.size_bytes - entry.files[-1].size


def test_a_second_download_of_the_same_model_is_refused_while_the_first_runs(mirror, http_mirror, models_root,
                                                                            every_chunk):
    url, server = http_mirror
    server.gate_name, server.gate_bytes = Path(BIG_FILE).name, 300_000
    entry = load_index(url).entry(MODEL_ID)
    inside = threading.Event()
    first = _fetch_in_thread(entry, models_root,
                             progress=lambda p: _inside_big(entry, p) and inside.set())
    assert inside.wait(30)   # the first one is inside the big file, held by the server
    with pytest.raises(SetupError, match="already being downloaded by another PromptCut") as failure:
        fetch_model(entry, models_root)
    assert "\n" not in str(failure.value)
    with pytest.raises(SetupError, match="already being downloaded"):
        discard_partial(entry, models_root)   # nor are its files taken from under it
    server.gate.set()
    first["thread"].join(60)
    assert first["result"] == models_root / MODEL_ID
    assert _same_tree(models_root / MODEL_ID, mirror / MODEL_ID)
    assert not (models_root / PARTIAL).exists()   # the lock went with the download


def test_a_file_another_program_wrote_to_is_not_kept(mirror, models_root, every_chunk):
    entry = load_index(mirror).entry(MODEL_ID)
    part = models_root / PARTIAL / MODEL_ID / (BIG_FILE + PART_SUFFIX)

    def meddle(p):
        if p.current_file == BIG_FILE and part.is_file() and part.stat().st_size and not meddle.done:
            meddle.done = True
            with open(part, "ab") as other:
                other.write(b"someone else's bytes")
    meddle.done = False
    with pytest.raises(ChecksumMismatch, match="on disk"):
        fetch_model(entry, models_root, progress=meddle)
    assert not part.exists() and not (models_root / MODEL_ID).exists()
    assert _same_tree(fetch_model(entry, models_root), mirror / MODEL_ID)


def test_a_file_that_cannot_be_put_in_place_is_one_line(mirror, models_root):
    entry = load_index(mirror).entry(MODEL_ID)
    blocker = models_root / PARTIAL / MODEL_ID / "transformer" / "config.json"
    (blocker / "inside").mkdir(parents=True)   # a folder where the file goes: the rename fails
    with pytest.raises(SetupError, match="cannot keep") as failure:
        fetch_model(entry, models_root)
    assert "\n" not in str(failure.value) and not (models_root / MODEL_ID).exists()


def test_a_finished_file_is_checked_again_when_the_index_changed(mirror, models_root, every_chunk):
    entry = load_index(mirror).entry(MODEL_ID)
    stop = threading.Event()
    with pytest.raises(FetchPaused):
        fetch_model(entry, models_root, progress=_pause_inside(BIG_FILE, stop, []), stop=stop)
    assert (models_root / PARTIAL / MODEL_ID / "transformer" / "config.json").is_file()
    # A new revision: the same size, other bytes.
    (mirror / MODEL_ID / "transformer" / "config.json").write_text('{"num_layers": 2}', encoding="utf-8")
    write_index(mirror)
    path = fetch_model(load_index(mirror).entry(MODEL_ID), models_root)
    assert _same_tree(path, mirror / MODEL_ID)   # nothing of ours (pieces, check records) travelled with it


def test_files_the_new_index_no_longer_lists_are_left_out(mirror, models_root, every_chunk):
    extra = mirror / MODEL_ID / "scheduler" / "extra.bin"   # listed before the big file: it arrives first
    extra.write_bytes(b"x" * 1000)
    write_index(mirror)
    stop = threading.Event()
    with pytest.raises(FetchPaused):
        fetch_model(load_index(mirror).entry(MODEL_ID), models_root, progress=_pause_inside(BIG_FILE, stop, []),
                    stop=stop)
    assert (models_root / PARTIAL / MODEL_ID / "scheduler" / "extra.bin").is_file()
    extra.unlink()
    write_index(mirror)
    path = fetch_model(load_index(mirror).entry(MODEL_ID), models_root)
    assert _same_tree(path, mirror / MODEL_ID)


def test_a_listed_file_named_like_a_piece_is_installed_and_stray_pieces_are_not(mirror, models_root):
    shard = mirror / MODEL_ID / "transformer" / "weights_shard.part"
    shard.write_bytes(b"needed bytes" * 100)
    write_index(mirror)
    entry = load_index(mirror).entry(MODEL_ID)
    assert "transformer/weights_shard.part" in [f.path for f in entry.files]
    stray = models_root / PARTIAL / MODEL_ID / "transformer" / "config.json.part"   # an older version's piece
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"old")
    path = fetch_model(entry, models_root)
    assert _same_tree(path, mirror / MODEL_ID)


def test_a_model_in_the_old_models_folder_is_not_downloaded_again(mirror, tmp_path, user_folders):
    old = legacy_models_dir() / MODEL_ID
    shutil.copytree(mirror / MODEL_ID, old)
    entry = load_index(mirror).entry(MODEL_ID)
    assert fetch_model(entry) == old
    assert fetch_model(entry, models_dir()) == old   # the default folder named is still the default
    assert installed_model(MODEL_ID, models_dir()).path == old
    assert not models_dir().exists()
    # A folder the user chose is the only one looked in.
    assert installed_model(MODEL_ID, tmp_path / "chosen") is None
    assert fetch_model(entry, tmp_path / "chosen") == tmp_path / "chosen" / MODEL_ID


def test_a_pause_reaches_a_read_the_server_holds(mirror, http_mirror, models_root, every_chunk):
    url, server = http_mirror
    server.gate_name, server.gate_bytes = Path(BIG_FILE).name, 300_000
    entry = load_index(url).entry(MODEL_ID)
    inside, stop = threading.Event(), threading.Event()
    run = _fetch_in_thread(entry, models_root, stop=stop, timeout_s=120,
                           progress=lambda p: _inside_big(entry, p) and inside.set())
    assert inside.wait(30)
    stop.set()
    run["thread"].join(60)
    assert isinstance(run["result"], FetchPaused)
    assert not server.gate_passed.is_set()   # it paused while the server still held the rest back
    part = models_root / PARTIAL / MODEL_ID / (BIG_FILE + PART_SUFFIX)
    assert 0 < part.stat().st_size <= 300_000
    server.gate.set()
    assert _same_tree(fetch_model(entry, models_root), mirror / MODEL_ID)


def test_a_redirect_away_from_http_is_refused(mirror, http_mirror, models_root):
    url, server = http_mirror
    server.redirects[Path(BIG_FILE).name] = "ftp://127.0.0.1/weights.safetensors"
    entry = load_index(url).entry(MODEL_ID)
    with pytest.raises(SetupError, match="ftp") as failure:
        fetch_model(entry, models_root)
    assert not isinstance(failure.value, NoNetwork) and "\n" not in str(failure.value)
    assert not (models_root / MODEL_ID).exists()

"""Downloading one model's files from its index entry into the models folder: resumable, every file checked.

Files arrive in ``<models>/.partial/<id>/`` (a file being written ends in ``.promptcut-part``, a name no index
may list); each finished file's size and sha256 are checked before it is kept, and what it was checked against
is recorded beside it (``.promptcut-checked``), so a resume under a changed index checks it again. When every
file is there, the files the index does not list and the records are removed and the folder is moved to
``<models>/<id>`` in one rename, so a half-downloaded model is never found as installed. One download of a
model at a time: ``<models>/.partial/<id>.lock`` is held while it runs. Setting ``stop`` pauses (a read that
is waiting on the network included): what arrived is kept and the next :func:`fetch_model` resumes from it
(an http ``Range`` request; a seek for local files).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from editor.safe_io import FileRefused, check_free_space
from editor.setup.index import (
    CHECKED_SUFFIX,
    PART_SUFFIX,
    IndexEntry,
    IndexFile,
    NoNetwork,
    SetupError,
    network_reason,
)
from generation.locate import LocalModel
from generation.model_types import ModelInfo

PARTIAL = ".partial"
LOCK_SUFFIX = ".lock"
STOP_POLL_S = 0.05           # how soon a pause reaches a read that waits on the network
PROGRESS_EVERY_S = 0.1       # at most ~10 reports a second: a window redraws on each
CHUNK = 256 * 1024


class FetchPaused(Exception):
    """``stop`` was set: the download stopped where it stood and can be resumed."""


class ChecksumMismatch(SetupError):
    """A file arrived with the wrong size or sha256; it was deleted, and downloading again fetches it anew."""


@dataclass(frozen=True)
class FetchProgress:
    done_bytes: int               # over the whole model, resumed bytes included
    total_bytes: int
    current_file: str
    seconds_left: float | None    # None until a rate is known


Progress = Callable[[FetchProgress], None]


def partial_folder(entry: IndexEntry, models_root: Path | None = None) -> Path:
    return _root(models_root) / PARTIAL / entry.model.id


def installed_model(model: ModelInfo | str, models_root: Path | None = None) -> LocalModel | None:
    """Where ``model`` is installed as far as downloading it into ``models_root`` goes. The default models
    folder (None, or that same folder named) also counts the folders earlier versions kept models in
    (``generation.paths.model_search_dirs``): a model there is found by the catalog and must not be
    downloaded again. A folder the user chose is the only one looked in."""
    from generation.locate import find_model

    return find_model(model, models_root=_search_root(models_root), build_test_models=False)


def _root(models_root: Path | None) -> Path:
    from generation.paths import models_dir

    return Path(models_root).expanduser() if models_root is not None else models_dir()


def _search_root(models_root: Path | None) -> Path | None:
    from generation.paths import models_dir

    if models_root is None:
        return None
    root = Path(models_root).expanduser()
    default = models_dir()
    if root.absolute() == default.absolute():
        return None
    with contextlib.suppress(OSError):
        if root.samefile(default):
            return None
    return root


def fetch_model(entry: IndexEntry, models_root: Path | None = None, *, progress: Progress | None = None,
                stop: threading.Event | None = None, timeout_s: float = 30.0) -> Path:
    """Download ``entry`` into ``models_root`` (None: ``generation.paths.models_dir()``) and return the model's
    folder. Already installed (see :func:`installed_model`): returns it at once. Raises FetchPaused (stop was
    set), ChecksumMismatch, NoNetwork, or SetupError (one line: no space left, the folder not writable, the
    source refused a file, another PromptCut downloading the same model)."""
    root = _root(models_root)
    installed = installed_model(entry.model, models_root)
    if installed is not None:
        return installed.path
    with _download_lock(root, entry.model):
        # Another PromptCut may have finished it while this one waited to look.
        installed = installed_model(entry.model, models_root)
        if installed is not None:
            return installed.path
        final = _fetch_locked(entry, root, progress, stop, timeout_s)
    with contextlib.suppress(OSError):
        (root / PARTIAL).rmdir()   # only when no other download is paused there
    return final


def _fetch_locked(entry: IndexEntry, root: Path, progress: Progress | None, stop: threading.Event | None,
                  timeout_s: float) -> Path:
    from generation.locate import find_model

    model = entry.model
    final = root / model.id
    if os.path.lexists(final):
        # Someone's folder (a copy in progress, an older download): never overwritten, never merged into.
        raise SetupError(f"{final} is there but is not a complete {model.display_name}: finish copying it, or "
                         "move it away and download again")
    partial = partial_folder(entry, root)
    try:
        partial.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"cannot write to the models folder {root}: {exc.strerror or exc}") from None
    needed = entry.size_bytes - partial_bytes(entry, root)
    try:
        check_free_space(partial, needed)
    except FileRefused:
        free = shutil.disk_usage(partial).free
        raise SetupError(f"not enough disk space for {model.display_name}: it needs {_mb(needed)} more and "
                         f"{root} has {_mb(free)} free") from None
    meter = _Meter(entry.size_bytes, partial_bytes(entry, root), progress)
    for item in entry.files:
        if stop is not None and stop.is_set():
            raise FetchPaused(f"{model.display_name}: paused")
        _fetch_file(item, partial, meter, stop, timeout_s, model.id)
    meter.report(meter.current, force=True)
    _remove_unlisted(partial, entry)
    found = find_model(model, models_root=partial.parent, build_test_models=False)
    if found is None or found.path != partial:
        raise SetupError(f"every file of {model.id} arrived, but they do not make a complete model; the index "
                         f"lists too few files (they are kept in {partial})")
    try:
        os.rename(partial, final)
    except OSError as exc:
        raise SetupError(f"cannot move {model.id} into place at {final}: {exc.strerror or exc}") from None
    return final


def partial_bytes(entry: IndexEntry, models_root: Path | None = None) -> int:
    """How much of ``entry`` a paused or interrupted download left (0: none)."""
    partial = partial_folder(entry, models_root)
    if not partial.is_dir():
        return 0
    total = 0
    for item in entry.files:
        done = _done_path(partial, item)
        for path in (done, _part_path(done)):
            with contextlib.suppress(OSError):
                total += min(item.size, path.stat().st_size)
                break
    return total


def discard_partial(entry: IndexEntry, models_root: Path | None = None) -> None:
    """Forget a paused download: remove ``<models>/.partial/<id>``. Raises SetupError (one line) while another
    PromptCut is downloading it."""
    root = _root(models_root)
    partial = partial_folder(entry, root)
    if not partial.is_dir():
        return
    with _download_lock(root, entry.model):
        shutil.rmtree(partial, ignore_errors=True)
    with contextlib.suppress(OSError):
        partial.parent.rmdir()


@contextlib.contextmanager
def _download_lock(root: Path, model: ModelInfo) -> Iterator[None]:
    """Hold ``<root>/.partial/<id>.lock``: two writers appending to one file would install a damaged model."""
    folder = root / PARTIAL
    path = folder / f"{model.id}{LOCK_SUFFIX}"
    while True:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SetupError(f"cannot write to the models folder {root}: {exc.strerror or exc}") from None
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise SetupError(f"{model.display_name} is already being downloaded by another PromptCut: let that "
                             "one finish (or pause or close it), then try again") from None
        # The holder before this one removes the file as it lets go; a lock taken on a removed file guards
        # nothing, so take it again on the file now there.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        if sys.platform == "win32":
            # Windows cannot remove a file someone holds open: removing it after closing is safe there.
            with contextlib.suppress(OSError):
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
        else:
            with contextlib.suppress(OSError):
                path.unlink()
            os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _mb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _done_path(partial: Path, item: IndexFile) -> Path:
    return partial.joinpath(*item.path.split("/"))


def _part_path(done: Path) -> Path:
    return done.with_name(done.name + PART_SUFFIX)


def _checked_path(done: Path) -> Path:
    return done.with_name(done.name + CHECKED_SUFFIX)


def _check_key(item: IndexFile) -> str:
    """What a file was checked against: a changed index (a new revision, a fixed mirror) gives another key."""
    if item.sha256 is not None:
        return f"{item.size} sha256 {item.sha256}"
    if item.blob_id is not None:
        return f"{item.size} blob {item.blob_id}"
    return f"{item.size} size"


def _record_checked(done: Path, item: IndexFile) -> None:
    from generation.leftovers import write_atomically

    # Without the record the next resume checks the file again: slower, never wrong.
    with contextlib.suppress(OSError):
        write_atomically(_checked_path(done), _check_key(item).encode("ascii"))


def _keep_finished(done: Path, item: IndexFile, meter: _Meter) -> bool:
    """Whether a file that finished earlier is the one ``item`` names now; when not it is removed and its
    bytes no longer count."""
    try:
        size = done.stat().st_size
        recorded = _checked_path(done).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        recorded = None
        size = -1
    if size == item.size and recorded == _check_key(item):
        return True
    if size == item.size:
        digest = _checksum(item)
        with contextlib.suppress(OSError):
            _hash_existing(done, size, digest)
            if _digest_matches(item, digest):
                _record_checked(done, item)
                return True
    meter.set_back(min(max(size, 0), item.size))
    try:
        done.unlink(missing_ok=True)
        _checked_path(done).unlink(missing_ok=True)
    except OSError as exc:
        raise SetupError(f"cannot replace {done}: {exc.strerror or exc}") from None
    return False


class _Meter:
    """Bytes over the whole model and the reports made of them, at most one per PROGRESS_EVERY_S."""

    def __init__(self, total: int, already: int, report: Progress | None) -> None:
        self.total = total
        self.done = already
        self.started_with = already
        self.started = time.monotonic()
        self.last = float("-inf")
        self.report_to = report
        self.current = ""

    def add(self, n: int) -> None:
        self.done += n
        self.report(self.current)

    def set_back(self, n: int) -> None:
        """A file starts over (the source ignored the resume): its bytes no longer count."""
        self.done -= n
        self.started_with -= n

    def report(self, current: str, *, force: bool = False) -> None:
        self.current = current
        now = time.monotonic()
        if self.report_to is None or (not force and now - self.last < PROGRESS_EVERY_S):
            return
        self.last = now
        elapsed = now - self.started
        moved = self.done - self.started_with
        left = None
        if elapsed > 0.5 and moved > 0:
            left = max(0.0, (self.total - self.done) / (moved / elapsed))
        self.report_to(FetchProgress(self.done, self.total, current, left))


def _fetch_file(item: IndexFile, partial: Path, meter: _Meter, stop: threading.Event | None,
                timeout_s: float, model_id: str) -> None:
    done = _done_path(partial, item)
    if done.is_file() and _keep_finished(done, item, meter):
        return
    part = _part_path(done)
    try:
        done.parent.mkdir(parents=True, exist_ok=True)
        have = part.stat().st_size if part.is_file() else 0
    except OSError as exc:
        raise SetupError(f"cannot write {done}: {exc.strerror or exc}") from None
    if have > item.size:   # longer than the file can be: it is not a piece of it
        meter.set_back(item.size)
        part.unlink()
        have = 0
    meter.report(item.path, force=True)
    digest = _checksum(item)
    paused = FetchPaused(f"{model_id}: paused in {item.path}")
    try:
        with open(part, "ab") as out:
            if have:
                _hash_existing(part, have, digest)
            with _open_source(item, have, timeout_s, model_id) as (source, offset, promised), \
                    _interrupt_on_stop(source, stop):
                if offset != have:   # the source could not resume: start the file over
                    out.truncate(0)
                    out.seek(0)
                    meter.set_back(have)
                    digest = _checksum(item)
                    have = 0
                written = have
                received = 0   # in this reply: fewer than it promised is a dropped connection
                while True:
                    if stop is not None and stop.is_set():
                        raise paused
                    try:
                        block = source.read(min(CHUNK, item.size + 1 - written))
                    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                        if stop is not None and stop.is_set():   # the pause cut the connection
                            raise paused from None
                        raise NoNetwork(f"the download of {item.path} broke off ({network_reason(exc)})") from None
                    if stop is not None and stop.is_set():   # a pause writes no further block
                        raise paused
                    if not block:
                        if promised is not None and received < promised:
                            raise NoNetwork(f"the download of {item.path} broke off after {written} of "
                                            f"{item.size} bytes")
                        break
                    received += len(block)
                    written += len(block)
                    out.write(block)
                    digest.update(block)
                    meter.add(len(block))
                    if written > item.size:
                        break
            out.flush()
            # What is on disk, not what this download wrote: another program may have written to it too.
            on_disk = os.fstat(out.fileno()).st_size
    except OSError as exc:
        raise SetupError(f"cannot write {part}: {exc.strerror or exc}") from None
    if written != item.size or on_disk != item.size or not _digest_matches(item, digest):
        part.unlink(missing_ok=True)
        meter.set_back(written)
        what = (f"{written} bytes, not {item.size}" if written != item.size
                else f"{on_disk} bytes on disk, not {item.size}" if on_disk != item.size
                else "a different checksum")
        raise ChecksumMismatch(f"{item.path} of {model_id} arrived damaged ({what}); it was deleted, so "
                               "downloading again fetches it anew")
    try:
        os.replace(part, done)
    except OSError as exc:
        raise SetupError(f"cannot keep {done}: {exc.strerror or exc}") from None
    _record_checked(done, item)


def _checksum(item: IndexFile):
    if item.sha256 is None and item.blob_id is not None:
        digest = hashlib.sha1(usedforsecurity=False)  # git's blob id: sha1 over a header, then the bytes
        digest.update(f"blob {item.size}\0".encode())
        return digest
    return hashlib.sha256()


def _digest_matches(item: IndexFile, digest) -> bool:
    if item.sha256 is not None:
        return digest.hexdigest() == item.sha256
    if item.blob_id is not None:
        return digest.hexdigest() == item.blob_id
    return True   # the source gives no checksum for this file: its size was checked


def _hash_existing(part: Path, length: int, digest) -> None:
    with open(part, "rb") as handle:
        left = length
        while left > 0 and (block := handle.read(min(4 * 1024 * 1024, left))):
            digest.update(block)
            left -= len(block)


@contextlib.contextmanager
def _open_source(item: IndexFile, offset: int, timeout_s: float,
                 model_id: str) -> Iterator[tuple[BinaryIO, int, int | None]]:
    """The file's bytes from ``offset`` on, with the offset they really start at (0 where the source
    cannot resume) and how many bytes the reply promised (None: not said, or a local file)."""
    scheme = urllib.parse.urlparse(item.url).scheme.lower()
    if scheme == "file":
        path = Path(urllib.request.url2pathname(urllib.parse.urlparse(item.url).path))
        try:
            info = os.stat(path)
            if not stat.S_ISREG(info.st_mode):   # a FIFO or a device would hang or never end
                raise SetupError(f"{item.path} of {model_id} at {path} is not a regular file")
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise SetupError(f"{item.path} of {model_id} is missing from the source ({path})") from None
        except OSError as exc:
            raise SetupError(f"cannot read {path}: {exc.strerror or exc}") from None
        with handle:
            handle.seek(offset)
            yield handle, offset, None
        return
    if scheme not in ("http", "https"):
        raise SetupError(f"cannot download {item.path} of {model_id} from {item.url}")
    headers = {"User-Agent": "PromptCut model setup", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    headers.update(_hub_auth(item.url))
    request = urllib.request.Request(item.url, headers=headers)
    try:
        response = _opener().open(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code != 416 or not offset:
            raise SetupError(f"the source refused {item.path} of {model_id}: HTTP {exc.code} {exc.reason}") from None
        response = None   # 416: the piece on disk is no prefix the server knows; start the file over
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NoNetwork(f"cannot reach {urllib.parse.urlparse(item.url).netloc} ({network_reason(exc)})") from None
    if response is None:
        with _open_source(item, 0, timeout_s, model_id) as again:
            yield again
        return
    with response:
        start = _range_start(response) if offset and response.status == 206 else 0
        try:
            promised = int(response.headers.get("Content-Length", ""))
        except ValueError:
            promised = None
        yield response, start, promised


@contextlib.contextmanager
def _interrupt_on_stop(source: BinaryIO, stop: threading.Event | None) -> Iterator[None]:
    """A read waiting on a stalled server would hold a pause for up to the whole timeout: when ``stop`` is set,
    shut the connection, so the read returns at once. Local files never wait, and have no socket."""
    sock = getattr(getattr(getattr(source, "fp", None), "raw", None), "_sock", None)
    if stop is None or not isinstance(sock, socket.socket):
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(STOP_POLL_S):
            if stop.is_set():
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                return

    watcher = threading.Thread(target=watch, name="fetch-pause", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()   # never shut a socket after the reply is closed: its number may be reused by then


def _range_start(response) -> int:
    # "Content-Range: bytes 100-199/200"; a reply that does not say where it starts is read as a restart.
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1


class _NoCrossHostAuth(urllib.request.HTTPRedirectHandler):
    """The hub sends its files from a CDN: the token stays with the hub's own host. A redirect leaves http(s)
    never (urllib would follow one to ftp:, where no Range, timeout or checks of ours apply)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlparse(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"{msg}, a redirect to a {scheme or 'relative'}: address, "
                                         "refused", headers, fp)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlparse(newurl).netloc != urllib.parse.urlparse(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoCrossHostAuth())


def _hub_auth(url: str) -> dict[str, str]:
    """A gated model's files need the token `hf auth login` saved; only the hub's own address gets it."""
    host = urllib.parse.urlparse(url).netloc.lower()
    if host != "huggingface.co" and not host.endswith(".huggingface.co"):
        return {}
    try:
        from huggingface_hub import get_token
    except ImportError:
        return {}
    token = get_token()
    return {"Authorization": f"Bearer {token}"} if token else {}


def _remove_unlisted(partial: Path, entry: IndexEntry) -> None:
    """Everything but the listed files (pieces and whole files an older index listed, the check records) would
    travel into the model's folder: remove it, and the folders it leaves empty."""
    # Compared without case: on a disk that ignores case, removing "A.json" would remove a listed "a.json".
    listed = {item.path.casefold() for item in entry.files}
    for root, _dirs, names in os.walk(partial, topdown=False):
        for name in names:
            path = Path(root, name)
            if path.relative_to(partial).as_posix().casefold() not in listed:
                with contextlib.suppress(OSError):
                    path.unlink()
        if Path(root) != partial:
            with contextlib.suppress(OSError):
                os.rmdir(root)

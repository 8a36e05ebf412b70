"""A model index: what a model's folder holds, file by file, with sizes and checksums, and where to get it.

The file ``index.json`` (format ``promptcut-model-index``, version 1)::

    {"format": "promptcut-model-index", "version": 1,
     "models": [{"id": "wan2.1-t2v-1.3b",             # a registry id (generation.models)
                 "base": "wan2.1-t2v-1.3b/",          # where the files are, relative to the index or absolute
                 "files": [{"path": "model_index.json", "size": 512, "sha256": "<hex>"}, ...]}]}

Sources: a local folder holding ``index.json`` (a studio share, a USB disk, the tests' fake index), the path of
such a file, a ``file://`` or ``http(s)://`` address of one, or ``"hub"``: the Hugging Face hub, where the
listing and the LFS checksums come from its API. ``$PROMPTCUT_MODEL_INDEX`` names the source; the hub is the
default. The registry (``generation.models``) says everything else about a model (name, licence, memory).
"""

from __future__ import annotations

import fnmatch
import hashlib
import http.client
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editor.safe_io import FileRefused, read_regular_file, safe_member_name
from generation.model_types import ModelInfo
from generation.models import UnknownModel, get_model, list_models

INDEX_ENV = "PROMPTCUT_MODEL_INDEX"
INDEX_FILE = "index.json"
INDEX_FORMAT = "promptcut-model-index"
HUB = "hub"
INDEX_VERSION = 1
INDEX_MAX_BYTES = 32 * 1024 * 1024        # a listing of every file of every model is well under a megabyte
FILE_MAX_BYTES = 1024 ** 4                 # 1 TiB: no model file comes near; a bigger number is a hostile index
FILES_MAX = 100_000
# Names PromptCut gives its own files inside an unfinished download (a file being written, the record of a
# checked one): an index may list no file or folder ending in one, so neither is ever mistaken for the other.
PART_SUFFIX = ".promptcut-part"
CHECKED_SUFFIX = ".promptcut-checked"
RESERVED_SUFFIXES = (PART_SUFFIX, CHECKED_SUFFIX)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_BLOB_ID = re.compile(r"[0-9a-f]{40}")


class SetupError(Exception):
    """Setup cannot go on: one line a person can act on."""


class NoNetwork(SetupError):
    """The source cannot be reached (no network, the host down): the wizard shows how to copy a folder in."""


@dataclass(frozen=True)
class IndexFile:
    path: str              # relative, "/"-separated, checked with editor.safe_io.safe_member_name
    size: int
    sha256: str | None     # hex; None only where the source gives none (the hub's small non-LFS files)
    url: str               # absolute: file://, http(s)://
    blob_id: str | None = None   # the git blob sha1 the hub gives its non-LFS files (checked where no sha256)


@dataclass(frozen=True)
class IndexEntry:
    model: ModelInfo
    files: tuple[IndexFile, ...]

    @property
    def size_bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class ModelIndex:
    source: str                       # as given: a folder, a file, an address or "hub"
    entries: tuple[IndexEntry, ...]
    skipped: tuple[str, ...] = ()     # one line per entry left out (unknown id, bad file name, ...)

    def entry(self, model_id: str) -> IndexEntry | None:
        return next((e for e in self.entries if e.model.id == model_id), None)


def index_source() -> str:
    """``$PROMPTCUT_MODEL_INDEX`` when set, else ``"hub"``."""
    return os.environ.get(INDEX_ENV, "").strip() or HUB



def load_index(source: str | os.PathLike[str] | None = None, *, timeout_s: float = 20.0) -> ModelIndex:
    """Read the index at ``source`` (None: :func:`index_source`). Raises NoNetwork when it cannot be reached
    and SetupError (one line) when it is not a valid index; entries for models the registry does not know, or
    with unsafe file names, are skipped and named in ``skipped``."""
    given = os.fspath(source) if source is not None else index_source()
    if given == HUB:
        return hub_index(timeout_s=timeout_s)
    if _is_web(given):
        data = _read_web(given, timeout_s)
        return parse_index(data, given, base_url=given, web=True)
    path = _local_path(given)
    if path.is_dir():
        path = path / INDEX_FILE
    try:
        data = read_regular_file(path, max_bytes=INDEX_MAX_BYTES)
    except FileNotFoundError:
        raise SetupError(f"no model index at {path}") from None
    except FileRefused as exc:
        raise SetupError(f"the model index {path} {exc}") from None
    except OSError as exc:
        raise SetupError(f"cannot read the model index {path}: {exc.strerror or exc}") from None
    return parse_index(data, given, base_url=path.absolute().as_uri(), web=False)


def _is_web(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _local_path(text: str) -> Path:
    if text.lower().startswith("file:"):
        parsed = urllib.parse.urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise SetupError(f"cannot read a model index on another host ({text})")
        return Path(urllib.request.url2pathname(parsed.path))
    return Path(text).expanduser()


def _read_web(url: str, timeout_s: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "PromptCut model setup"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - http(s) only
            data = response.read(INDEX_MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise SetupError(f"the model index at {url} was refused: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise NoNetwork(f"cannot reach the model index at {url} ({network_reason(exc)})") from None
    if len(data) > INDEX_MAX_BYTES:
        raise SetupError(f"the model index at {url} is too large (over {INDEX_MAX_BYTES // 2**20} MiB)")
    return data


def network_reason(exc: BaseException) -> str:
    """A short reason for a failed connection: urllib wraps the socket's error in ``reason``."""
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = " ".join(str(reason).split())
    return text or type(reason).__name__


def parse_index(data: bytes, source: str, *, base_url: str, web: bool) -> ModelIndex:
    """The index in ``data`` (the bytes of an ``index.json``); relative bases are taken from ``base_url``,
    the address of the index file. ``web``: it came over http(s), so its files may not name local paths."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SetupError(f"{source} is not a model index (not JSON: {_first_line(exc)})") from None
    if not isinstance(doc, dict) or doc.get("format") != INDEX_FORMAT:
        raise SetupError(f"{source} is not a model index (no \"format\": \"{INDEX_FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SetupError(f"{source} is not a model index (its version is {version!r})")
    if version > INDEX_VERSION:
        raise SetupError(f"the model index {source} is version {version}; this PromptCut reads version "
                         f"{INDEX_VERSION}: update PromptCut")
    models = doc.get("models")
    if not isinstance(models, list):
        raise SetupError(f"{source} is not a model index (\"models\" is not a list)")
    entries: list[IndexEntry] = []
    skipped: list[str] = []
    for number, raw in enumerate(models, start=1):
        try:
            entry = _entry(raw, base_url, web)
        except _Skip as why:
            skipped.append(f"entry {number}: {why}")
            continue
        if any(e.model.id == entry.model.id for e in entries):
            skipped.append(f"entry {number}: {entry.model.id} is listed twice; the first is kept")
            continue
        entries.append(entry)
    return ModelIndex(source, tuple(entries), tuple(skipped))


class _Skip(Exception):
    """One index entry left out, with the reason."""


def _entry(raw: Any, base_url: str, web: bool) -> IndexEntry:
    if not isinstance(raw, dict):
        raise _Skip("not an object")
    model_id = raw.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise _Skip("no model id")
    try:
        model = get_model(model_id)
    except UnknownModel:
        raise _Skip(f"{model_id[:80]!r} is not a model this PromptCut knows") from None
    base = raw.get("base", f"{model.id}/")
    if not isinstance(base, str):
        raise _Skip(f"{model.id}: its base is not a text")
    files = raw.get("files")
    if not isinstance(files, list) or not files:
        raise _Skip(f"{model.id}: no files listed")
    if len(files) > FILES_MAX:
        raise _Skip(f"{model.id}: lists {len(files)} files (at most {FILES_MAX})")
    root = _base_url(base, base_url, web, model.id)
    out: list[IndexFile] = []
    seen: set[str] = set()
    for item in files:
        checked = _file(item, root, model.id)
        key = checked.path.casefold()
        if key in seen:
            raise _Skip(f"{model.id}: lists {checked.path!r} twice")
        seen.add(key)
        out.append(checked)
    return IndexEntry(model, tuple(out))


def _base_url(base: str, index_url: str, web: bool, model_id: str) -> str:
    """Where an entry's files are, as an address ending in "/"."""
    if not base.endswith("/"):
        base += "/"
    scheme = urllib.parse.urlparse(base).scheme.lower()
    if scheme in ("http", "https"):
        return base
    if scheme == "file" or os.path.isabs(base):
        if web:  # a web page may not send the download to files on this machine
            raise _Skip(f"{model_id}: a web index names local files ({base})")
        return base if scheme == "file" else Path(base).absolute().as_uri() + "/"
    if scheme:
        raise _Skip(f"{model_id}: cannot download from {scheme}: addresses")
    return urllib.parse.urljoin(index_url, urllib.parse.quote(base))


def _file(item: Any, root: str, model_id: str) -> IndexFile:
    if not isinstance(item, dict):
        raise _Skip(f"{model_id}: a file entry is not an object")
    name = item.get("path")
    if not isinstance(name, str):
        raise _Skip(f"{model_id}: a file has no path")
    try:
        relative = safe_member_name(name).as_posix()
    except FileRefused as exc:
        raise _Skip(f"{model_id}: {exc}") from None
    reserved = next((s for s in RESERVED_SUFFIXES for part in relative.casefold().split("/")
                     if part.endswith(s)), None)
    if reserved is not None:
        raise _Skip(f"{model_id}: {relative[:200]} ends in {reserved}, which PromptCut keeps for its unfinished "
                    "downloads")
    size = item.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= FILE_MAX_BYTES:
        raise _Skip(f"{model_id}: {relative} has an impossible size ({str(size)[:40]})")
    sha256 = item.get("sha256")
    if sha256 is not None and not (isinstance(sha256, str) and _SHA256.fullmatch(sha256.lower())):
        raise _Skip(f"{model_id}: {relative} has a malformed sha256")
    blob_id = item.get("blob_id")
    if blob_id is not None and not (isinstance(blob_id, str) and _BLOB_ID.fullmatch(blob_id.lower())):
        raise _Skip(f"{model_id}: {relative} has a malformed blob id")
    url = urllib.parse.urljoin(root, urllib.parse.quote(relative))
    return IndexFile(relative, size, sha256.lower() if sha256 else None, url,
                     blob_id.lower() if blob_id else None)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__


# --- the Hugging Face hub ---------------------------------------------------------------------------------

def _offline_env() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _is_network_error(exc: BaseException) -> bool:
    """huggingface_hub's own offline error is a ConnectionError; its http client's transport errors are not,
    so they are known by name (the client library has changed between releases)."""
    if isinstance(exc, (ConnectionError, TimeoutError, urllib.error.URLError)):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"TransportError", "NetworkError", "TimeoutException", "ConnectionError",
                         "ConnectTimeout", "ReadTimeout"})


def hub_index(*, timeout_s: float = 20.0, endpoint: str | None = None,
              models: Sequence[ModelInfo] | None = None) -> ModelIndex:
    """The index built from the Hugging Face hub's API: every real video model of the registry (test models
    are built locally, never downloaded), its files' sizes and checksums, the pickle and other-framework
    weights left out as ``promptcut models download`` leaves them."""
    if _offline_env():
        raise NoNetwork("the Hugging Face hub is off (HF_HUB_OFFLINE is set)")
    try:
        from huggingface_hub import HfApi, hf_hub_url
        from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
    except ImportError:
        raise SetupError("reading the Hugging Face hub needs huggingface_hub: install promptcut[gen]") from None
    from editor.generate.catalog import _IGNORE

    api = HfApi(endpoint=endpoint)
    entries: list[IndexEntry] = []
    skipped: list[str] = []
    for model in (models if models is not None else list_models(include_test=False)):
        try:
            info = api.model_info(model.repo, revision=model.revision, files_metadata=True, timeout=timeout_s)
        except (GatedRepoError, RepositoryNotFoundError) as exc:
            skipped.append(f"{model.id}: {_first_line(exc)}")
            continue
        except Exception as exc:  # noqa: BLE001 - every hub failure becomes NoNetwork or a skipped line
            if _is_network_error(exc):
                raise NoNetwork(f"cannot reach the Hugging Face hub ({_first_line(exc)})") from None
            if isinstance(exc, HfHubHTTPError):
                skipped.append(f"{model.id}: {_first_line(exc)}")
                continue
            raise SetupError(f"the Hugging Face hub answered oddly for {model.repo}: {_first_line(exc)}") from None
        files: list[IndexFile] = []
        revision = getattr(info, "sha", None) or model.revision
        for sibling in info.siblings or ():
            name = sibling.rfilename
            if any(fnmatch.fnmatch(name, pattern) for pattern in _IGNORE):
                continue
            lfs = sibling.lfs
            sha256 = _lfs_field(lfs, "sha256")
            size = _lfs_field(lfs, "size") if lfs is not None else sibling.size
            try:
                files.append(_file({"path": name, "size": size, "sha256": sha256,
                                    "blob_id": None if lfs is not None else sibling.blob_id}, "", model.id))
            except _Skip as why:
                skipped.append(str(why))
                files = []
                break
        if not files:
            skipped.append(f"{model.id}: the hub lists no usable files for {model.repo}")
            continue
        entries.append(IndexEntry(model, tuple(
            IndexFile(f.path, f.size, f.sha256, hf_hub_url(model.repo, f.path, revision=revision, endpoint=endpoint),
                      f.blob_id) for f in files)))
    return ModelIndex(HUB, tuple(entries), tuple(skipped))


def _lfs_field(lfs: Any, name: str) -> Any:
    if lfs is None:
        return None
    if isinstance(lfs, Mapping):
        return lfs.get(name)
    return getattr(lfs, name, None)


# --- without a network ------------------------------------------------------------------------------------

def copy_in_instructions(model: ModelInfo, models_root: Path) -> str:
    """What to do without a network: where to copy the model's diffusers folder (from which hub repo), so
    that Generate > Models finds it."""
    target = Path(models_root) / model.id
    if model.is_test_model:
        return f"{model.display_name} is built on this machine when first used: there is nothing to copy."
    revision = f" --revision {model.revision}" if model.revision else ""
    size = f" (about {model.download_gb:g} GB)" if model.download_gb else ""
    return (f"On a machine with a network, run `hf download {model.repo}{revision} --local-dir {model.id}` "
            f"(or `promptcut models download {model.id}`), then copy that folder{size} to {target}. "
            "Generate > Models finds it there once it holds model_index.json and each part's .safetensors weights.")


# --- writing an index for folders already on disk ---------------------------------------------------------

_SKIP_DIRS = {".cache", ".git", ".partial"}   # hf download's metadata, a checkout, our own unfinished downloads


def model_files(folder: Path) -> list[tuple[str, Path]]:
    """Every file of a model folder as (relative "/" name, path), sorted; hf download's metadata and
    PromptCut's temporaries left out. Linked files (the HF cache's blobs) count as files."""
    from generation.leftovers import is_temp_name

    found: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs
                         if d not in _SKIP_DIRS and not is_temp_name(d) and not d.endswith(RESERVED_SUFFIXES))
        for name in names:
            path = Path(root, name)
            if is_temp_name(name) or name.endswith(RESERVED_SUFFIXES) or not path.is_file():
                continue
            found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def file_sha256(path: Path, chunk: int = 4 * 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def installed_folders(root: Path, model_ids: Sequence[str] = ()) -> dict[str, Path]:
    """The folders of the models installed under ``root`` (``<root>/<id>`` and the other names
    ``generation.locate`` accepts); ``model_ids`` narrows them (an unknown id raises SetupError)."""
    from generation.locate import find_model

    root = Path(root)
    try:
        wanted = [get_model(m) for m in model_ids] if model_ids else list_models()
    except UnknownModel as exc:
        raise SetupError(str(exc)) from None
    found: dict[str, Path] = {}
    for model in wanted:
        local = find_model(model, models_root=root, hf_cache_dir=root / ".no-hf-cache", build_test_models=False)
        if local is not None:
            found[model.id] = local.path
    return found


def write_index(folder: str | os.PathLike[str],
                models: str | os.PathLike[str] | Mapping[str, str | os.PathLike[str]] | None = None) -> Path:
    """Write ``<folder>/index.json`` listing model folders already on disk, each file with its size and
    sha256, and return its path. ``models``: a models folder (every model installed there), or model id ->
    folder; None: the models installed in ``folder`` itself, so that serving ``folder`` (a share, an http
    server) serves a mirror. Folders inside ``folder`` are listed relative to it, others by absolute path."""
    target = Path(folder).absolute()
    if models is None or isinstance(models, (str, os.PathLike)):
        chosen = installed_folders(Path(models) if models is not None else target)
    else:
        chosen = {str(k): Path(v) for k, v in models.items()}
    if not chosen:
        raise SetupError(f"no installed model to index (looked in {models if models is not None else target})")
    listed = []
    for model_id, model_folder in chosen.items():
        try:
            model = get_model(model_id)
        except UnknownModel as exc:
            raise SetupError(str(exc)) from None
        model_folder = Path(model_folder).absolute()
        files = model_files(model_folder)
        if not files:
            raise SetupError(f"{model_folder} holds no files to index")
        try:
            base = model_folder.relative_to(target).as_posix() + "/"
        except ValueError:
            base = model_folder.as_uri() + "/"
        listed.append({"id": model.id, "base": base,
                       "files": [{"path": name, "size": path.stat().st_size, "sha256": file_sha256(path)}
                                 for name, path in files]})
    from generation.leftovers import write_atomically

    doc = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "models": listed}
    target.mkdir(parents=True, exist_ok=True)
    return write_atomically(target / INDEX_FILE, (json.dumps(doc, indent=1) + "\n").encode("utf-8"))

"""OpenTimelineIO bundles: ``.otioz`` (a zip) and ``.otiod`` (a folder) holding a timeline and its media.

Both hold ``content.otio`` and a flat ``media/`` folder (``.otioz`` adds ``version.txt``), the layout OTIO's own
``otioz`` / ``otiod`` adapters write and read; PromptCut writes through those adapters.

Writing: our timeline becomes OTIO as for an ``.otio`` file (:mod:`editor.interchange.otio`), then

- a generated shot with a take carries that take as its ACTIVE media reference (``active_media_reference_key``
  switched to the take's key; the generator stays beside it), so the bundle packs the rendered file and any
  tool plays it; reading it back makes that take the active take again. Its other takes are not packed.
- a shot still waiting for its take, and titles and captions, travel as the ``GeneratorReference`` an ``.otio``
  file gives them (nothing to pack; other tools show nothing there).
- media that is offline becomes a ``MissingReference`` (its clips reopen offline), with a note.
- files whose names clash (the adapters need distinct names; two names differing only in case are one file
  on some disks) or would not survive OTIO's URL handling (``#``, ``%``, ``:`` ...) are packed under a cleaned
  name (``clip-2.mov``), with a note. The pool entries and other references to a packed file are pointed at
  the packed copy too, so the bundle reopens with one pool entry per file. A file whose folder's path OTIO's
  URL handling would misread ("day%20one" read as "day one") is handed to the adapter through a link.
- the bundle is built in a recognisable temporary folder beside the target, then renamed into place (an
  ``.otiod`` replaces an earlier bundle folder only; any other folder there is refused).

Reading: an ``.otioz`` is checked and unpacked into ``NAME.otioz-files/`` beside it (:mod:`bundles_unpack`);
an ``.otiod`` is read in place. ``content.otio`` goes through the same checks and import as an ``.otio`` file,
with relative media paths resolved inside the bundle; clips whose media lie outside it get a warning.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import opentimelineio as otio
from opentimelineio import url_utils

from editor.interchange.bundles_unpack import CONTENT, VERSION_FILE, open_otioz, unpacked_folder
from editor.interchange.otio_common import (
    METADATA_KEY,
    ImportResult,
    InterchangeError,
    is_nowhere,
    one_line,
    our_meta,
    path_to_url,
    url_to_path,
)
from editor.interchange.otio_export import timeline_to_otio
from editor.interchange.otio_guard import checked_text
from editor.interchange.otio_import import timeline_from_otio
from editor.model import Timeline
from editor.safe_io import FileRefused, check_output_path, read_regular_file
from generation.leftovers import mkdtemp_beside, sweep_stale, temp_prefix

__all__ = ["BUNDLE_SUFFIXES", "MEDIA_DIR", "read_bundle", "unpacked_folder", "write_bundle"]

BUNDLE_SUFFIXES = (".otioz", ".otiod")
MEDIA_DIR = "media"    # file_bundle_utils.BUNDLE_DIR_NAME
_ADAPTERS = {".otioz": "otioz", ".otiod": "otiod"}
_UNSAFE = re.compile(r"[#%?:;\\/\x00-\x1f\x7f]")


# --- reading ----------------------------------------------------------------------------------------------


def read_bundle(path: str | os.PathLike[str]) -> ImportResult:
    """Read a .otioz (unpacked safely into a folder beside it) or .otiod; media paths point at the unpacked
    files. InterchangeError, one line."""
    bundle = Path(path)
    suffix = _suffix(bundle)
    if suffix == ".otioz":
        shown = f"{bundle}/{CONTENT}"
        opened = open_otioz(bundle, lambda data: _parse(data, shown))
        result = _import(opened.content, shown, opened.folder)
        result.warnings[:0] = opened.warnings
    else:
        shown = f"{bundle}/{CONTENT}"
        try:
            info = os.stat(bundle)
        except FileNotFoundError:
            raise InterchangeError(f"{bundle}: no such folder") from None
        except OSError as exc:
            raise InterchangeError(f"{bundle}: cannot read ({exc.strerror or exc})") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InterchangeError(f"{bundle}: is a file, and an .otiod bundle is a folder")
        try:
            data = read_regular_file(bundle / CONTENT)
        except FileNotFoundError:
            raise InterchangeError(f"{bundle}: not an OTIO bundle (no {CONTENT} inside)") from None
        except FileRefused as exc:
            raise InterchangeError(f"{shown}: {exc}") from None
        except OSError as exc:
            raise InterchangeError(f"{shown}: cannot read ({exc.strerror or exc})") from None
        result = _import(_parse(data, shown), shown, bundle)
    return result


@dataclass
class _Parsed:
    holder: Any                  # what was deserialized; keeps a collection's timeline alive while it is read
    timeline: otio.schema.Timeline
    count: int = 1               # timelines in the document


def _parse(data: bytes, shown: str) -> _Parsed:
    """The checked text of a bundle's content.otio as an OTIO timeline (the first, from a collection): the
    checks and parse an .otio file gets (otio.read_otio)."""
    text, schema = checked_text(data, shown)
    try:
        document = otio.core.deserialize_json_from_string(text)
    except Exception as exc:   # OTIO raises ValueError, KeyError, TypeError... for malformed content
        raise InterchangeError(f"{shown}: malformed OTIO {schema} ({one_line(exc)})") from None
    if isinstance(document, otio.schema.SerializableCollection):
        timelines = [child for child in document if isinstance(child, otio.schema.Timeline)]
        if not timelines:
            raise InterchangeError(f"{shown}: an OTIO collection without a timeline")
        return _Parsed(document, timelines[0], len(timelines))
    if not isinstance(document, otio.schema.Timeline):
        raise InterchangeError(f"{shown}: holds an OTIO {schema}, not a Timeline")
    return _Parsed(document, document)


def _import(parsed: _Parsed, shown: str, folder: Path) -> ImportResult:
    try:
        result = timeline_from_otio(parsed.timeline, base_dir=os.path.abspath(folder))
    except InterchangeError as exc:
        raise InterchangeError(f"{shown}: {exc}") from exc.__cause__
    if parsed.count > 1:
        result.warnings.append(f"the bundle holds {parsed.count} timelines; imported the first")
    outside = _outside(result.timeline, Path(os.path.abspath(folder)))
    if outside:
        result.warnings.append(
            f"{len(outside)} media file{'s the cut plays lie' if len(outside) > 1 else ' the cut plays lies'} outside"
            " the bundle"
            f" (first: {outside[0]})"
        )
    return result


def _outside(timeline: Timeline, folder: Path) -> list[str]:
    """The media paths clips play that are not inside ``folder`` (missing media, which names no place, aside)."""
    found: list[str] = []
    for _, clip in timeline.clips():
        media_id = clip.media_id()
        media = timeline.media.get(media_id) if media_id is not None else None
        if media is None or is_nowhere(media.path) or media.path in found:
            continue
        try:
            inside = os.path.commonpath([os.path.abspath(media.path), folder]) == str(folder)
        except ValueError:   # another drive
            inside = False
        if not inside:
            found.append(media.path)
    return found


# --- writing ----------------------------------------------------------------------------------------------


def write_bundle(timeline: Timeline, path: str | os.PathLike[str], *, name: str | None = None) -> list[str]:
    """Write a .otioz or .otiod holding the timeline and the media files it uses; returns notes.
    InterchangeError, one line."""
    target = Path(path)
    suffix = _suffix(target)
    _check_target(target, suffix)
    try:
        document = timeline_to_otio(timeline, name=target.stem if name is None else name)
    except (ValueError, TypeError) as exc:   # e.g. a name that is not valid Unicode text
        raise InterchangeError(f"{target}: cannot export ({one_line(exc)})") from None
    plan = _Plan(document, target)
    plan.run()
    try:
        sweep_stale(target.parent)
        work = mkdtemp_beside(target, ".bundle")
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    # The links the adapter packs from live beside the target, unless that folder's own path does not survive
    # the adapter's URL decoding: then in the system's temporary folder.
    stage = work / "renamed"
    try:
        if not _survives(os.path.abspath(stage / "x")):
            stage = Path(tempfile.mkdtemp(prefix=temp_prefix(target.name)))
        built = work / target.name
        plan.stage(stage)
        otio.adapters.write_to_file(
            document, os.fspath(built), adapter_name=_ADAPTERS[suffix], media_policy="ErrorIfNotFile"
        )
        _fsync(built)
        _install(built, target)
    except otio.exceptions.OTIOError as exc:   # a file that went away while packing, say
        raise InterchangeError(f"{target}: cannot write the bundle ({one_line(exc)})") from None
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not stage.is_relative_to(work):
            shutil.rmtree(stage, ignore_errors=True)
    return plan.notes


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _ADAPTERS:
        raise InterchangeError(f"{path}: not an OTIO bundle name (.otioz or .otiod)")
    return suffix


def _check_target(target: Path, suffix: str) -> None:
    """Refuse what a bundle must not replace: a FIFO or device, a folder where a file goes, a file where a
    folder goes, or a folder that is not an earlier bundle (never delete the user's files)."""
    if suffix == ".otioz":
        try:
            check_output_path(target)
        except FileRefused as exc:
            raise InterchangeError(f"{target}: {exc}") from None
        return
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    if stat.S_ISREG(info.st_mode):
        raise InterchangeError(f"{target}: a file is there, and an .otiod bundle is a folder: choose another name")
    if not stat.S_ISDIR(info.st_mode):
        try:
            check_output_path(target)
        except FileRefused as exc:
            raise InterchangeError(f"{target}: {exc}") from None
    try:
        entries = {entry.name for entry in os.scandir(target)}
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot be written ({exc.strerror or exc})") from None
    if CONTENT not in entries or not entries <= {CONTENT, VERSION_FILE, MEDIA_DIR}:
        raise InterchangeError(
            f"{target}: a folder that is not an OTIO bundle is there (it holds other files): choose another name"
        )


def _fsync(built: Path) -> None:
    """Flush the built bundle to disk before it replaces anything (a crash must not leave a hollow bundle)."""
    files = [built] if built.is_file() else [p for p in built.rglob("*") if p.is_file()]
    for file in files:
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _install(built: Path, target: Path) -> None:
    """Rename the built bundle into place. An earlier .otiod folder is moved aside first (a recognisable
    temporary), restored if the rename fails, and removed once the new one is in place."""
    if built.is_file() or not os.path.lexists(target):
        os.replace(built, target)
        return
    aside = target.with_name(f"{temp_prefix(target.name)}{uuid.uuid4().hex[:8]}.old")
    os.rename(target, aside)
    try:
        os.rename(built, target)
    except OSError:
        os.rename(aside, target)
        raise
    if aside.is_symlink():
        aside.unlink()
    else:
        shutil.rmtree(aside, ignore_errors=True)


@dataclass
class _Packed:
    source: str                 # the file on disk (absolute)
    name: str                   # its name in the bundle's media folder
    references: list[Any] = field(default_factory=list)   # active references the adapter relinks


class _Plan:
    """What goes into the bundle: decided on the OTIO document before the adapter sees it (see the module's
    note), with a note for each thing the bundle cannot carry as the project has it."""

    def __init__(self, document: otio.schema.Timeline, target: Path) -> None:
        self.document = document
        self.target = target
        self.notes: list[str] = []
        self.packed: dict[str, _Packed] = {}      # absolute source path -> packed file
        self.taken: set[str] = set()              # packed names, case-folded
        self.counts: Counter[str] = Counter()

    def run(self) -> None:
        clips = list(self.document.find_clips())
        for clip in clips:
            self._active(clip)
        for clip in clips:
            self._others(clip)
        self._pool()
        self._summary()

    def _active(self, clip: otio.schema.Clip) -> None:
        meta = our_meta(clip)
        kind = meta.get("kind")
        references = clip.media_references()
        if kind == "generated":
            key = meta.get("active_take_key")
            take = references.get(key) if isinstance(key, str) else None
            if isinstance(take, otio.schema.ExternalReference) and _is_file(_source(take)):
                clip.active_media_reference_key = key
            elif isinstance(take, otio.schema.ExternalReference):
                self.notes.append(f"shot {clip.name or meta.get('id')!r}: its take file is missing; it travels as"
                                  " its prompt")
            else:
                self.counts["pending"] += 1
        elif kind == "text":
            self.counts["text"] += 1
        reference = clip.media_reference
        if not isinstance(reference, otio.schema.ExternalReference):
            return
        source = _source(reference)
        if _is_file(source):
            self._pack(source).references.append(reference)
            return
        missing = otio.schema.MissingReference(
            name=reference.name, available_range=reference.available_range, metadata=reference.metadata
        )
        missing.metadata["original_target_url"] = reference.target_url
        clip.set_media_references({**clip.media_references(), clip.active_media_reference_key: missing},
                                  clip.active_media_reference_key)
        self.notes.append(f"{os.path.basename(source) or source} is offline: not packed; its clips reopen offline")

    def _others(self, clip: otio.schema.Clip) -> None:
        """References that are not active (a shot's other takes): pointed at the packed copy when the file is
        packed anyway, else left naming the file where it is, which the bundle does not carry."""
        left = 0
        for key, reference in clip.media_references().items():
            if key == clip.active_media_reference_key or not isinstance(reference, otio.schema.ExternalReference):
                continue
            packed = self.packed.get(_source(reference))
            if packed is not None:
                reference.target_url = self._bundle_url(packed.name)
            else:
                left += 1
        if left:
            self.notes.append(
                f"shot {clip.name or our_meta(clip).get('id')!r}: {left} other take{'s' if left > 1 else ''} not"
                " packed (a bundle carries the active take)"
            )

    def _pool(self) -> None:
        """Our pool (in the timeline's promptcut metadata) names each packed file by its place in the bundle,
        as the clips do, so the bundle reopens with one pool entry per file; unused bin items stay outside."""
        meta = self.document.metadata.get(METADATA_KEY)
        pool = meta.get("media") if meta is not None else None
        if pool is None:
            return
        outside = 0
        for media_id in list(pool.keys()):
            entry = pool[media_id]
            url = entry.get("url")
            packed = self.packed.get(_source_path(str(url))) if isinstance(url, str) else None
            if packed is not None:
                entry["url"] = self._bundle_url(packed.name)
            elif isinstance(url, str) and not is_nowhere(url_to_path(url)):
                outside += 1
        if outside:
            self.notes.append(
                f"{outside} media file{'s' if outside > 1 else ''} of the project that the timeline does not play"
                " (bin items, other takes) not packed"
            )

    def _summary(self) -> None:
        for key, what, how in (("pending", "shot{s} without a take", "as {their} prompt{s}"),
                               ("text", "title{s}/caption{s}", "as text")):
            n = self.counts[key]
            if n:
                s, verb, their = ("s", "travel", "their") if n > 1 else ("", "travels", "its")
                self.notes.append(f"{n} {what.format(s=s)} {verb} {how.format(s=s, their=their)} (a generator"
                                  " reference): other tools show nothing there")

    def _pack(self, source: str) -> _Packed:
        packed = self.packed.get(source)
        if packed is not None:
            return packed
        original = os.path.basename(source)
        name = _clean_name(original)
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, ext = name, ""
        number = 1
        while name.casefold() in self.taken:
            number += 1
            name = f"{stem}-{number}{'.' + ext if ext else ''}"
        if name != original:
            self.notes.append(f"{original} is packed as {MEDIA_DIR}/{name} (bundle file names must be distinct"
                              " and plain)")
        self.taken.add(name.casefold())
        packed = self.packed[source] = _Packed(source=source, name=name)
        return packed

    def stage(self, folder: Path) -> None:
        """Give the adapter each renamed file under its packed name, and each file whose path it would not find
        (see ``_survives``): a link (or copy) in ``folder``; the adapter names a packed file after the path it is
        given. ``folder``'s own path must survive."""
        for packed in self.packed.values():
            if packed.name == os.path.basename(packed.source) and _survives(packed.source):
                continue
            folder.mkdir(exist_ok=True)
            staged = folder / packed.name
            _link_or_copy(packed.source, staged)
            for reference in packed.references:
                reference.target_url = path_to_url(os.path.abspath(staged))

    def _bundle_url(self, name: str) -> str:
        """The target_url the adapter writes for a packed file (the same expression as each one's)."""
        if self.target.suffix.lower() == ".otioz":
            return url_utils.url_from_filepath(PurePosixPath(MEDIA_DIR, name).as_posix())
        root = os.path.abspath(self.target)
        return url_utils.url_from_filepath(
            os.path.relpath(Path(os.path.join(root, MEDIA_DIR, name)).as_posix(), root)
        )


def _source(reference: otio.schema.ExternalReference) -> str:
    return _source_path(reference.target_url or "")


def _source_path(url: str) -> str:
    path = url_to_path(url)
    return os.path.abspath(path) if path else ""


def _survives(path: str) -> bool:
    """True when the adapter finds ``path`` from the ``target_url`` we give it: OTIO's ``filepath_from_url``
    decodes a URL's percent escapes twice, so a folder named "a%20b" comes back as "a b" (a missing file)."""
    return os.path.abspath(url_utils.filepath_from_url(path_to_url(path))) == path


def _is_file(path: str) -> bool:
    try:
        return bool(path) and stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _clean_name(name: str) -> str:
    """``name`` as a bundle file name that OTIO's URL functions give back unchanged."""
    cleaned = _UNSAFE.sub("_", name).strip() or "media"
    if cleaned.startswith("."):
        cleaned = "_" + cleaned[1:]
    relative = PurePosixPath(MEDIA_DIR, cleaned).as_posix()
    url = url_utils.url_from_filepath(relative)
    if url != relative or url_utils.filepath_from_url(url) != relative:
        cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_. ") else "_" for ch in cleaned)
    return cleaned


def _link_or_copy(source: str, staged: Path) -> None:
    try:
        os.symlink(source, staged)
    except (OSError, NotImplementedError):   # Windows without the right to make links
        try:
            os.link(source, staged)
        except OSError:
            shutil.copy2(source, staged)

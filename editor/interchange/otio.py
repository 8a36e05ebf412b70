"""OpenTimelineIO import and export.

Mapping (our model <-> OTIO 0.18):

- ``Timeline`` <-> ``otio.schema.Timeline``. Video tracks come first in the top-level Stack (index 0 is the
  bottom layer, as in OTIO), then audio tracks. Everything OTIO has no field for travels in
  ``metadata["promptcut"]`` (schema :data:`METADATA_VERSION`): project settings (canvas, exact fps as
  "30000/1001", sample rate) and the whole media pool (so unused bin items and take files survive) on the
  timeline; ids and flags on tracks; id, kind, fit and volume on clips; the media id on each
  ``ExternalReference``. Floats are stored there as ``repr`` strings, because OTIO's JSON reader can lose the
  last bit of a double.
- Spaces between clips become ``Gap`` items, named from ``Track.gap_names`` where a named gap starts (a gap is
  split there, so named gaps in a row stay apart); a timeline that lasts past its last clip
  (``Timeline.length``) ends in a gap on its first track, and a named trailing gap runs to the end on its
  own track. A disabled clip is a ``Clip`` with ``enabled`` false. A ``MediaClip`` becomes a ``Clip`` with
  an ``ExternalReference`` whose ``target_url`` is a percent-encoded ``file://`` URL for absolute paths and
  the plain path for relative ones (OTIO's own ``url_from_filepath`` convention); ``available_range`` is the
  media's duration (none for stills). ``source_range`` is ``(source_in, duration)`` at the timeline rate.
- A ``GeneratedClip`` becomes a ``Clip`` whose default (and active) media reference is a
  ``GeneratorReference(generator_kind="text_to_video", parameters={prompt, negative_prompt, model, seed,
  steps, guidance, width, height, first_image, last_image})`` so every other tool sees the generator. Each
  take is ALSO attached as a named ``ExternalReference`` ("take_1", "take_2", ...); the clip's
  ``metadata["promptcut"]`` lists the takes (media id, spec hash, key) and names the active one
  (``active_take`` index and ``active_take_key``). A script or tool that wants the rendered shot switches
  ``active_media_reference_key`` to that key; if a file comes back with a take key active, that take becomes
  the active take. (``.otioz`` bundles pack only the active reference: they do not carry take files.)
- A ``TextClip`` (title or caption cue) becomes a ``Clip`` with a ``GeneratorReference(generator_kind="text",
  parameters={text, style})`` (``otio_text``); a caption track has ``captions`` (and any track ``solo``) in its
  promptcut metadata.
- Transitions, speed and the other clip effects (``otio_effects``): a clip's transition is an OTIO
  ``Transition`` between the two clips it joins (``SMPTE_Dissolve``; dips are ``Custom_Transition`` with the
  kind in promptcut metadata), ``in_offset`` = frames before the cut, ``out_offset`` = after it; on an audio
  track it is a crossfade. Speed is a ``LinearTimeWarp`` (negative = reversed) or a ``FreezeFrame``; a warped
  clip's ``source_range`` starts at its first media frame and lasts its length ON THE TRACK (media used:
  duration x |time_scalar|), the layout OTIO's ``range_in_parent``, Resolve, Hiero and the CMX adapter use.
  Fades, interpolation, transform and gain keyframes ride in the clip's promptcut metadata as the project
  file's JSON (transform and gain as JSON text, exact to the bit).
- Timeline markers live on the top-level Stack (``timeline.tracks.markers``, as Resolve writes them) with
  zero-length ranges; our exact colour rides in the marker's metadata, OTIO gets the nearest named colour.
  On import, markers on tracks and clips are also converted to timeline markers.

Import of files made by other tools (no promptcut metadata):

- The timeline rate is the most common rate among video items (29.97 -> 30000/1001 and friends); item edges
  are converted to exact frames (rounded to the nearest frame, with one warning when anything was off-grid).
- ``ExternalReference`` -> ``MediaClip`` and one pool ``MediaSource`` per distinct path. Kind from the file
  extension (stills -> IMAGE, audio extensions -> AUDIO, else VIDEO); duration from ``available_range``, else
  the end of the furthest ``source_range`` as a lower bound; ``online`` = the file exists. Relative paths are
  made absolute against ``base_dir`` when it is given (``read_otio`` passes the file's folder). The project
  layer should re-probe imported media: has_audio, size and exact durations are guesses until then.
- Video tracks of a foreign timeline that also has audio tracks are imported muted: in NLE semantics the
  sound of a video clip lives on the audio tracks, and mixing both would double it.
- ``MissingReference`` (and unsupported references such as image sequences) -> a clip on offline media,
  with a warning. ``GeneratorReference`` "text_to_video" -> ``GeneratedClip`` (a text prompt is required),
  "text" -> ``TextClip`` (a ``text`` parameter is required; an unreadable style -> the default, with a warning);
  any other generator kind, or a generator without a prompt -> a gap, with a warning (we cannot render it).
- ``SMPTE_Dissolve`` transitions -> dissolves (crossfades on audio tracks); other transition types -> dissolves,
  with a warning; a transition that does not sit between two clips (or whose outgoing clip was left out) is
  dropped, and one longer than the clips it joins is shortened, with a warning. ``LinearTimeWarp`` /
  ``FreezeFrame`` on clips -> speed (several multiply; outside 0.1x..10x clamped, with a warning; ignored on
  stills, with a warning). Other effects, and time warps on tracks and nested stacks -> warning, ignored.
  Disabled clips stay on the timeline, disabled. Named gaps directly on a track -> ``Track.gap_names`` (by
  start frame); a timeline that ends in gaps keeps its length (``Timeline.length``). A nested Stack whose
  content sits on a single track is flattened into its parent track (trimmed to the stack's range); a nested Stack
  with several non-empty tracks is refused: a gap, with a warning naming it. A top-level track's own
  ``source_range`` places its items: a negative start is empty time before the first item (how the cmx_3600
  adapter records an EDL's first record-in), a start of 0 or more is OTIO's trim (that window, from 0).

Errors in the input file raise :class:`InterchangeError`, one line naming the file and what is wrong.

Other editors' files (XML, FCPXML, EDL, AAF, Kdenlive) and bundles come through ``formats`` (the door by
extension), which hands adapter output to :func:`read_otio_text`, so everything meets the same checks and import.

This module is the public entry (file reading and atomic writing); the work lives beside it: ``otio_export``
(our timeline -> OTIO), ``otio_import`` (OTIO -> our timeline), ``otio_generated`` (generated shots),
``otio_layout`` and ``otio_import_media`` (the importer's track layout and media pool),
``otio_effects`` (transitions, speed, fades, transform, gain), ``otio_text`` (text clips), ``otio_links``
(linked clips), ``otio_guard`` (checks before the C++ deserializer) and ``otio_common``.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio

from editor.interchange.otio_common import (
    GENERATOR_KIND,
    METADATA_KEY,
    METADATA_VERSION,
    TAKE_KEY,
    ImportResult,
    InterchangeError,
    one_line,
    path_to_url,
    snap_rate,
    url_to_path,
)
from editor.interchange.otio_export import timeline_to_otio
from editor.interchange.otio_guard import checked_document, checked_text
from editor.interchange.otio_import import timeline_from_otio
from editor.model import Timeline
from editor.safe_io import FileRefused, check_output_path
from generation.leftovers import write_atomically

__all__ = [
    "GENERATOR_KIND",
    "METADATA_KEY",
    "METADATA_VERSION",
    "TAKE_KEY",
    "ImportResult",
    "InterchangeError",
    "import_otio_text",
    "path_to_url",
    "read_otio",
    "read_otio_text",
    "snap_rate",
    "timeline_from_otio",
    "timeline_to_otio",
    "url_to_path",
    "write_otio",
]

def write_otio(timeline: Timeline, path: str | os.PathLike, name: str | None = None) -> Path:
    """Write ``timeline`` as an .otio (JSON) file, atomically: a temp file in the same folder, then replace.

    ``name`` is the OTIO timeline's name; the file's stem when None.
    """
    target = Path(path)
    try:
        check_output_path(target)   # a FIFO or a device there must never be replaced by the rename
    except FileRefused as exc:
        raise InterchangeError(f"{target}: {exc}") from None
    try:
        text = timeline_to_otio(timeline, name=target.stem if name is None else name).to_json_string(indent=2)
    except (ValueError, TypeError) as exc:   # e.g. a name that is not valid Unicode text
        raise InterchangeError(f"{target}: cannot export ({one_line(exc)})") from exc
    try:
        write_atomically(target, text.encode("utf-8") + b"\n")
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    return target


def read_otio(path: str | os.PathLike) -> ImportResult:
    """Read an .otio (JSON) file. Relative media paths are resolved against the file's folder.

    Raises :class:`InterchangeError` (one line: the file and what is wrong) for a missing, empty, non-JSON or
    non-OTIO file, or one whose timeline cannot be imported.
    """
    target, text, schema = checked_document(path)
    return import_otio_text(text, schema, shown=str(target), base_dir=os.path.dirname(os.path.abspath(target)))


def read_otio_text(data: bytes, *, shown: str, base_dir: str | None) -> ImportResult:
    """OTIO JSON from anywhere (an adapter run in a child process, a bundle) through the same checks and import
    as an .otio file; ``shown`` names the source in messages, ``base_dir`` resolves relative media paths."""
    text, schema = checked_text(data, shown)
    return import_otio_text(text, schema, shown=shown, base_dir=base_dir)


def import_otio_text(text: str, schema: str, *, shown: str, base_dir: str | None) -> ImportResult:
    """Text that passed ``otio_guard`` (top-level ``schema``) into our timeline."""
    try:
        obj = otio.core.deserialize_json_from_string(text)
    except Exception as exc:   # OTIO raises ValueError, KeyError, TypeError... for malformed content
        raise InterchangeError(f"{shown}: malformed OTIO {schema} ({one_line(exc)})") from None
    extra: list[str] = []
    holder = obj   # keeps a collection (and so its children) alive while we read the timeline
    if isinstance(obj, otio.schema.SerializableCollection):
        timelines = [child for child in obj if isinstance(child, otio.schema.Timeline)]
        if not timelines:
            raise InterchangeError(f"{shown}: an OTIO collection without a timeline")
        if len(timelines) > 1:
            extra.append(f"the file holds {len(timelines)} timelines; imported the first")
        obj = timelines[0]
    if not isinstance(obj, otio.schema.Timeline):
        raise InterchangeError(f"{shown}: holds an OTIO {schema}, not a Timeline")
    try:
        result = timeline_from_otio(obj, base_dir=base_dir)
    except InterchangeError as exc:
        raise InterchangeError(f"{shown}: {exc}") from exc.__cause__
    del holder
    result.warnings.extend(extra)
    return result

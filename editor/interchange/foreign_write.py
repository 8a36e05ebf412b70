"""Writing our timeline for another editor (FCP 7 / Premiere XML, FCPXML, EDL, AAF) through its OpenTimelineIO
adapter.

Our timeline becomes OTIO as for an .otio file (``timeline_to_otio``), then is adapted to what the other
editor can take, with a note for each thing that changes: a generated shot with a take is written as its active
take's file (the other editor plays the file; the prompt and the other takes stay in PromptCut); a generated shot
without a take yet, titles and captions become gaps (no adapter carries a text-to-video generator or our text
styles), and a track left empty by that is dropped; the promptcut metadata is left out (the other editor would
carry it stale, and a file that comes back is read as that editor's file). What the format cannot take at all
is refused by name before anything is written ("EDL export needs a single video track"). The file is written
to a temporary beside the target, then renamed over it.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

import opentimelineio as otio

from editor.interchange.otio_common import GENERATOR_KIND, METADATA_KEY, InterchangeError, one_line
from editor.interchange.otio_export import timeline_to_otio
from editor.interchange.otio_text import TEXT_KIND
from editor.model import Timeline
from generation.leftovers import replacing, sweep_stale, write_atomically


def write_foreign(timeline: Timeline, target: Path, adapter_name: str, *, label: str, suffix: str,
                  name: str | None = None) -> list[str]:
    """Write ``timeline`` to ``target`` with the adapter ``adapter_name``; returns the notes on what changed.
    InterchangeError (one line) when the format cannot take this timeline or the adapter fails."""
    try:
        tl = timeline_to_otio(timeline, name=target.stem if name is None else name)
    except (ValueError, TypeError) as exc:
        raise InterchangeError(f"{target}: cannot export ({one_line(exc)})") from exc
    notes = adapt_for_other_editors(tl, suffix)
    arguments: dict = {}   # adapter write options
    if adapter_name == "cmx_3600":
        notes += fit_edl(tl, timeline)
    elif adapter_name == "AAF":
        _give_mob_ids(tl)
    elif adapter_name == "fcp_xml":
        # The sequence's frame size, where Premiere and the fcp_xml reader look for it (a vertical cut stays
        # vertical in Premiere, and reads back at its size).
        size = {"width": str(timeline.settings.width), "height": str(timeline.settings.height)}
        tl.metadata["fcp_xml"] = {"media": {"video": {"format": {"samplecharacteristics": size}}}}
    elif adapter_name == "fcpx_xml":
        notes += _typographic_apostrophes(tl)
    try:
        if otio.adapters.from_name(adapter_name).has_feature("write_to_string"):
            text = otio.adapters.write_to_string(tl, adapter_name=adapter_name)
            if adapter_name == "cmx_3600":
                text = _with_rate_comment(text, timeline)
            write_atomically(target, text.encode("utf-8"))
        else:
            _write_file_atomically(tl, target, adapter_name, arguments)
    except InterchangeError:
        raise
    except OSError as exc:
        raise InterchangeError(f"{target}: cannot write ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 - the adapter's own refusal (NotSupportedError, ValueError...)
        raise InterchangeError(f"{target}: {label} export failed ({one_line(exc)})") from None
    return notes


def _write_file_atomically(tl: otio.schema.Timeline, target: Path, adapter_name: str, arguments: dict) -> None:
    """File-only adapters (AAF): they write a path, so they get a recognisable temporary beside the target,
    which is renamed over it once the adapter has finished."""
    sweep_stale(target.parent)
    with replacing(target, target.suffix) as temp:
        os.unlink(temp)   # pyaaf2 creates the file itself; an empty one is not an AAF it can open for writing
        otio.adapters.write_to_file(tl, str(temp), adapter_name=adapter_name, **arguments)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())


def fit_edl(tl: otio.schema.Timeline, timeline: Timeline) -> list[str]:
    """A CMX 3600 EDL is the events of one video track: empty tracks are left out (an EDL has no such thing),
    audio tracks too (the adapter writes the first track only), with a note; several video tracks are refused
    by name. Reel names are made EDL-safe (the adapter keeps spaces, which split the event line)."""
    notes: list[str] = []
    for track in list(tl.tracks):
        if not any(isinstance(item, otio.schema.Clip) for item in track):
            tl.tracks.remove(track)
    video = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video]
    if len(video) != 1:
        found = f"this timeline has {len(video)} video tracks with clips" if video else "this timeline has none"
        raise InterchangeError(f"EDL export needs a single video track ({found}); "
                               "write .otio, .xml or .fcpxml for several")
    audio = [t for t in tl.tracks if t.kind != otio.schema.TrackKind.Video]
    for track in audio:
        tl.tracks.remove(track)
    if audio:
        notes.append(f"an EDL holds the video track's cuts only: {_count(len(audio), 'audio track')} not written "
                     f"({_names([t.name for t in audio])})")
    for clip in tl.find_clips():
        ref = clip.media_reference
        stem = Path(str(getattr(ref, "target_url", "") or clip.name)).stem
        reel = re.sub(r"[^A-Za-z0-9_]", "", urllib.parse.unquote(stem))[:8] or "AX"
        clip.metadata["cmx_3600"] = {"reel": reel}
    rate = timeline.fps
    notes.append(f"an EDL does not record the frame rate: tell the other editor {float(rate):g} fps on import")
    return notes


def _with_rate_comment(text: str, timeline: Timeline) -> str:
    """The EDL with its exact frame rate as a comment on the first event ("* PROMPTCUT FRAME RATE: 30000/1001"):
    other editors ignore comments they do not know, and PromptCut reads it back instead of guessing."""
    rate = timeline.fps
    line = f"* PROMPTCUT FRAME RATE: {rate.numerator}" + (f"/{rate.denominator}" if rate.denominator != 1 else "")
    return re.sub(r"^(\d{3,6} .*)$", lambda m: m.group(1) + "\n" + line, text, count=1, flags=re.MULTILINE)


def _typographic_apostrophes(tl: otio.schema.Timeline) -> list[str]:
    """The FCPXML adapter finds clips and media by name in an XPath predicate quoted with ', so a name holding
    an apostrophe ("it's") makes it fail. Every such name is written with the typographic ’ instead, which
    reads the same; the timeline's own name is not looked up that way and stays as it is."""
    changed: list[str] = []
    for item in tl.find_children(shallow_search=False):   # tracks, clips, gaps, transitions
        objects = [item, *(item.media_references().values() if isinstance(item, otio.schema.Clip) else ())]
        for obj in objects:
            if "'" in obj.name:
                if isinstance(obj, otio.schema.Clip):
                    changed.append(obj.name)
                obj.name = obj.name.replace("'", "\u2019")
    if not changed:
        return []
    return [f"FCPXML cannot take an apostrophe in a clip name: {_count(len(changed), 'clip name')} written with "
            f"\u2019 instead ({_names(changed)})"]


def _give_mob_ids(tl: otio.schema.Timeline) -> None:
    """AAF names each source by a MobID: one per media file (clips of the same file share it), made fresh,
    since our media has none."""
    import aaf2.mobid

    ids: dict[str, str] = {}
    for clip in tl.find_clips():
        ref = clip.media_reference
        key = str(getattr(ref, "target_url", "") or id(ref))
        ref.metadata.setdefault("AAF", {})["MobID"] = ids.setdefault(key, str(aaf2.mobid.MobID.new()))


def adapt_for_other_editors(tl: otio.schema.Timeline, suffix: str) -> list[str]:
    """Change ``tl`` (fresh from ``timeline_to_otio``) into what other editors' adapters can take; one note per
    kind of change."""
    as_take: list[str] = []
    pending: list[str] = []
    texts = 0
    dropped_tracks: list[str] = []
    for track in list(tl.tracks):
        had_clips = any(isinstance(item, otio.schema.Clip) for item in track)
        for index, item in enumerate(list(track)):
            if not isinstance(item, otio.schema.Clip):
                continue
            ref = item.media_reference
            if isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind == GENERATOR_KIND:
                key = (item.metadata.get(METADATA_KEY) or {}).get("active_take_key")
                references = item.media_references()
                if key and key in references:
                    item.set_media_references({key: references[key]}, key)
                    as_take.append(item.name or ref.name)
                else:
                    pending.append(item.name or ref.name)
                    _replace_with_gap(track, index, item)
            elif isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind == TEXT_KIND:
                texts += 1
                _replace_with_gap(track, index, item)
        if had_clips and not any(isinstance(item, otio.schema.Clip) for item in track):
            dropped_tracks.append(track.name)
            tl.tracks.remove(track)
        else:
            _drop_edge_transitions(track)
    if not tl.tracks:
        raise InterchangeError(f"nothing to export as {suffix}: the timeline holds only titles, captions or shots "
                               "not generated yet")
    _strip_promptcut_metadata(tl)
    notes: list[str] = []
    if as_take:
        notes.append(f"{_count(len(as_take), 'generated shot')} written as the active take's file "
                     f"({_names(as_take)}); the prompts and other takes stay in PromptCut")
    if pending:
        notes.append(f"{_count(len(pending), 'generated shot')} with no take yet left as "
                     f"{_gaps(len(pending))} ({_names(pending)})")
    if texts:
        notes.append(f"{_count(texts, 'title or caption', 'titles and captions')} left as "
                     f"{_gaps(texts)}: {suffix} cannot carry PromptCut text")
    if dropped_tracks:
        notes.append(f"{_count(len(dropped_tracks), 'track')} left empty by that not written "
                     f"({_names(dropped_tracks)})")
    return notes


def _replace_with_gap(track: otio.schema.Track, index: int, item: otio.schema.Clip) -> None:
    # Same duration, same place: what follows keeps its time.
    track[index] = otio.schema.Gap(source_range=item.trimmed_range(), name=item.name)


def _drop_edge_transitions(track: otio.schema.Track) -> None:
    """A transition left at a track's edge or beside a gap (its clip became a gap) joins nothing: adapters
    refuse it."""
    items = list(track)
    for index in reversed(range(len(items))):
        item = items[index]
        if not isinstance(item, otio.schema.Transition):
            continue
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        if not isinstance(before, otio.schema.Clip) or not isinstance(after, otio.schema.Clip):
            del track[index]


def _strip_promptcut_metadata(tl: otio.schema.Timeline) -> None:
    tl.metadata.pop(METADATA_KEY, None)
    tl.tracks.metadata.pop(METADATA_KEY, None)
    for marker in tl.tracks.markers:
        marker.metadata.pop(METADATA_KEY, None)
    for track in tl.tracks:
        track.metadata.pop(METADATA_KEY, None)
        for item in track:
            item.metadata.pop(METADATA_KEY, None)
            for marker in getattr(item, "markers", []):
                marker.metadata.pop(METADATA_KEY, None)
            for ref in (item.media_references().values() if isinstance(item, otio.schema.Clip) else ()):
                ref.metadata.pop(METADATA_KEY, None)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many or one + 's'}"


def _gaps(n: int) -> str:
    return "a gap" if n == 1 else "gaps"


def _names(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")

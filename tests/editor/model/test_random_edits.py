"""Random timelines, random edit sequences (many of them refused): every step keeps the invariants, refused
edits change nothing, undo walks back through exactly the same states, redo forward again."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editor.model import Change, Clip, EditError, Fit, GenerationSpec, History, Marker, Take, Timeline, Track
from editor.model.clips import GeneratedClip, MediaClip
from editor.model.commands import (
    AddMarker,
    AddMedia,
    AddTake,
    AddTrack,
    Command,
    Delete,
    EditMarker,
    Group,
    Insert,
    Link,
    Move,
    MoveTrack,
    Overwrite,
    Place,
    RemoveMarker,
    RemoveMedia,
    RemoveTake,
    RemoveTrack,
    ReplaceMedia,
    RippleDelete,
    RippleTrim,
    Roll,
    SetActiveTake,
    SetClipProperties,
    SetTrackFlags,
    Slip,
    Split,
    TrimHead,
    TrimTail,
    Unlink,
)
from editor.model.media import MediaKind, MediaSource
from editor.model.timeline import Settings, TrackKind

# --- random timelines ---------------------------------------------------------------------------------------------

MEDIA_SHAPES = [  # kind, has_video, has_audio
    (MediaKind.VIDEO, True, True), (MediaKind.VIDEO, True, False), (MediaKind.AUDIO, False, True),
    (MediaKind.IMAGE, True, False),
]


def _media(media_id: str, shape: tuple[MediaKind, bool, bool], frames: int) -> MediaSource:
    kind, has_video, has_audio = shape
    duration = None if kind is MediaKind.IMAGE else Fraction(frames, 30)
    return MediaSource(media_id, f"/m/{media_id}", kind, duration, has_video, has_audio)


def _fits(tl: Timeline, kind: TrackKind) -> list[MediaSource]:
    return [m for m in tl.media.values() if (m.has_video if kind is TrackKind.VIDEO else m.has_audio)]


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    tl = Timeline(settings=Settings(fps=draw(st.sampled_from([Fraction(24), Fraction(30), Fraction(30000, 1001)]))))
    for i in range(draw(st.integers(1, 5))):
        m = _media(f"m{i}", draw(st.sampled_from(MEDIA_SHAPES)), draw(st.integers(1, 120)))
        tl.media[m.id] = m
    locked = st.sampled_from([False, False, False, True])
    tl.video_tracks = [Track(f"V{i + 1}", TrackKind.VIDEO, f"V{i + 1}", locked=draw(locked))
                       for i in range(draw(st.integers(1, 3)))]
    tl.audio_tracks = [Track(f"A{i + 1}", TrackKind.AUDIO, f"A{i + 1}", locked=draw(locked))
                       for i in range(draw(st.integers(0, 2)))]
    n = itertools.count()
    for track in tl.tracks:
        cursor = 0
        for _ in range(draw(st.integers(0, 5))):
            cursor += draw(st.sampled_from([0, 0, 1, 5, 15]))   # clips that meet, for rolls
            c = draw(new_clips(tl, track.kind, f"k{next(n)}", valid=True))
            if c is None:
                break
            c = c.moved(start=cursor)
            track.add(c)
            cursor = c.end
    for _ in range(draw(st.integers(0, 3))):
        tl.markers.append(Marker(draw(st.integers(0, 200)), "m"))
    tl.markers.sort(key=lambda m: m.frame)
    assert tl.problems() == []
    return tl


@st.composite
def new_clips(draw: st.DrawFn, tl: Timeline, kind: TrackKind, clip_id: str, valid: bool) -> Clip | None:
    """A clip for a track of ``kind``: valid ones fit their media; others may be anything plausible."""
    candidates = _fits(tl, kind) if valid else list(tl.media.values())
    generate = kind is TrackKind.VIDEO and draw(st.booleans()) if valid else draw(st.booleans())
    if generate:
        videos = [m for m in tl.media.values() if m.has_video and m.kind is MediaKind.VIDEO]
        takes = tuple(Take(m.id, "h") for m in draw(st.lists(st.sampled_from(videos), max_size=2))) if videos else ()
        duration = draw(st.integers(1, 40))
        active = None
        if takes and draw(st.booleans()):
            active = draw(st.integers(0, len(takes) - 1))
            limit = tl.media[takes[active].media_id].duration_frames(tl.fps)
            if valid and limit is not None and limit < 1:
                active = None
            elif valid and limit is not None:
                duration = min(duration, limit)
        return GeneratedClip(clip_id, 0, duration, 0, spec=GenerationSpec("p", seed=1), takes=takes,
                             active_take=active)
    if not candidates:
        return None
    media = draw(st.sampled_from(candidates))
    limit = media.duration_frames(tl.fps)
    if valid and limit is not None and limit < 1:
        return None
    top = limit if valid and limit is not None else 60
    duration = draw(st.integers(1 if valid else 0, top))
    source_in = 0
    if media.kind is not MediaKind.IMAGE:
        source_in = draw(st.integers(0, top - duration)) if valid else draw(st.integers(0, 20))
    return MediaClip(clip_id, 0, duration, source_in, media=media.id)


# --- random commands ----------------------------------------------------------------------------------------------


class Draws:
    """Picks plausible (and sometimes implausible) arguments from the timeline as it is now."""

    def __init__(self, data: st.DataObject, tl: Timeline, ids: itertools.count) -> None:
        self.data, self.tl, self._ids = data, tl, ids

    def draw(self, strategy: st.SearchStrategy):
        return self.data.draw(strategy)

    def fresh(self, prefix: str = "n") -> str:
        return f"{prefix}{next(self._ids)}"

    def clip_id(self) -> str:
        ids = [c.id for _, c in self.tl.clips()]
        return self.draw(st.sampled_from(ids)) if ids and self.draw(st.integers(0, 9)) else "missing"

    def track(self) -> Track | str:
        tracks = self.tl.tracks
        return self.draw(st.sampled_from(tracks)) if tracks and self.draw(st.integers(0, 9)) else "V99"

    def frame(self, near: Track | None = None) -> int:
        clips = near.clips if near is not None else [c for _, c in self.tl.clips()]
        marks = sorted({x + d for c in clips for x in (c.start, c.end) for d in (-1, 0, 1)} | {0, -1})
        if self.draw(st.booleans()):
            return self.draw(st.sampled_from(marks))
        return self.draw(st.integers(-3, self.tl.duration + 40))

    def clip_and_frame(self) -> tuple[str, int]:
        """A clip and a frame near it (or anywhere)."""
        cid = self.clip_id()
        try:
            track, c = self.tl.find(cid)
        except KeyError:
            return cid, self.frame()
        if self.draw(st.integers(0, 3)):
            return cid, self.draw(st.integers(c.start - 5, c.end + 5))
        return cid, self.frame(track)

    def new_clip(self, kind: TrackKind) -> Clip:
        if not self.draw(st.integers(0, 19)):   # now and then, a duplicate id
            ids = [c.id for _, c in self.tl.clips()]
            if ids:
                return MediaClip(self.draw(st.sampled_from(ids)), 0, 5, media=next(iter(self.tl.media)))
        c = self.draw(new_clips(self.tl, kind, self.fresh("n"), valid=self.draw(st.booleans())))
        return c if c is not None else GeneratedClip(self.fresh("n"), 0, 5)


def _place(d: Draws, kind: type[Insert] | type[Overwrite]) -> Command:
    track = d.track()
    track_kind = track.kind if isinstance(track, Track) else TrackKind.VIDEO
    near = track if isinstance(track, Track) else None
    return kind(track, d.new_clip(track_kind), d.frame(near), split_id=d.fresh("s"))


def _place_pair(d: Draws) -> Command:
    """A video placed with its sound on an audio track, linked (often refused: no sound, locked, wrong kind)."""
    track, sound_track = d.track(), d.track()
    media = [m for m in d.tl.media.values() if m.has_video and m.kind is MediaKind.VIDEO]
    if not media:
        return _place(d, Overwrite)
    m = d.draw(st.sampled_from(media))
    frames = max(1, m.duration_frames(d.tl.fps) or 1)
    clip = MediaClip(d.fresh("n"), 0, d.draw(st.integers(1, frames)), media=m.id)
    near = track if isinstance(track, Track) else None
    return Place(track, clip, d.frame(near), sound_track=sound_track, insert=d.draw(st.booleans()),
                 sound_id=d.fresh("n"), link_id=d.fresh("l"), split_id=d.fresh("s"))


def _link(d: Draws) -> Command:
    if d.draw(st.booleans()):
        return Unlink(d.clip_id())
    return Link([d.clip_id() for _ in range(d.draw(st.integers(1, 3)))], link_id=d.fresh("l"))


def _move(d: Draws) -> Command:
    cid = d.clip_id()
    to_track = d.track() if d.draw(st.booleans()) else None
    near = to_track if isinstance(to_track, Track) else None
    return Move(cid, to_track, d.frame(near), overwrite=d.draw(st.booleans()), split_id=d.fresh("s"),
                linked=d.draw(st.sampled_from([True, True, False])))


def _roll(d: Draws) -> Command:
    pairs = [(a.id, b.id) for t in d.tl.tracks for a, b in itertools.pairwise(t.clips) if a.end == b.start]
    if pairs and d.draw(st.integers(0, 5)):
        left, right = d.draw(st.sampled_from(pairs))
        cut = d.tl.find(left)[1].end
        return Roll(left, right, d.draw(st.integers(cut - 15, cut + 15)))
    return Roll(d.clip_id(), d.clip_id(), d.frame())


def _properties(d: Draws) -> Command:
    changes = d.draw(st.dictionaries(
        st.sampled_from(["name", "fit", "volume"]),
        st.one_of(st.sampled_from(["x", "fit", "crop", Fit.STRETCH]), st.floats(-1, 2, allow_nan=False)),
        max_size=2))
    return SetClipProperties(d.clip_id(), **changes)


def _take(d: Draws) -> Command:
    generated = [c.id for _, c in d.tl.clips() if isinstance(c, GeneratedClip)]
    cid = d.draw(st.sampled_from(generated)) if generated and d.draw(st.integers(0, 5)) else d.clip_id()
    which = d.draw(st.integers(0, 2))
    if which == 0:
        videos = [m.id for m in d.tl.media.values() if m.kind is MediaKind.VIDEO]
        media = d.draw(st.sampled_from(videos)) if videos and d.draw(st.integers(0, 4)) else "missing"
        return AddTake(cid, Take(media, "h"), activate=d.draw(st.booleans()))
    if which == 1:
        return SetActiveTake(cid, d.draw(st.one_of(st.none(), st.integers(-1, 2))))
    takes = len(d.tl.find(cid)[1].takes) if cid in generated else 0
    return RemoveTake(cid, d.draw(st.integers(0, takes - 1)) if takes and d.draw(st.integers(0, 4)) else takes)


def _media_edit(d: Draws) -> Command:
    which = d.draw(st.integers(0, 2))
    if which == 0:
        media_id = d.draw(st.sampled_from([*d.tl.media, d.fresh("new"), d.fresh("new")]))
        return AddMedia(_media(media_id, d.draw(st.sampled_from(MEDIA_SHAPES)), d.draw(st.integers(1, 120))))
    if which == 1:
        return RemoveMedia(d.draw(st.sampled_from([*d.tl.media, "missing"])))
    media_id = d.draw(st.sampled_from(list(d.tl.media)))
    return ReplaceMedia(_media(media_id, d.draw(st.sampled_from(MEDIA_SHAPES)), d.draw(st.integers(1, 120))))


def _track_edit(d: Draws) -> Command:
    which = d.draw(st.integers(0, 3))
    if which == 0:
        kind = d.draw(st.sampled_from(["video", "audio"]))
        return AddTrack(kind, d.draw(st.one_of(st.none(), st.integers(-1, 3))), track_id=d.fresh("t"))
    if which == 1:
        return RemoveTrack(d.track())
    if which == 2:
        return MoveTrack(d.track(), d.draw(st.integers(-1, 3)))
    flags = d.draw(st.fixed_dictionaries({}, optional={
        "hidden": st.booleans(), "muted": st.booleans(), "locked": st.booleans(), "volume": st.floats(-1, 2)}))
    return SetTrackFlags(d.track(), **flags)


def _marker_edit(d: Draws) -> Command:
    which = d.draw(st.integers(0, 2))
    frames = [m.frame for m in d.tl.markers] + [d.frame()]
    if which == 0:
        return AddMarker(Marker(d.frame(), d.draw(st.sampled_from(["a", "b"]))))
    if which == 1:
        return RemoveMarker(d.draw(st.sampled_from(frames)))
    return EditMarker(d.draw(st.sampled_from(frames)), frame=d.frame())


COMMANDS: list[tuple[int, Callable[[Draws], Command]]] = [
    (4, lambda d: _place(d, Insert)),
    (4, lambda d: _place(d, Overwrite)),
    (4, _move),
    (4, _place_pair),
    (2, _link),
    (3, lambda d: TrimHead(*d.clip_and_frame())),
    (3, lambda d: TrimTail(*d.clip_and_frame())),
    (3, lambda d: RippleTrim(d.clip_id(), d.draw(st.sampled_from(["head", "tail"])), d.frame())),
    (2, _roll),
    (2, lambda d: Slip(d.clip_id(), d.draw(st.integers(-2, 100)))),
    (4, lambda d: Split(*d.clip_and_frame(), right_id=d.fresh("r"))),
    (2, lambda d: Delete(d.clip_id())),
    (2, lambda d: RippleDelete(d.clip_id())),
    (2, _properties),
    (2, _take),
    (2, _media_edit),
    (2, _track_edit),
    (2, _marker_edit),
]
_WEIGHTED = [make for weight, make in COMMANDS for _ in range(weight)]


def random_command(d: Draws, depth: int = 0) -> Command:
    if depth == 0 and not d.draw(st.integers(0, 12)):
        return Group("Random group", [random_command(d, 1) for _ in range(d.draw(st.integers(1, 3)))])
    return d.draw(st.sampled_from(_WEIGHTED))(d)


# --- the property ------------------------------------------------------------------------------------------------


def _assert_events_cover_the_change(before: Timeline, after: Timeline, changes: list[Change]) -> None:
    """Views repaint only what events name: whatever they do not name must not have changed."""
    touched = {t for c in changes for t in c.track_ids}
    if not any(c.layout for c in changes):
        assert [t.id for t in before.tracks] == [t.id for t in after.tracks]
        for old, new in zip(before.tracks, after.tracks, strict=True):
            if old.id not in touched:
                assert old == new, f"track {old.id} changed but no event names it"
    if not any(c.media for c in changes):
        assert before.media == after.media
    if not any(c.markers for c in changes):
        assert before.markers == after.markers



@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_random_edits_keep_invariants_and_undo_redo_exactly(data: st.DataObject) -> None:
    tl = data.draw(timelines())
    original = copy.deepcopy(tl)
    events: list[Change] = []
    tl.subscribe(events.append)
    history = History(tl)
    d = Draws(data, tl, itertools.count())
    states = [tl.copy()]   # states[i]: after i steps of the undo stack
    at = 0

    def attempt(action: Callable[[], object]) -> bool:
        """Run an edit; if refused, prove nothing changed. Returns whether it went through."""
        before, seen = tl.copy(), len(events)
        try:
            action()
        except EditError as err:
            assert "\n" not in str(err)
            assert tl == before
            tl.check()
            return False
        tl.check()
        assert len(events) > seen
        _assert_events_cover_the_change(before, tl, events[seen:])
        return True

    for _ in range(data.draw(st.integers(1, 20), label="steps")):
        step = data.draw(st.sampled_from(["do"] * 8 + ["undo", "redo", "with-group"]))
        if step == "undo" and history.can_undo:
            history.undo()
            at -= 1
        elif step == "redo" and history.can_redo:
            history.redo()
            at += 1
        elif step == "with-group":
            def grouped() -> None:
                with history.group("Grouped"):
                    for _ in range(data.draw(st.integers(1, 3))):
                        history.do(random_command(d, 1))
            if attempt(grouped):
                states[at + 1:] = [tl.copy()]
                at += 1
        else:
            cmd = random_command(d)
            if attempt(lambda cmd=cmd: history.do(cmd)):
                states[at + 1:] = [tl.copy()]
                at += 1
                assert events[-1].label == cmd.label and not events[-1].undo
        tl.check()
        assert tl == states[at]

    while history.can_undo:
        history.undo()
        tl.check()
        at -= 1
        assert tl == states[at]
    assert at == 0
    assert tl == original
    while history.can_redo:
        history.redo()
        tl.check()
        at += 1
        assert tl == states[at]
    assert tl == states[-1]

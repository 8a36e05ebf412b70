"""The project document: every model field round-trips; bad documents are refused in one clear line."""

from __future__ import annotations

import copy
import json
import math
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project_examples import EFFECTS, FIXTURES, example, example_with_effects, round_trip

from editor.model import (
    Fit,
    GeneratedClip,
    GenerationSpec,
    Marker,
    MediaClip,
    MediaKind,
    MediaSource,
    Settings,
    Take,
    Timeline,
    Track,
    TrackKind,
)
from editor.model.clips import TextClip
from editor.project import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MigrationError,
    ProjectError,
    encode,
    from_dict,
    migrate,
    migration,
    resolve_path,
    store_path,
    to_dict,
)
from editor.project.migrations import migrate_v0_to_v1

# --- hypothesis: timelines built from the model types --------------------------------------------------

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
segment = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\\\x00"), min_size=1,
                  max_size=10).filter(lambda s: s not in (".", ".."))
paths = st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))
rates = st.one_of(
    st.sampled_from([Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001), Fraction(24),
                     Fraction(25), Fraction(30), Fraction(50), Fraction(60)]),
    st.fractions(min_value=Fraction(1, 10), max_value=240, max_denominator=1001),
)
volumes = st.floats(min_value=0, max_value=4, allow_nan=False, allow_infinity=False)
specs = st.builds(
    GenerationSpec,
    prompt=text,
    negative_prompt=text,
    model=st.sampled_from(["", "wan2.1-t2v-1.3b", "ltx-video"]),
    seed=st.none() | st.integers(0, 2**64),
    steps=st.none() | st.integers(1, 100),
    guidance=st.none() | st.integers(0, 20) | st.floats(0, 20, allow_nan=False),
    width=st.none() | st.integers(16, 4096),
    height=st.none() | st.integers(16, 4096),
    first_image=st.none() | paths,
    last_image=st.none() | paths,
)


hashes = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def timelines(draw: st.DrawFn, root: str = "") -> Timeline:
    fps = draw(rates)
    tl = Timeline(settings=Settings(width=draw(st.integers(1, 8192)), height=draw(st.integers(1, 8192)), fps=fps,
                                    sample_rate=draw(st.sampled_from([22050, 44100, 48000, 96000]))))
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(list(MediaKind)))
        has_video, has_audio = {MediaKind.VIDEO: (True, draw(st.booleans())), MediaKind.AUDIO: (False, True),
                                MediaKind.IMAGE: (True, False)}[kind]
        duration = None if kind is MediaKind.IMAGE and draw(st.booleans()) else \
            Fraction(draw(st.integers(0, 10**6)), draw(st.integers(1, 1001)))
        media_id = f"m{i}{draw(st.sampled_from(['', '-ñ', ' x', ':1']))}"
        tl.media[media_id] = MediaSource(media_id, root + draw(paths), kind, duration, has_video, has_audio,
                                         width=draw(st.integers(0, 8192)), height=draw(st.integers(0, 8192)),
                                         content_hash=draw(st.none() | hashes))
    pool = list(tl.media.values())
    counter = iter(range(10**6))

    def make_track(kind: TrackKind, index: int) -> Track:
        track = Track(f"{kind.value[0]}{index}", kind, draw(text), hidden=draw(st.booleans()),
                      muted=draw(st.booleans()), locked=draw(st.booleans()), volume=draw(volumes))
        cursor = 0
        for _ in range(draw(st.integers(0, 4))):
            start = cursor + draw(st.integers(0, 50))
            length = draw(st.integers(1, 100))
            common = {"id": f"c{next(counter)}", "start": start, "duration": length, "name": draw(text),
                      "fit": draw(st.sampled_from(list(Fit))), "volume": draw(volumes)}
            fitting = [m for m in pool if (m.has_video if kind is TrackKind.VIDEO else m.has_audio)
                       and (m.duration_frames(fps) is None or m.duration_frames(fps) >= length)]
            if fitting and draw(st.booleans()):
                media = draw(st.sampled_from(fitting))
                frames = media.duration_frames(fps)
                source_in = draw(st.integers(0, 1000 if frames is None else frames - length))
                clip: Any = MediaClip(**common, source_in=source_in, media=media.id)
            elif kind is TrackKind.VIDEO:
                takes = tuple(Take(m.id, draw(text)) for m in draw(st.lists(st.sampled_from(pool), max_size=3))) \
                    if pool else ()
                playable = [i for i, t in enumerate(takes) if tl.media[t.media_id].has_video and
                            (tl.media[t.media_id].duration_frames(fps) is None or
                             tl.media[t.media_id].duration_frames(fps) >= length)]
                active = draw(st.none() | st.sampled_from(playable)) if playable else None
                clip = GeneratedClip(**common, spec=draw(specs), takes=takes, active_take=active)
            else:
                continue
            track.clips.append(clip)
            cursor = start + length
        return track

    tl.video_tracks = [make_track(TrackKind.VIDEO, i) for i in range(draw(st.integers(0, 3)))]
    tl.audio_tracks = [make_track(TrackKind.AUDIO, i) for i in range(draw(st.integers(0, 2)))]
    tl.markers = [Marker(draw(st.integers(0, 10**6)), draw(text), draw(st.sampled_from(["#e0a030", "red", ""])))
                  for _ in range(draw(st.integers(0, 3)))]
    assert tl.problems() == [], tl.problems()
    return tl


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines())
def test_any_timeline_round_trips(tl: Timeline) -> None:
    back = round_trip(tl)
    assert back == tl
    assert back.state() == tl.state()
    for (_, a), (_, b) in zip(back.clips(), tl.clips(), strict=True):
        assert type(a) is type(b)
        if isinstance(a, GeneratedClip):
            assert a.spec.content_hash() == b.spec.content_hash()  # the hash sees 7 vs 7.0: kept as written


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(root="/projects/film"))
def test_any_timeline_round_trips_with_relative_paths(tl: Timeline) -> None:
    data = to_dict(tl, "/projects")
    assert all(not m["path"].startswith("/") for m in data["media"])
    assert round_trip(tl, "/projects") == tl


@settings(max_examples=40, deadline=None)
@given(timelines())
def test_saved_documents_are_plain_strict_json(tl: Timeline) -> None:
    blob = encode(to_dict(tl))
    data = json.loads(blob, parse_constant=lambda name: pytest.fail(f"{name} in a document"))
    assert data["format"] == FORMAT_NAME and data["format_version"] == FORMAT_VERSION
    assert data["settings"]["fps"] == (str(tl.fps.numerator) if tl.fps.denominator == 1 else
                                       f"{tl.fps.numerator}/{tl.fps.denominator}")


# --- examples ------------------------------------------------------------------------------------------


def test_example_round_trips_field_by_field() -> None:
    tl = example()
    back = round_trip(tl)
    assert back == tl
    g1 = back.find("g1")[1]
    assert isinstance(g1, GeneratedClip)
    assert g1.spec == tl.find("g1")[1].spec and g1.active_take == 1 and g1.media_id() == "take"
    g2 = back.find("g2")[1]
    assert isinstance(g2, GeneratedClip) and g2.spec.prompt == "" and g2.pending
    assert back.track("V2").hidden and back.track("V2").locked and back.track("A1").muted
    assert back.track("A1").volume == 0.5 and back.find("c4")[1].volume == 1.5
    assert back.find("c1")[1].fit is Fit.FIT
    assert back.media["logo"].duration is None
    assert back.media["cam"].duration == Fraction(1001, 100)
    assert [t.id for t in back.video_tracks] == ["V1", "V2"]


def test_document_layout() -> None:
    data = to_dict(example(), metadata={"title": "Kite day"})
    assert list(data) == ["format", "format_version", "app_version", "settings", "media", "tracks", "markers",
                          "master_volume", "metadata"]
    assert data["settings"] == {"width": 1080, "height": 1920, "fps": "30000/1001", "sample_rate": 48000}
    assert data["media"][0]["duration"] == "1001/100"
    assert data["media"][1]["duration"] is None
    assert data["media"][0]["content_hash"] == "5e0c" * 16
    assert "content_hash" not in data["media"][1]   # unknown: left out, so the file reads as before
    assert [t["kind"] for t in data["tracks"]] == ["video", "video", "audio", "audio"]
    clip = data["tracks"][0]["clips"][1]
    assert clip["type"] == "generated" and clip["takes"][1] == {"media": "take", "spec_hash": "def"}
    assert clip["spec"] == {"prompt": "a kite", "negative_prompt": "blurry", "model": "wan", "seed": 7, "steps": 30,
                            "guidance": 5.0, "width": 480, "height": 832, "first_image": "/img/first.png"}
    assert data["metadata"] == {"title": "Kite day"}
    assert from_dict(data).metadata == {"title": "Kite day"}


def test_paths_inside_the_project_folder_are_relative() -> None:
    assert store_path("/p/film/media/a b.mp4", "/p/film") == "media/a b.mp4"
    assert store_path("/p/film/a.mp4", "/p/film") == "a.mp4"
    assert store_path("/p/other/a.mp4", "/p/film") == "/p/other/a.mp4"
    assert store_path("/p/a.mp4", "/p/film") == "/p/a.mp4"  # never '../'
    assert store_path("/p/film", "/p/film") == "/p/film"
    assert store_path("relative/a.mp4", None) == "relative/a.mp4"
    assert resolve_path("media/a b.mp4", "/q/film") == "/q/film/media/a b.mp4"
    assert resolve_path("/abs/a.mp4", "/q/film") == "/abs/a.mp4"
    assert resolve_path("C:\\media\\a.mp4", "/q/film") == "C:\\media\\a.mp4"  # a Windows path stays absolute


def test_reader_fills_model_defaults() -> None:
    data = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "settings": {"fps": "25"},
        "media": [{"id": "m", "path": "/a.mp4", "kind": "video", "duration": "2", "has_video": True,
                   "has_audio": False}],
        "tracks": [{"id": "V1", "kind": "video", "clips": [
            {"type": "media", "id": "c", "start": 0, "duration": 10, "media": "m"},
            {"type": "generated", "id": "g", "start": 10, "duration": 5, "spec": {"prompt": "p"}},
        ]}],
    }
    loaded = from_dict(data)
    tl = loaded.timeline
    assert tl.settings == Settings(fps=Fraction(25))
    assert tl.find("c")[1] == MediaClip("c", 0, 10, media="m")
    assert tl.find("g")[1] == GeneratedClip("g", 10, 5, spec=GenerationSpec("p"))
    assert tl.markers == [] and loaded.metadata == {} and loaded.warnings == []


def test_clips_are_sorted_on_load() -> None:
    data = to_dict(example())
    data["tracks"][0]["clips"].reverse()
    assert from_dict(data).timeline == example()


def test_unknown_fields_are_ignored_with_a_warning() -> None:
    data = to_dict(example())
    data["future"] = 1
    data["tracks"][0]["clips"][0]["warp"] = 2
    loaded = from_dict(data)
    assert loaded.timeline == example()
    assert sorted(loaded.warnings) == ["ignored unknown field 'future'",
                                       "ignored unknown field 'tracks[0].clips[0].warp'"]


# --- refusals ------------------------------------------------------------------------------------------


def mutated(change: Any) -> dict[str, Any]:
    data = to_dict(example())
    change(data)
    return data


def clip0(data: dict[str, Any]) -> dict[str, Any]:
    return data["tracks"][0]["clips"][0]


BAD = [
    (lambda d: d.pop("format"), "not a PromptCut project (no 'format' field)"),
    (lambda d: d.update(format="kdenlive"), "not a PromptCut project (format is 'kdenlive')"),
    (lambda d: d.update(format_version="1"), "format_version is '1'"),
    (lambda d: d.update(format_version=-1), "format_version is -1"),
    (lambda d: d.update(format_version=True), "format_version is true"),
    (lambda d: d.pop("settings"), "missing field 'settings'"),
    (lambda d: d.update(settings=[]), "settings: expected an object, got a list"),
    (lambda d: d["settings"].update(fps="29.97"), "settings.fps: expected an exact number"),
    (lambda d: d["settings"].update(fps=30), "settings.fps: expected an exact number"),
    (lambda d: d["settings"].update(fps="30/0"), "division by zero"),
    (lambda d: d["settings"].update(fps="0"), "settings.fps: must be more than zero"),
    (lambda d: d["settings"].update(width=0), "canvas size must be positive"),
    (lambda d: d.update(media={}), "media: expected a list, got an object"),
    (lambda d: d["media"][0].pop("path"), "missing field 'media[0].path'"),
    (lambda d: d["media"][0].update(kind="hologram"), "media[0].kind: expected one of 'video', 'audio', 'image'"),
    (lambda d: d["media"][0].update(duration=10.01), "media[0].duration: expected an exact number"),
    (lambda d: d["media"][0].update(duration="-3"), "media[0].duration: expected an exact number"),
    (lambda d: d["media"][0].update(has_audio="yes"), "media[0].has_audio: expected true or false, got 'yes'"),
    (lambda d: d["media"][0].update(width=-1), "media[0].width: must not be negative"),
    (lambda d: d["media"].append(dict(d["media"][0])), "duplicate media id 'cam'"),
    (lambda d: d["media"][0].update(content_hash=7), "media[0].content_hash: expected text, got 7"),
    (lambda d: d["media"][0].update(content_hash=""), "media[0].content_hash: must not be empty"),
    (lambda d: d["media"][0].update(content_hash="ab cd"), "media[0].content_hash: expected a content hash"),
    (lambda d: d["tracks"][0].update(kind="subtitle"), "tracks[0].kind: expected one of 'video', 'audio'"),
    (lambda d: d["tracks"][0].update(muted=1), "tracks[0].muted: expected true or false, got 1"),
    (lambda d: clip0(d).update(start="12"), "tracks[0].clips[0].start: expected a whole number, got '12'"),
    (lambda d: clip0(d).update(start=1.5), "tracks[0].clips[0].start: expected a whole number, got 1.5"),
    (lambda d: clip0(d).update(duration=True), "tracks[0].clips[0].duration: expected a whole number, got true"),
    (lambda d: clip0(d).update(volume=math.nan), "tracks[0].clips[0].volume: expected a number, got nan"),
    (lambda d: clip0(d).update(volume="loud"), "tracks[0].clips[0].volume: expected a number"),
    (lambda d: clip0(d).update(fit="zoom"), "tracks[0].clips[0].fit: expected one of 'fill', 'fit', 'crop'"),
    (lambda d: clip0(d).update(type="title"), "unknown clip type 'title'"),
    (lambda d: clip0(d).pop("type"), "missing field 'tracks[0].clips[0].type'"),
    (lambda d: clip0(d).update(media=""), "tracks[0].clips[0].media: must not be empty"),
    (lambda d: d["tracks"][0]["clips"][1]["spec"].pop("prompt"), "missing field 'tracks[0].clips[1].spec.prompt'"),
    (lambda d: d["tracks"][0]["clips"][1]["spec"].update(seed="7"), "spec.seed: expected a whole number"),
    (lambda d: d["tracks"][0]["clips"][1].update(takes=[{"media": "take"}]), "takes[0].spec_hash'"),
    (lambda d: d["markers"].append({"name": "x"}), "missing field 'markers[2].frame'"),
    (lambda d: d.update(metadata=[]), "metadata: expected an object"),
    # The model's own rules, checked after building it:
    (lambda d: clip0(d).update(media="nope"), "inconsistent project: clip c1 refers to unknown media 'nope'"),
    (lambda d: clip0(d).update(start=95), "inconsistent project: clips"),
    (lambda d: clip0(d).update(source_in=250), "inconsistent project: clip c1 plays source frames"),
    (lambda d: d["tracks"][0]["clips"][1].update(active_take=5), "inconsistent project: clip g1 has no take 5"),
    (lambda d: d["tracks"][1].update(id="V1"), "inconsistent project: duplicate track id V1"),
    (lambda d: d["tracks"][2]["clips"].append(clip0(d) | {"id": "c1", "start": 400}),
     "inconsistent project: duplicate clip id c1"),
]


@pytest.mark.parametrize(("change", "expected"), BAD, ids=[e for _, e in BAD])
def test_bad_documents_are_refused_in_one_line(change: Any, expected: str) -> None:
    with pytest.raises(ProjectError) as caught:
        from_dict(mutated(change), source="film.promptcut")
    message = str(caught.value)
    assert message.startswith("film.promptcut: ")
    assert expected in message, message
    assert "\n" not in message


@pytest.mark.parametrize("data", [[], "project", 3, None])
def test_a_document_that_is_not_an_object(data: Any) -> None:
    with pytest.raises(ProjectError, match="not a PromptCut project"):
        from_dict(data, source="x")


def test_a_newer_format_is_refused() -> None:
    data = to_dict(example()) | {"format_version": 7, "app_version": "3.0.0", "tracks": "changed shape"}
    with pytest.raises(ProjectError) as caught:
        from_dict(data, source="film.promptcut")
    assert str(caught.value) == ("film.promptcut: was saved by PromptCut 3.0.0, a newer version (format 7; this "
                                 "version reads up to 2): update PromptCut to open it")


# --- migrations ----------------------------------------------------------------------------------------


def test_format_0_fixture_migrates() -> None:
    data = json.loads((FIXTURES / "format-0.promptcut").read_text())
    frozen = copy.deepcopy(data)
    loaded = from_dict(data, "/films/kite")
    assert data == frozen  # the input is not modified
    assert loaded.format_version == 0 and loaded.migrated
    assert loaded.warnings[0].startswith(f"converted from project format 0 to {FORMAT_VERSION}")
    tl = loaded.timeline
    assert tl.fps == Fraction(30000, 1001)  # "29.97" meant NTSC, not the float
    assert [t.id for t in tl.video_tracks] == ["V1", "V2"] and [t.id for t in tl.audio_tracks] == ["A1"]
    assert tl.track("V2").hidden and tl.track("A1").muted
    assert tl.media["cam"].path == "/films/kite/media/cam.mp4"
    assert loaded.metadata == {} and loaded.app_version is None
    assert tl.markers == [Marker(90, "kite", "#30a0e0")]


@pytest.mark.parametrize(("fps", "expected"), [
    ("29.97", Fraction(30000, 1001)), (23.976, Fraction(24000, 1001)), ("25", Fraction(25)), (30, Fraction(30)),
    ("59.94", Fraction(60000, 1001)), ("12.5", Fraction(25, 2)),
])
def test_migration_0_to_1_reads_decimal_rates(fps: Any, expected: Fraction) -> None:
    data = {"format_version": 0, "settings": {"fps": fps}, "video_tracks": [], "audio_tracks": []}
    assert Fraction(migrate_v0_to_v1(data)["settings"]["fps"]) == expected


def test_a_broken_old_file_is_refused_in_one_line() -> None:
    data = json.loads((FIXTURES / "format-0.promptcut").read_text())
    data["settings"]["fps"] = "fast"
    with pytest.raises(ProjectError, match=r"^old\.promptcut: cannot read this older project \(format 0\): "):
        from_dict(data, source="old.promptcut")
    data["settings"]["fps"] = "25"
    data["video_tracks"] = {"V1": {}}
    with pytest.raises(ProjectError, match="video_tracks is not a list"):
        from_dict(data, source="old.promptcut")


def test_migrations_chain_in_order() -> None:
    registry: dict[int, Any] = {}
    seen: list[int] = []

    @migration(0, registry)
    def zero(data: dict[str, Any]) -> dict[str, Any]:
        seen.append(0)
        data["a"] = 1
        return data

    @migration(1, registry)
    def one(data: dict[str, Any]) -> dict[str, Any]:
        seen.append(1)
        data["b"] = data.pop("a") + 1
        return data

    original = {"format_version": 0}
    result, steps = migrate(original, 2, registry)
    assert result == {"format_version": 2, "b": 2}
    assert steps == [1, 2] and seen == [0, 1]
    assert original == {"format_version": 0}
    assert migrate({"format_version": 2}, 2, registry) == ({"format_version": 2}, [])
    with pytest.raises(MigrationError, match="no conversion from format 2 to 3"):
        migrate({"format_version": 0}, 3, registry)
    with pytest.raises(ValueError, match="already registered"):
        migration(0, registry)(zero)


def test_a_failing_migration_says_which_step() -> None:
    registry: dict[int, Any] = {}
    migration(4, registry)(lambda data: data["missing"])
    with pytest.raises(MigrationError, match="cannot convert from format 4: KeyError"):
        migrate({"format_version": 4}, 5, registry)


def test_every_older_format_has_a_migration_and_a_fixture() -> None:
    from editor.project import MIGRATIONS

    assert sorted(MIGRATIONS) == list(range(FORMAT_VERSION))
    for version in range(FORMAT_VERSION + 1):
        assert (FIXTURES / f"format-{version}.promptcut").is_file()


def test_format_1_fixture_reads() -> None:
    loaded = from_dict(json.loads((FIXTURES / "format-1.promptcut").read_text()), "/films/kite")
    assert loaded.migrated and loaded.warnings == [
        "converted from project format 1 to 2; saving writes the new format and keeps a copy of the old file"]
    tl = loaded.timeline
    g1 = tl.find("g1")[1]
    assert isinstance(g1, GeneratedClip) and g1.spec.seed == 7 and g1.spec.guidance == 5.0
    assert g1.media_id() == "take1"
    assert tl.media["take1"].path == "/films/kite/generated/kite-7.mp4"
    assert tl.media["logo"].path == "/elsewhere/brand/logo 'final' [2].png"
    assert loaded.metadata == {"title": "Kite day"} and loaded.app_version == "0.1.0"
    assert all(m.content_hash is None for m in tl.media.values())   # written before media kept a hash


def test_media_content_hash_round_trips_and_is_optional() -> None:
    tl = example()
    back = round_trip(tl)
    assert back.media["cam"].content_hash == "5e0c" * 16 and back.media["logo"].content_hash is None
    data = to_dict(tl)
    data["media"][0].pop("content_hash")            # as a file from before the field: loads, no hash, no warning
    loaded = from_dict(data)
    assert loaded.timeline.media["cam"].content_hash is None and loaded.warnings == []
    data["media"][0]["content_hash"] = None         # null is "unknown" too
    assert from_dict(data).timeline.media["cam"].content_hash is None
    assert data["format_version"] == FORMAT_VERSION   # an optional key (added within format 1: no bump)


def test_an_older_reader_would_only_warn_about_the_hash() -> None:
    """What a PromptCut from before ``content_hash`` does with a file that has it: the reader's unknown-key rule
    (a warning, not a refusal) is why the field needed no format bump."""
    data = to_dict(example())
    data["media"][0]["future_hash"] = "x"
    loaded = from_dict(data)
    assert loaded.timeline == example()
    assert loaded.warnings == ["ignored unknown field 'media[0].future_hash'"]


def test_the_format_covers_every_model_field() -> None:
    """A field added to the model must be added to the format (and this list), or it would be lost on save."""
    from dataclasses import fields as dataclass_fields

    def names(cls: type) -> set[str]:
        return {f.name for f in dataclass_fields(cls)}

    data = to_dict(example())
    assert names(Settings) == set(data["settings"])
    assert names(MediaSource) - {"online"} == set(data["media"][0])  # online is found out on load, not stored
    assert names(Track) - {"gap_names"} == set(data["tracks"][0])   # written when set: test_timeline_length_format
    assert names(Marker) == set(data["markers"][0])
    media_clip, generated_clip = data["tracks"][0]["clips"][:2]
    # Links and effects are written only when set; example_with_effects() sets every one of them.
    when_set = {"link", "sound_detached", "enabled", *EFFECTS}
    assert names(MediaClip) - when_set == set(media_clip) - {"type"} - when_set
    assert names(GeneratedClip) - when_set == set(generated_clip) - {"type"}
    effected = {c["id"]: c for c in to_dict(example_with_effects())["tracks"][0]["clips"]}
    unset = {"link", "sound_detached", "enabled"}
    assert names(MediaClip) - unset == (set(effected["fx"]) | set(effected["fy"])) - {"type"}
    assert names(TextClip) - when_set - {"words"} == set(effected["t1"]) - {"type"}  # words: when transcribed
    assert {"media_id", "spec_hash", "spec"} == names(Take)
    assert set(generated_clip["takes"][0]) == {"media", "spec_hash", "spec"}
    # last_image and the generation-at-full-strength fields are unset in the example (see the next test)
    assert names(GenerationSpec) == set(generated_clip["spec"]) | {"last_image", *FULL_STRENGTH_SPEC, *AUDIO_SPEC}


AUDIO_SPEC = {"kind": "speech", "voice": "kokoro-82m:af_heart", "voice_speed": 1.25, "pitch": -2.0}
FULL_STRENGTH_SPEC = {"profile": "draft", "prefix_video": "/img/tail.mp4", "suffix_video": "/img/head.mp4",
                      "reference_images": ["/img/hero.png"], "match_colors": True,
                      "color_reference": "/img/prev.png", "first_source": "cam@89/fill", "last_source": "cam@0/fill"}


def test_profiles_extension_videos_references_and_colour_match_round_trip_and_are_written_only_when_set() -> None:
    tl = example()
    track, clip = tl.find("g1")
    spec = GenerationSpec.from_dict({**clip.spec.to_dict(), **FULL_STRENGTH_SPEC})
    track.clips = [c if c.id != "g1" else c.moved(spec=spec) for c in track.clips]
    data = to_dict(tl)
    written = data["tracks"][0]["clips"][1]["spec"]
    assert {k: written[k] for k in FULL_STRENGTH_SPEC} == FULL_STRENGTH_SPEC
    assert from_dict(data).timeline.find("g1")[1].spec == spec
    assert spec.reference_images == ("/img/hero.png",)
    bad = to_dict(tl)
    bad["tracks"][0]["clips"][1]["spec"]["profile"] = "turbo"
    with pytest.raises(ProjectError, match="profile"):
        from_dict(bad)


def test_links_round_trip_and_are_written_only_when_set() -> None:
    data = to_dict(example())
    opening, kite = data["tracks"][0]["clips"][:2]
    assert (opening["link"], opening["sound_detached"]) == ("L1", True)
    assert data["tracks"][3]["clips"][0]["link"] == "L1" and "sound_detached" not in data["tracks"][3]["clips"][0]
    assert "link" not in kite and "sound_detached" not in kite     # unlinked clips are written as before
    back = round_trip(example())
    assert back.find("c1")[1].link == back.find("c5")[1].link == "L1" and back.find("c1")[1].sound_detached


def test_a_disabled_clip_round_trips_and_enabled_is_written_only_when_false() -> None:
    tl = example()
    track, clip = tl.find("c1")
    track.clips = [c if c.id != "c1" else c.moved(enabled=False) for c in track.clips]
    data = to_dict(tl)
    written = {c["id"]: c for t in data["tracks"] for c in t["clips"]}
    assert written["c1"]["enabled"] is False
    assert all("enabled" not in c for i, c in written.items() if i != "c1")
    back = from_dict(data).timeline
    assert not back.find("c1")[1].enabled
    assert all(c.enabled for _, c in back.clips() if c.id != "c1")
    written["c1"]["enabled"] = "no"
    with pytest.raises(ProjectError, match="enabled"):
        from_dict(data)


def test_a_file_from_before_links_opens_with_nothing_linked() -> None:
    loaded = from_dict(json.loads((FIXTURES / "format-1.promptcut").read_text()), "/films/kite")
    assert loaded.warnings == [
        "converted from project format 1 to 2; saving writes the new format and keeps a copy of the old file"]
    assert all(c.link is None and not c.sound_detached for _, c in loaded.timeline.clips())


def test_a_broken_link_group_is_refused_in_one_line() -> None:
    data = to_dict(example())
    data["tracks"][3]["clips"][0].pop("link")
    with pytest.raises(ProjectError, match="only clip of link group L1"):
        from_dict(data, source="film.promptcut")


def test_speech_and_sound_specs_round_trip_and_are_refused_on_a_video_track() -> None:
    from editor.model.timeline import Track, TrackKind

    tl = example()
    spec = GenerationSpec.from_dict({"prompt": "Hello there.", **AUDIO_SPEC})
    assert spec.is_audio
    voice = Track("av", TrackKind.AUDIO, "Voice", clips=[GeneratedClip("sp1", 0, 30, spec=spec)])
    tl.audio_tracks.append(voice)
    tl.check()
    data = to_dict(tl)
    assert data["tracks"][-1]["clips"][0]["spec"] == {"prompt": "Hello there.", **AUDIO_SPEC}
    assert from_dict(data).timeline.find("sp1")[1].spec == spec
    data["tracks"][-1]["clips"][0]["spec"]["kind"] = "music video"
    with pytest.raises(ProjectError, match="kind"):
        from_dict(data)
    tl.video_tracks[0].clips.append(GeneratedClip("sp2", 10_000, 30, spec=spec))
    assert any("non-audio track" in p for p in tl.problems())


def test_caption_words_and_the_story_round_trip_and_are_written_only_when_set() -> None:
    from fractions import Fraction

    from editor.model.story import CastMember, Story, Storyboard, StoryShot

    tl = example()
    assert "story" not in to_dict(tl)
    track, t1 = next((t, c) for t, c in example_with_effects().clips() if isinstance(c, TextClip))
    words = (("Hello", 0, 9), ("there", 9, 20))
    tl.video_tracks[0].clips.append(t1.moved(id="cue", start=50_000, words=words))
    tl.story = Story(
        storyboard=Storyboard(shots=(StoryShot("s1", "g1", "Hello there.", "a harbour at dawn", Fraction(4), ("ana",),
                                               speech="sp1", caption="cue"),), style="35 mm film", seed=7,
                              chain=True, voice="espeak-ng:en-us", track=tl.video_tracks[0].id),
        cast=(CastMember("ana", "Ana", "/img/ana.png", "a woman in a red coat"),))
    data = to_dict(tl)
    back = from_dict(data).timeline
    assert back.story == tl.story
    assert back.find("cue")[1].words == words
    data["story"]["storyboard"]["shots"][0]["cast"] = ["nobody"]
    with pytest.raises(ProjectError, match="not in the cast"):
        from_dict(data)

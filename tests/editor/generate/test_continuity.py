"""Continuity with neighbours: conditioning frames as the canvas shows them, at the model's size; colour match
toward the neighbour; a shot whose neighbours moved, were trimmed or replaced is re-planned and marked stale."""

from __future__ import annotations

import time
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image
from shot_support import Doc as _Doc

from editor.generate.continuity import REPLAN_LABEL, current_sources
from editor.generate.frames import conditioning_frames
from editor.generate.pending import find_pending
from editor.generate.places import places_for
from editor.media import synth
from editor.media.probe import media_source_from_info, probe
from editor.model import Fit, GeneratedClip, GenerationSpec, MediaClip, Settings, Take, Timeline
from editor.model.commands import Move, SetClipProperties, TrimTail
from editor.render.compositor import Compositor

PORTRAIT = Settings(width=90, height=160, fps=Fraction(30))


def rgb(path) -> np.ndarray:
    with av.open(str(path)) as c:
        return next(c.decode(video=0)).to_ndarray(format="rgb24")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    d = tmp_path_factory.mktemp("continuity")
    return {"pattern": synth.pattern_clip(d / "pattern.mp4", 1.0, size=(320, 180)),
            "red": synth.color_clip(d / "red.mp4", "red", 1.0, size=(160, 90), tone_hz=None),
            "blue": synth.color_clip(d / "blue.mp4", "blue", 1.0, size=(160, 90), tone_hz=None)}


def test_a_fit_letterboxed_wide_neighbour_conditions_as_the_canvas_shows_it(wide, tmp_path):
    tl = Timeline.empty(PORTRAIT)
    tl.media["p"] = media_source_from_info(probe(wide["pattern"]), "p")
    tl.video_tracks[0].add(MediaClip("w", 0, 20, media="p", fit=Fit.FIT))
    tl.video_tracks[0].add(GeneratedClip("g", 20, 20, spec=GenerationSpec("the kite lands")))
    segment = find_pending(tl)[0]
    got = conditioning_frames(tl, segment, tmp_path / "frames", model="tiny-wan")
    image = rgb(got.first)
    assert image.shape == (128, 64, 3)                   # tiny-wan's native portrait size for a 9:16 canvas
    shown = Compositor(tl).frame(19, 90, 160)             # what the viewer (and the export) shows there
    # the image filled onto the canvas, as the generated clip will be (scaled to cover, centre-cropped), is it
    filled = np.asarray(Image.fromarray(image).resize((90, 180), Image.Resampling.BICUBIC))[10:170]
    assert psnr(filled, shown) > 25                       # resampling down to 64x128 and back costs detail
    raw = np.asarray(Image.fromarray(rgb(wide["pattern"])).resize((90, 160), Image.Resampling.BICUBIC))
    assert psnr(filled, raw) < 20                         # not the source frame stretched: the canvas's framing
    assert image[:30].mean() < 20 and image[-30:].mean() < 20 and image[54:74].mean() > 40   # the letterbox
    assert got.first_source == "p@19/fit" and got.last is None


def _ready_shot(tl: Timeline, frames_dir) -> GeneratedClip:
    """A ready shot conditioned on its previous neighbour, its spec recording where the frame came from."""
    probe_clip = GeneratedClip("g", 20, 15, spec=GenerationSpec("waves"))
    tl.video_tracks[0].add(probe_clip)
    got = conditioning_frames(tl, find_pending(tl)[0], frames_dir, model="tiny-wan")
    tl.video_tracks[0].remove("g")
    spec = GenerationSpec("waves", model="tiny-wan", seed=3, steps=2, first_image=str(got.first),
                          first_source=got.first_source)
    tl.media["take"] = tl.media["blue"].__class__(**{**tl.media["blue"].__dict__, "id": "take"})
    clip = GeneratedClip("g", 20, 15, spec=spec, takes=(Take("take", spec.content_hash(), spec),), active_take=0)
    tl.video_tracks[0].add(clip)
    return clip



class Doc(_Doc):
    def __init__(self, tl, places) -> None:
        super().__init__(tl, places, client=False)

    def settle(self, clip_id: str, state: str) -> None:
        deadline = time.monotonic() + 30
        self.queue.sync()
        while self.queue.status_by_id(clip_id).state != state:
            assert time.monotonic() < deadline, f"never {state}"
            self.queue.poll()
            time.sleep(0.02)

def neighbourhood(wide) -> Timeline:
    tl = Timeline.empty(PORTRAIT)
    for name in ("red", "blue"):
        tl.media[name] = media_source_from_info(probe(wide[name]), name)
    tl.video_tracks[0].add(MediaClip("r", 0, 20, media="red"))
    return tl


@pytest.mark.parametrize("edit", ["replaced", "trimmed", "moved"])
def test_a_changed_neighbour_re_extracts_the_frames_and_marks_the_shot_stale(wide, tmp_path, edit):
    tl = neighbourhood(wide)
    places = places_for(tmp_path / "cut.promptcut").make()
    clip = _ready_shot(tl, places.frames_dir)
    doc = Doc(tl, places)
    try:
        doc.queue.sync()
        assert doc.queue.status_by_id("g").state == "ready" and not doc.queue._requests   # nothing changed yet
        before = clip.spec
        command = {"replaced": SetClipProperties("r", media="blue"),
                   "trimmed": TrimTail("r", 14),
                   "moved": Move("r", to_start=40)}[edit]
        assert doc.do(command)
        doc.settle("g", "stale")
        status = doc.queue.status_by_id("g")
        assert status.text() == "Neighbours changed: regenerate?"
        assert doc.history.undo_stack[-1].label == REPLAN_LABEL
        spec = tl.find("g")[1].spec
        assert spec.first_source == current_sources(tl, tl.video_tracks[0], tl.find("g")[1])[0]
        if edit == "replaced":   # a new frame from the new neighbour: blue now
            assert spec.first_image != before.first_image and rgb(spec.first_image)[..., 2].mean() > 150
        else:                    # the neighbour no longer touches the shot: no frame to continue from
            assert spec.first_image is None and spec.first_source == ""
        # undo: the re-plan first (it is not made again), then the neighbour's edit (the shot is ready again)
        doc.history.undo()
        doc.queue.sync()
        doc.queue._finish_requests(wait=10)
        assert tl.find("g")[1].spec == before and doc.history.undo_stack[-1].label != REPLAN_LABEL
        doc.history.undo()
        doc.queue.sync()
        doc.queue._finish_requests(wait=10)
        assert doc.queue.status_by_id("g").state == "ready" and not doc.history.undo_stack
        doc.history.redo()
        doc.history.redo()
        assert tl.find("g")[1].spec == spec
        # editing the prompt is still said as a prompt change
        assert doc.do(SetClipProperties("g", spec=GenerationSpec(**{**spec.__dict__, "prompt": "storm"})))
        assert doc.queue.status_by_id("g").text() == "Prompt changed: regenerate?"
    finally:
        doc.queue.close()


def test_an_unrelated_edit_does_not_touch_the_shot(wide, tmp_path):
    tl = neighbourhood(wide)
    places = places_for(tmp_path / "cut.promptcut").make()
    _ready_shot(tl, places.frames_dir)
    tl.video_tracks[0].add(MediaClip("later", 60, 10, media="blue"))
    doc = Doc(tl, places)
    try:
        assert doc.do(TrimTail("later", 65))
        doc.queue.sync()
        doc.queue._finish_requests(wait=10)
        assert doc.queue.status_by_id("g").state == "ready" and len(doc.history.undo_stack) == 1
    finally:
        doc.queue.close()


def test_match_colours_brings_the_takes_colours_toward_the_previous_clip(colours, tmp_path):
    from editor.generate.shots import ShotOptions
    from generation.client import GeneratorClient

    tl = Timeline.empty(PORTRAIT)
    tl.media["red"] = media_source_from_info(probe(colours["red"]), "red")
    tl.video_tracks[0].add(MediaClip("r", 0, 15, media="red"))
    tl.video_tracks[0].add(MediaClip("r2", 25, 15, media="red"))
    places = places_for(tmp_path / "cut.promptcut").make()
    doc = Doc(tl, places)
    doc.queue._client_factory = lambda: GeneratorClient(places.store_path, places.output_dir)
    try:
        means = {}
        for start, match in ((15, False), (40, True)):
            clip = doc.queue.create(tl.video_tracks[0].id, start, 10, ShotOptions(
                "a field", seed=11, land_on_next=False, match_colors=match))
            assert clip is not None and clip.spec.match_colors is match
            if match:   # the previous clip's last frame; without the toggle, none
                assert clip.spec.color_reference == clip.spec.first_image and clip.spec.first_image
            else:
                assert clip.spec.color_reference is None
            means[match] = clip.id
        deadline = time.monotonic() + 240
        while any(tl.find(c)[1].pending for c in means.values()):
            assert time.monotonic() < deadline, "timed out waiting for the generator"
            doc.queue.poll()
            time.sleep(0.05)
        red = np.array([255.0, 0.0, 0.0])

        def distance(clip_id: str) -> float:
            with av.open(tl.media[tl.find(clip_id)[1].media_id()].path) as c:
                frames = [f.to_ndarray(format="rgb24").reshape(-1, 3) for f in c.decode(video=0)]
            return float(np.linalg.norm(np.concatenate(frames).mean(axis=0) - red))

        plain, matched = distance(means[False]), distance(means[True])
        assert matched < 0.6 * plain, (plain, matched)
    finally:
        doc.queue.close()

"""SetClipProperties and the take commands."""

from __future__ import annotations

from editor.model import Fit, GenerationSpec, Take
from editor.model.commands import AddMedia, AddTake, RemoveTake, SetActiveTake, SetClipProperties, Split
from editor.model.testing import spans, video


def test_set_name_fit_and_volume(tl, do):
    do(tl, SetClipProperties("a", name="Intro", fit="fit", volume=0.5))
    a = tl.find("a")[1]
    assert (a.name, a.fit, a.volume) == ("Intro", Fit.FIT, 0.5)
    assert spans(tl, "V1")[0] == ("a", 0, 100, 50)


def test_relink_a_clip_to_other_media(tl, do, refuse):
    do(tl, SetClipProperties("a", media="mute"))
    assert tl.find("a")[1].media_id() == "mute"
    refuse(tl, SetClipProperties("a", media="music"), "clip a cannot go on video track V1: music.wav has no picture")
    refuse(tl, SetClipProperties("a", media="take2"), r"source frames 50\.\.150 but its media has 60")
    refuse(tl, SetClipProperties("a", media="nope"), "refers to media 'nope', not in the pool")


def test_property_refusals(tl, refuse):
    refuse(tl, SetClipProperties("a", start=5), "start is not a property: use Move")
    refuse(tl, SetClipProperties("a", colour="red"), r"clip a has no property 'colour' to set \(it has name, fit")
    refuse(tl, SetClipProperties("a", spec=GenerationSpec("x")), "clip a has no property 'spec'")
    refuse(tl, SetClipProperties("a", volume=-1), "the volume of clip a must be a finite number of 0 or more")
    refuse(tl, SetClipProperties("a", volume=float("nan")), "must be a finite number")
    refuse(tl, SetClipProperties("a", fit="zoom"), "unknown fit 'zoom': use one of fill, fit, crop, stretch")
    refuse(tl, SetClipProperties("a", name=3), "a clip name is text")


def test_set_spec_of_a_generated_clip(tl, do):
    spec = GenerationSpec("a dog on a skateboard", seed=7)
    do(tl, SetClipProperties("g", spec=spec, label="Edit prompt"))
    assert tl.find("g")[1].spec == spec


def test_takes_come_and_go(tl, do):
    cmd = do(tl, AddTake("g", Take("take1", "h1")))
    assert cmd.label == "Add take"
    g = tl.find("g")[1]
    assert (g.takes, g.active_take, g.pending) == ((Take("take1", "h1"),), 0, False)
    do(tl, AddTake("g", Take("take2", "h2"), activate=False))
    assert tl.find("g")[1].active_take == 0
    assert do(tl, SetActiveTake("g", 1)).label == "Choose take"
    assert tl.find("g")[1].media_id() == "take2"
    do(tl, RemoveTake("g", 0))
    g = tl.find("g")[1]
    assert (g.takes, g.active_take) == ((Take("take2", "h2"),), 0)
    do(tl, RemoveTake("g", 0))
    assert tl.find("g")[1].pending
    assert tl.pending_segments() == [tl.find("g")[1]]


def test_choose_no_take(tl, do):
    do(tl, AddTake("g", Take("take1", "h1")))
    do(tl, SetActiveTake("g", None))
    assert tl.find("g")[1].pending


def test_take_refusals(tl, do, refuse):
    refuse(tl, AddTake("g", Take("nope", "h")), "a take of clip g refers to media 'nope', not in the pool")
    refuse(tl, AddTake("a", Take("take1", "h")), "clip a is not a generated clip: it has no takes")
    refuse(tl, AddTake("g", Take("music", "h")), "the active take of clip g .music.wav. has no picture")
    refuse(tl, SetActiveTake("g", 0), "clip g has 0 takes, no take 0")
    refuse(tl, RemoveTake("g", 0), "clip g has 0 takes, no take 0")
    do(tl, AddMedia(video("short", 30)))
    refuse(tl, AddTake("g", Take("short", "h")), r"clip g would play source frames 0\.\.60 but its media has 30")
    do(tl, AddTake("g", Take("short", "h"), activate=False))
    refuse(tl, SetActiveTake("g", 0), "but its media has 30")


def test_split_a_ready_generated_clip_keeps_source_in_in_step(tl, do):
    do(tl, AddTake("g", Take("take1", "h1")))
    do(tl, Split("g", 70, right_id="g2"))
    assert spans(tl, "V2") == [("g", 50, 70, 0), ("g2", 70, 110, 20)]
    assert tl.find("g2")[1].takes == tl.find("g")[1].takes

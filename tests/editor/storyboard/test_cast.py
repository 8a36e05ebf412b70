"""Which pictures of the cast a video model gets: the first frame for image-to-video, references for VACE,
words only (and a note saying so) for a text-only model or a chained shot."""

from __future__ import annotations

import pytest

from editor.model.story import CastMember
from editor.storyboard.cast import CastConditioning, cast_conditioning, members_named, names_member
from generation.models import get_model

ANA = CastMember("m1", "Ana", "/pics/ana.png", "a tall woman")
BO = CastMember("m2", "Bo", "/pics/bo.png", "a small dog")
CY = CastMember("m3", "Cy", "", "a grey cat")   # no picture: described in words, nothing to say about it


def test_an_image_to_video_model_starts_from_the_first_members_picture():
    got = cast_conditioning("tiny-wan", [ANA, CY], chained=False)
    assert got == CastConditioning(first_image="/pics/ana.png")


def test_only_the_first_picture_can_start_a_shot():
    got = cast_conditioning("tiny-wan", [ANA, BO], chained=False)
    assert got.first_image == "/pics/ana.png" and got.reference_images == ()
    assert got.notes == ["only Ana's picture starts the shot: Bo is described in words only"]


def test_vace_keeps_every_pictured_member_as_a_reference():
    for chained in (False, True):
        got = cast_conditioning("tiny-wan-vace", [ANA, CY, BO], chained=chained)
        assert got == CastConditioning(reference_images=("/pics/ana.png", "/pics/bo.png"))


def test_a_text_only_model_gets_a_note():
    got = cast_conditioning("tiny-wan-a14b", [ANA], chained=False)
    assert got == CastConditioning(notes=["tiny-wan-a14b cannot take a picture: Ana is described in words only"])
    both = cast_conditioning("wan2.1-t2v-1.3b", [ANA, BO], chained=False)
    assert both.notes == ["wan2.1-t2v-1.3b cannot take a picture: Ana and Bo are described in words only"]


def test_a_first_and_last_frame_model_cannot_start_from_one_picture():
    got = cast_conditioning("tiny-wan-flf", [ANA], chained=False)
    assert got.first_image is None and got.notes[0].startswith("tiny-wan-flf cannot take a picture")


def test_a_chained_shot_already_has_its_first_frame():
    got = cast_conditioning("tiny-wan", [ANA], chained=True)
    assert got.first_image is None
    assert got.notes == ["tiny-wan starts this shot from the previous one: Ana is described in words only"]


def test_the_default_model_and_model_infos_are_accepted_and_unknown_ids_refused():
    assert cast_conditioning("", [ANA], chained=False).notes   # the registry default reads text only
    assert cast_conditioning(get_model("tiny-wan"), [ANA], chained=False).first_image == "/pics/ana.png"
    assert cast_conditioning("tiny-wan", [], chained=False) == CastConditioning()
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        cast_conditioning("nope", [ANA], chained=False)


def test_members_are_named_by_whole_words_in_any_case():
    assert names_member("ANA's coat is red", "Ana")
    assert not names_member("a banana", "Ana")
    assert names_member("Old  Tom waves", "old tom")
    assert [m.name for m in members_named([ANA, BO, CY], "Bo runs to ana", "")] == ["Bo", "Ana"]
    assert [m.name for m in members_named([ANA, BO], "a wide shot", "Ana laughs")] == ["Ana"]

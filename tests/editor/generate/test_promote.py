"""Profiles on the live shot queue: a new shot records its profile; Promote to Final re-runs a draft take's seed,
prompt and conditioning with the final recipe as a new take that the clip plays (one undo step)."""

from __future__ import annotations

from fractions import Fraction

from shot_support import Doc

from editor.generate.places import places_for
from editor.generate.shots import ShotOptions
from editor.media.probe import media_source_from_info, probe
from editor.model import MediaClip, Settings, Timeline
from generation.models import get_model
from generation.profiles import recipe

SMALL = Settings(width=90, height=160, fps=Fraction(30))


def test_a_draft_take_is_promoted_to_final_with_the_same_seed_prompt_and_frames(colours, tmp_path):
    tl = Timeline.empty(SMALL)
    tl.media["red"] = media_source_from_info(probe(colours["red"]), "red")
    tl.video_tracks[0].add(MediaClip("r", 0, 15, media="red"))
    doc = Doc(tl, places_for(tmp_path / "cut.promptcut").make())
    try:
        clip = doc.queue.create(tl.video_tracks[0].id, 15, 12, ShotOptions("a red fox", land_on_next=False))
        assert clip is not None and clip.spec.profile == "draft"      # tiny-wan's default: it has a draft LoRA
        draft = recipe(get_model("tiny-wan"), "draft")
        assert (clip.spec.steps, clip.spec.guidance) == (draft.steps, draft.guidance) == (4, 1.0)
        doc.run_until(lambda: doc.queue.status_by_id(clip.id).state == "ready")
        status = doc.queue.status_by_id(clip.id)
        assert status.profile == "draft" and status.can_promote
        g = tl.find(clip.id)[1]
        steps_before = len(doc.history.undo_stack)
        assert doc.queue.promote(clip.id)
        doc.run_until(lambda: len(tl.find(clip.id)[1].takes) == 2)
        g2 = tl.find(clip.id)[1]
        final = recipe(get_model("tiny-wan"), "final")
        assert g2.active_take == 1                                     # the clip plays the final take
        assert (g2.spec.profile, g2.spec.seed, g2.spec.prompt, g2.spec.first_image) == (
            "final", g.spec.seed, g.spec.prompt, g.spec.first_image)
        assert (g2.spec.steps, g2.spec.guidance) == (final.steps, final.guidance)   # not the draft's 4 at CFG 1
        assert g2.takes[1].spec == g2.spec and g2.takes[0].spec.profile == "draft"
        assert len(doc.history.undo_stack) == steps_before + 1
        status = doc.queue.status_by_id(clip.id)
        assert status.state == "ready" and status.profile == "final" and not status.can_promote
        assert not doc.queue.promote(clip.id) and "draft" in doc.queue.notices[-1]
        doc.history.undo()                                             # back to the draft in one step
        assert tl.find(clip.id)[1].active_take == 0 and tl.find(clip.id)[1].spec.profile == "draft"
    finally:
        doc.queue.close()


def test_the_profile_asked_for_is_recorded(colours, tmp_path):
    tl = Timeline.empty(SMALL)
    doc = Doc(tl, places_for(tmp_path / "cut.promptcut").make())
    try:
        clip = doc.queue.create(tl.video_tracks[0].id, 0, 8, ShotOptions("rain", profile="standard"))
        assert clip is not None and clip.spec.profile == "standard" and clip.spec.steps == get_model(
            "tiny-wan").default_steps
        doc.queue.cancel(clip.id)
    finally:
        doc.queue.close()

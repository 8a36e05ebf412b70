"""The compositor's own rules: placeholders, offline slates, hidden tracks, exact trims, decoder reuse."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from render_support import place_clip, timeline

from editor.model import GeneratedClip, GenerationSpec, Settings
from editor.render.compositor import CARD_BG, Compositor, offline_slate, placeholder_card


def test_pending_generated_segment_shows_placeholder_card(media):
    tl = timeline()
    tl.video_tracks[0].clips.append(GeneratedClip(id="g1", start=0, duration=10, spec=GenerationSpec("a red fox")))
    frame = Compositor(tl).frame(3, 180, 320)
    assert frame.shape == (320, 180, 3) and frame.dtype == np.uint8
    assert np.array_equal(frame, placeholder_card("a red fox", 180, 320))
    assert frame.std() > 0      # text is drawn on the card


def test_offline_media_shows_slate(media, tmp_path):
    tl = timeline()
    clip = place_clip(tl, 0, media["red"], 0, 10)
    mid = clip.media_id()
    tl.media[mid] = type(tl.media[mid])(**{**tl.media[mid].__dict__, "path": str(tmp_path / "gone.mp4")})
    frame = Compositor(tl).frame(0, 180, 320)
    assert np.array_equal(frame, offline_slate(str(tmp_path / "gone.mp4"), 180, 320))


def test_hidden_track_is_not_drawn(media):
    tl = timeline(video_tracks=2)
    place_clip(tl, 0, media["red"], 0, 10)
    place_clip(tl, 1, media["blue"], 0, 10)
    comp = Compositor(tl)
    assert comp.frame(2, 90, 160)[80, 45, 2] > 200
    tl.video_tracks[1].hidden = True
    assert comp.frame(2, 90, 160)[80, 45, 0] > 200


def test_gap_is_black(media):
    tl = timeline()
    place_clip(tl, 0, media["red"], 10, 5)
    assert not Compositor(tl).frame(3, 90, 160).any()


def test_exact_source_trims(media):
    """Frame j of a clip shows source frame source_in + j (luma 16 + 3n, full-range RGB 3n * 255 / 219)."""
    tl = timeline(Settings(width=160, height=90, fps=Fraction(30)))
    place_clip(tl, 0, media["indexed"], 0, 10, source_in=7)
    place_clip(tl, 0, media["indexed"], 10, 12, source_in=41)
    place_clip(tl, 0, media["indexed"], 22, 5, source_in=0)
    comp = Compositor(tl)
    got = [round(comp.frame(i, 160, 90).mean() * 219 / 765) for i in range(27)]
    assert got == [*range(7, 17), *range(41, 53), *range(0, 5)]
    # Sequential playback decoded on: one open, a seek per jump only.
    assert comp.decoders.opens == 1
    assert next(iter(comp.decoders._decoders.values())).seeks <= 3
    # Stepping backwards still lands exactly.
    assert round(comp.frame(5, 160, 90).mean() * 219 / 765) == 12


def test_a_long_failure_on_the_card_wraps_at_a_readable_size():
    """A failure's reason is long: it wraps onto more lines at the text's size instead of shrinking to a
    line of dots."""
    def ink_rows(card) -> int:
        return int((np.abs(card.astype(int) - CARD_BG).sum(axis=2) > 150)[10:-10, 10:-10].any(axis=1).sum())

    short = placeholder_card("a kite", 540, 960, title="Failed")
    long = placeholder_card("a kite", 540, 960, title="Failed: the model could not run: CUDA out of memory "
                                                       "while denoising step 3 of 12")
    assert ink_rows(long) >= ink_rows(short) + 2 * 30, "the long title takes lines of its own"

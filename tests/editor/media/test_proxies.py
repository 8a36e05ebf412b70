"""Proxies: all-intra, upright, small, with the original's timestamps; made only for media that need them."""

from __future__ import annotations

import threading

import av
import pytest

from editor.media import synth
from editor.media.info import MediaError
from editor.media.probe import probe
from editor.media.proxies import existing_proxy, make_proxy, proxy_reason


def frames(path) -> list[tuple[float, bool, int, int]]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        start = (c.start_time or 0) / 1e6
        return [(round(float(f.pts * s.time_base) - start, 4), f.key_frame, f.width, f.height) for f in c.decode(s)]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    d = tmp_path_factory.mktemp("proxy-media")
    long_gop = d / "phone.mp4"
    synth._run(["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=30:d=3", *synth._x264(gop=60),
                "-keyint_min", "60", "-sc_threshold", "0", str(long_gop)])
    return {"vfr": synth.vfr_clip(d / "vfr.mp4", seconds=3.0), "rot": synth.rotated_clip(d / "rot.mp4", 1.0),
            "long_gop": long_gop, "small": synth.color_clip(d / "small.mp4", "red", 1.0, size=(320, 180)),
            "hevc": synth.hdr_clip(d / "hevc.mp4", 1.0)}


def test_a_proxy_keeps_every_frame_time_and_is_all_intra_and_upright(sources):
    for name in ("vfr", "rot"):
        info = probe(sources[name])
        proxy = make_proxy(info)
        ours, theirs = frames(proxy), frames(sources[name])
        assert [t for t, *_ in ours] == [t for t, *_ in theirs], f"{name}: timestamps differ"
        assert all(key for _, key, _, _ in ours), f"{name}: not every frame is a keyframe"
        assert (ours[0][2], ours[0][3]) == (info.display_width, info.display_height)
        assert probe(proxy).rotation == 0
        assert existing_proxy(sources[name]) == proxy


def test_heavy_media_are_told_apart(sources):
    assert proxy_reason(probe(sources["small"])) is None
    assert proxy_reason(probe(sources["long_gop"])) == "long GOP (60 frames)"
    assert proxy_reason(probe(sources["hevc"])) in ("HEVC", "10-bit")


def test_a_cancelled_proxy_leaves_nothing(sources):
    cancel = threading.Event()
    cancel.set()
    info = probe(sources["long_gop"])
    with pytest.raises(MediaError, match="cancelled"):
        make_proxy(info, cancel=cancel)
    assert existing_proxy(sources["long_gop"]) is None
    leftovers = list(make_proxy.__globals__["cache_root"]("proxies").glob("*.partial.mp4"))
    assert leftovers == []

"""Which models the wizard offers on a few GPUs (sizes as nvidia-smi reports them, in MiB) and on none."""

from __future__ import annotations

import pytest

from editor.gpus import Gpu
from editor.setup.index import IndexEntry, IndexFile
from editor.setup.recommend import CPU_REASON, recommend
from generation.models import DEFAULT_MODEL_ID, list_models
from generation.profiles import default_profile

ENTRIES = [IndexEntry(m, (IndexFile("model_index.json", 100, None, "file:///nowhere/model_index.json"),))
           for m in list_models()]


def gpu(mib: int) -> list[Gpu]:
    return [Gpu(f"Test GPU {mib} MiB", mib * 2**20)]


def by_id(recs):
    return {r.entry.model.id: r for r in recs}


def test_without_a_gpu_only_test_models_fit():
    recs = recommend(ENTRIES, [])
    assert len(recs) == len(ENTRIES)
    real = [r for r in recs if not r.entry.model.is_test_model]
    assert real and not any(r.fits for r in real) and {r.reason for r in real} == {CPU_REASON}
    tests = [r for r in recs if r.entry.model.is_test_model]
    assert all(r.fits for r in tests) and recs[-len(tests):] == tests      # test models last
    assert [r.entry.model.id for r in recs if r.recommended] == [tests[0].entry.model.id]


@pytest.mark.parametrize("mib", [8192, 16384, 24564, 81559])
def test_order_fit_and_profiles(mib):
    recs = recommend(ENTRIES, gpu(mib))
    tiers = [r.tier for r in recs]
    assert tiers == sorted(tiers)
    have_gb = mib * 2**20 / 1e9
    for r in recs:
        vram = r.entry.model.vram
        if r.entry.model.is_test_model:
            assert r.fits and not r.recommended
        elif have_gb >= vram.comfortable_gb:
            assert r.fits and r.profile == default_profile(r.entry.model) and "comfortably" in r.reason
        elif have_gb >= vram.minimum_gb:
            assert r.fits and r.profile == "draft" and "memory levers" in r.reason
        else:
            assert not r.fits and f"needs {vram.minimum_gb:g} GB" in r.reason
    picked = [r for r in recs if r.recommended]
    assert 1 <= len(picked) <= 2 and picked[0] is recs[0] and all(r.fits for r in picked)


def test_eight_gb_recommends_the_small_default_as_a_draft():
    recs = by_id(recommend(ENTRIES, gpu(8192)))
    default = recs[DEFAULT_MODEL_ID]
    assert default.fits and default.recommended and default.profile == "draft"
    assert not recs["cogvideox-2b"].fits
    assert recs["cogvideox-2b"].reason == "needs 12.5 GB; this GPU has 8 GB"


def test_sixteen_gb_fits_only_with_the_levers():
    recs = recommend(ENTRIES, gpu(16384))
    assert not any(r.tier == 0 for r in recs)
    assert recs[0].entry.model.id == DEFAULT_MODEL_ID and recs[0].profile == "draft"
    assert by_id(recs)["wan2.2-t2v-a14b"].fits


def test_twenty_four_gb_runs_the_small_models_comfortably():
    recs = by_id(recommend(ENTRIES, gpu(24564)))
    assert recs[DEFAULT_MODEL_ID].tier == 0 and recs[DEFAULT_MODEL_ID].recommended
    assert "24 GB" in recs[DEFAULT_MODEL_ID].reason
    assert recs["wan2.2-t2v-a14b"].tier == 1


def test_eighty_gb_puts_a_big_model_first_and_keeps_the_default_beside_it():
    recs = recommend(ENTRIES, gpu(81559))
    best = recs[0]
    assert best.tier == 0 and best.entry.model.vram.comfortable_gb == 80
    assert [r.entry.model.id for r in recs if r.recommended] == [best.entry.model.id, DEFAULT_MODEL_ID]


def test_the_largest_of_several_gpus_counts():
    small, big = gpu(8192)[0], gpu(81559)[0]
    assert recommend(ENTRIES, [small, big])[0] == recommend(ENTRIES, [big])[0]

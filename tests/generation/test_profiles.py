"""Speed profiles through the real backend on the CPU: a Draft loads a tiny random step-distillation LoRA with the
pipeline's own ``load_lora_weights`` and runs its recipe's steps at CFG 1; a Final on the same warm pipeline is
exactly a fresh Final; Standard attaches First Block Cache only where it pays. Plus the CUDA lever choices, made
by pure functions, checked with the facts of an H100, a consumer card and a CPU."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from generation.backends.diffusers_backend import DiffusersBackend, plan_shot
from generation.backends.lora import ADAPTER, adapter_active, find_lora, has_adapter
from generation.backends.memory import choose_plan
from generation.backends.settings import BackendSettings
from generation.backends.speed import DeviceFacts, choose_attention, choose_compile, state_of
from generation.errors import GenerationError
from generation.jobs import JobSpec
from generation.model_types import FastVariant
from generation.models import get_model
from generation.profiles import draft_lora, recipe, recipe_document
from generation.request import GenerationRequest, Progress

TINY_LORA = FastVariant(
    name="Tiny LightX2V (test)",
    kind="step_distill_lora",
    repo="promptcut-test/tiny-wan-lightx2v",
    steps=4,
    guidance=1.0,
    weight_name="tiny_wan_lightx2v.safetensors",
)
GB = 1024**3


def tiny_wan_with_lora():
    """tiny-wan as the registry has it, with its test LoRA (added here if the registry does not name it yet)."""
    model = get_model("tiny-wan")
    if draft_lora(model) is None:
        model = dataclasses.replace(model, fast_variants=(*model.fast_variants, TINY_LORA))
    return model


@pytest.fixture
def fresh_backend(models_root, hermetic_env):
    settings = BackendSettings(
        device="cpu", max_loaded=1, models_root=models_root, hf_cache_dir=hermetic_env["HF_HUB_CACHE"]
    )
    b = DiffusersBackend(settings)
    yield b
    b.close()


def run(backend, model, profile, *, seed=11, steps=None, guidance=None, events=None):
    cooked = recipe(model, profile)
    request = GenerationRequest(
        model=model.id,
        prompt="a lighthouse in a storm",
        seed=seed,
        width=64,
        height=64,
        num_frames=9,
        steps=cooked.steps if steps is None else steps,  # as the planner fills them (generation.plan)
        guidance=cooked.guidance if guidance is None else guidance,
        profile=profile,
    )
    progress = None if events is None else events.append
    return backend.generate_window(model, request, plan_shot(model, request), progress=progress)


def denoising(events: list[Progress]) -> list[Progress]:
    return [e for e in events if e.phase == "denoising"]


# -- Draft ------------------------------------------------------------------------------------------------------


def test_draft_runs_the_lora_recipe_at_cfg_1_and_final_leaves_no_trace(fresh_backend, models_root, monkeypatch):
    from diffusers import WanPipeline

    model = tiny_wan_with_lora()
    cooked = recipe(model, "draft")
    assert cooked.lora is not None and cooked.guidance == 1.0
    assert cooked.steps != model.default_steps  # the step count comes from the recipe, not the model's default

    calls = []
    real = WanPipeline.load_lora_weights

    def spy(self, *args, **kwargs):
        calls.append(kwargs.get("adapter_name"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WanPipeline, "load_lora_weights", spy)

    events: list[Progress] = []
    draft = run(fresh_backend, model, "draft", events=events)
    steps = denoising(events)
    assert [e.step for e in steps] == list(range(1, cooked.steps + 1))
    assert steps[-1].total == cooked.steps
    loaded = fresh_backend.load(model)
    pipe = loaded.base
    assert pipe._guidance_scale == 1.0 and not pipe.do_classifier_free_guidance
    assert calls == [ADAPTER]  # through load_lora_weights, as a named adapter
    assert has_adapter(pipe) and adapter_active(pipe)
    assert (Path(models_root) / "loras" / "tiny-wan-lightx2v" / TINY_LORA.weight_name).is_file()  # built on first use
    assert draft.profile == "draft" and any("LoRA" in n for n in draft.notes)

    # The same seed, steps and CFG without the LoRA (a Final with the draft's numbers) is another picture.
    plain = run(fresh_backend, model, "final", steps=cooked.steps, guidance=1.0)
    assert not adapter_active(pipe) and has_adapter(pipe)  # off, still loaded for the next draft
    assert np.abs(draft.frames.astype(int) - plain.frames.astype(int)).max() > 8

    # A second draft reuses the loaded adapter (no second load) and repeats the first exactly.
    again = run(fresh_backend, model, "draft")
    assert calls == [ADAPTER] and np.array_equal(again.frames, draft.frames)

    # Final on the warm pipeline that just drafted equals Final on a fresh backend: no LoRA, no cache left over.
    warm_final = run(fresh_backend, model, "final")
    fresh_backend.close()
    other = DiffusersBackend(fresh_backend.settings)
    try:
        cold_final = run(other, get_model("tiny-wan"), "final")
        assert not has_adapter(other.load("tiny-wan").base)
    finally:
        other.close()
    assert np.array_equal(warm_final.frames, cold_final.frames)
    assert warm_final.steps == model.default_steps and warm_final.guidance == model.default_guidance


def test_two_expert_draft_loads_the_lora_into_both(fresh_backend, monkeypatch):
    from diffusers import WanPipeline

    model = get_model("tiny-wan-a14b")
    cooked = recipe(model, "draft")
    assert cooked.lora is not None and cooked.lora.both_transformers
    into_second = []
    real = WanPipeline.load_lora_weights

    def spy(self, *args, **kwargs):
        into_second.append(kwargs.get("load_into_transformer_2", False))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WanPipeline, "load_lora_weights", spy)
    events: list[Progress] = []
    draft = run(fresh_backend, model, "draft", events=events)
    assert len(denoising(events)) == cooked.steps
    pipe = fresh_backend.load(model).base
    assert sorted(into_second) == [False, True]
    for expert in (pipe.transformer, pipe.transformer_2):
        assert ADAPTER in expert.peft_config
    assert pipe._guidance_scale == 1.0 and pipe._guidance_scale_2 == 1.0  # no CFG in either expert
    warm_final = run(fresh_backend, model, "final")
    assert not adapter_active(pipe)
    fresh_backend.close()
    other = DiffusersBackend(fresh_backend.settings)
    try:
        assert np.array_equal(warm_final.frames, run(other, model, "final").frames)
    finally:
        other.close()
    assert not np.array_equal(draft.frames, warm_final.frames)


def test_lora_under_fp8_storage_computes_in_full_precision(models_root):
    """fp8 layerwise storage (a CUDA memory lever, exercised here on the CPU) gives new LoRA layers fp8 weights,
    which cannot multiply: the loader puts them back in the compute dtype from the file's own values."""
    import torch
    from safetensors.torch import load_file

    from generation.backends.lora import load_adapter
    from generation.backends.memory import apply_fp8_storage
    from generation.testing.tiny import build_test_pipeline

    model = get_model("tiny-wan")
    variant = draft_lora(model)
    path = find_lora(variant)
    pipe = build_test_pipeline("tiny-wan")
    apply_fp8_storage(pipe)
    assert pipe.transformer.blocks[0].attn1.to_q.weight.dtype == torch.float8_e4m3fn
    load_adapter(pipe, variant, path)
    layer = pipe.transformer.blocks[0].attn1.to_q
    a = layer.lora_A[ADAPTER].weight
    assert a.dtype == torch.float32
    assert torch.equal(a, load_file(str(path))["transformer.blocks.0.attn1.to_q.lora_A.weight"])
    out = pipe(
        prompt="a lighthouse",
        num_inference_steps=2,
        guidance_scale=1.0,
        height=64,
        width=64,
        num_frames=9,
        max_sequence_length=16,
        generator=torch.Generator().manual_seed(0),
        output_type="np",
    ).frames[0]
    assert np.isfinite(out).all()


def test_missing_lora_is_one_line_model_missing(fresh_backend, tmp_path, hf_cache):
    absent = FastVariant(
        name="Absent",
        kind="step_distill_lora",
        repo="someone/absent-distill-lora",
        steps=4,
        guidance=1.0,
        weight_name="absent_4step.safetensors",
    )
    with pytest.raises(GenerationError) as info:
        find_lora(absent, models_root=tmp_path, hf_cache_dir=hf_cache)
    err = info.value
    assert err.kind == "model_missing" and "\n" not in err.message
    assert "someone/absent-distill-lora" in err.message and "absent_4step.safetensors" in err.message
    assert str(tmp_path / "loras") in err.message and "hf download" in err.hint
    assert not (tmp_path / "loras").exists()  # looked, never downloaded or created anything

    # Through the backend: the draft fails with the same one-line error, and the backend stays usable.
    model = dataclasses.replace(get_model("tiny-wan"), fast_variants=(absent,))
    with pytest.raises(GenerationError) as info:
        run(fresh_backend, model, "draft")
    assert info.value.kind == "model_missing" and "absent_4step.safetensors" in info.value.message
    assert run(fresh_backend, get_model("tiny-wan"), "final").num_frames == 9


# -- Standard ---------------------------------------------------------------------------------------------------


def test_standard_caches_only_many_step_models_and_resets_between_calls(fresh_backend):
    from diffusers.hooks import FirstBlockCacheConfig

    few = get_model("tiny-wan")
    assert few.few_step and recipe(few, "standard").cache is None
    many = dataclasses.replace(few, default_steps=20)  # the tiny layout with a full, many-step recipe
    assert recipe(many, "standard").cache == "first_block"

    loaded = fresh_backend.load(few)
    transformer = loaded.base.transformer
    first = run(fresh_backend, many, "standard", steps=4)
    assert isinstance(transformer._cache_config, FirstBlockCacheConfig)
    assert state_of(loaded).cache == "first_block" and any("First Block Cache" in n for n in first.notes)
    second = run(fresh_backend, many, "standard", steps=4)
    assert np.array_equal(first.frames, second.frames)  # no cache state carried from the first call

    run(fresh_backend, few, "standard", steps=4)
    assert transformer._cache_config is None  # never on a few-step model
    run(fresh_backend, many, "standard", steps=4)
    final = run(fresh_backend, many, "final", steps=4)
    assert transformer._cache_config is None and state_of(loaded).cache is None
    assert not any("Cache" in n for n in final.notes)


# -- Promote ----------------------------------------------------------------------------------------------------


def test_promote_keeps_seed_and_prompt_and_is_another_job():
    model = get_model("tiny-wan")
    d, f = recipe(model, "draft"), recipe(model, "final")
    base = dict(
        model="tiny-wan",
        prompt="a lighthouse in a storm",
        negative_prompt="",
        seed=1234,
        width=64,
        height=64,
        num_frames=9,
    )
    draft = JobSpec(**base, steps=d.steps, guidance=d.guidance, profile="draft")
    final = dataclasses.replace(draft, profile="final", steps=f.steps, guidance=f.guidance)
    assert (final.seed, final.prompt) == (draft.seed, draft.prompt)
    assert draft.content_hash() != final.content_hash()
    assert "recipe" not in final.hash_document()  # a Final hashes as every job did before profiles
    assert draft.hash_document()["recipe"] == recipe_document("tiny-wan", "draft")


def test_a_drafts_hash_names_its_lora():
    doc = recipe(tiny_wan_with_lora(), "draft").document()
    assert doc["lora"] == {"repo": TINY_LORA.repo, "weight_name": TINY_LORA.weight_name, "scale": 1.0}
    other = dataclasses.replace(TINY_LORA, weight_name="another.safetensors")
    model = dataclasses.replace(get_model("tiny-wan"), fast_variants=(other,))
    assert recipe(model, "draft").document() != doc  # another LoRA, another take
    if draft_lora(get_model("tiny-wan")) is not None:  # the registry's own entry, once it names the LoRA
        assert recipe_document("tiny-wan", "draft")["lora"]["repo"] == TINY_LORA.repo


# -- CUDA levers, decided on facts ------------------------------------------------------------------------------

H100 = DeviceFacts("cuda", (9, 0), "NVIDIA H100 80GB HBM3", has_kernels=True)
H100_BARE = DeviceFacts("cuda", (9, 0), "NVIDIA H100 80GB HBM3")
RTX4090_SAGE = DeviceFacts("cuda", (8, 9), "NVIDIA GeForce RTX 4090", has_kernels=True, has_sage=True)
RTX4090 = DeviceFacts("cuda", (8, 9), "NVIDIA GeForce RTX 4090")
CPU = DeviceFacts("cpu")


def test_attention_backend_choice():
    assert choose_attention("auto", H100)[0] == "_flash_3_hub"
    assert choose_attention("auto", H100_BARE)[0] == "native" and "kernels" in choose_attention("auto", H100_BARE)[1]
    assert choose_attention("auto", RTX4090_SAGE)[0] == "sage"  # FlashAttention 3 is Hopper-only
    assert choose_attention("auto", RTX4090)[0] == "native"
    assert choose_attention("auto", CPU)[0] == "native"
    assert choose_attention("native", H100)[0] == "native"
    assert choose_attention("flash3", RTX4090_SAGE)[0] == "native"  # asked for, cannot: says why
    assert "sm90" in choose_attention("flash3", RTX4090_SAGE)[1]
    assert choose_attention("sage", RTX4090_SAGE)[0] == "sage" and choose_attention("sage", H100)[0] == "native"
    assert choose_attention("flash3", CPU)[0] == "native"  # never on a CPU


def test_compile_choice():
    assert choose_compile("auto", H100, 1.3, "none", True)[0]
    assert choose_compile("auto", H100, 14.0, "model", True)[0]
    assert not choose_compile("auto", H100, 0.0, "none", True)[0]  # a tiny model: warm-up would not pay
    assert not choose_compile("auto", H100, None, "none", True)[0]
    assert not choose_compile("auto", RTX4090, 14.0, "group", True)[0]  # streamed layers
    assert not choose_compile("on", CPU, 14.0, "none", True)[0]  # never on a CPU
    assert not choose_compile("off", H100, 14.0, "none", True)[0]
    assert choose_compile("on", H100, 0.0, "none", True)[0]
    assert not choose_compile("on", H100, 14.0, "none", False)[0]  # nothing to compile regionally


def test_fp8_storage_from_free_vram():
    wan13 = get_model("wan2.1-t2v-1.3b")  # 8.2 GB minimum, 24 GB comfortable
    big = dataclasses.replace(wan13, params_b=14.0, vram=dataclasses.replace(wan13.vram, comfortable_gb=40.0))

    def plan(model, free_gb, **settings):
        return choose_plan(model, "cuda", BackendSettings(**settings), int(free_gb * GB), int(80 * GB))

    roomy = plan(big, 70)  # an H100 with the model's comfortable memory free: nothing to pull
    assert (roomy.offload, roomy.fp8) == ("none", False)
    fits_in_fp8 = plan(big, 30)  # 40 GB comfortable - 14 GB saved by fp8 = 26 GB: stays on the GPU
    assert (fits_in_fp8.offload, fits_in_fp8.fp8) == ("none", True) and "fp8" in fits_in_fp8.reason
    consumer = plan(big, 25)  # fp8 alone is not enough: model offload
    assert consumer.offload == "model" and not consumer.fp8
    tight = plan(big, 6)  # below the advised minimum: every lever
    assert (tight.offload, tight.fp8) == ("group", True)
    assert not plan(big, 30, fp8=False).fp8 and plan(big, 70, fp8=True).fp8  # the settings decide when set
    assert not choose_plan(big, "cpu", BackendSettings(fp8=True)).fp8  # never on a CPU


def test_speed_settings_from_env():
    s = BackendSettings.from_env({"PROMPTCUT_COMPILE": "Off", "PROMPTCUT_ATTENTION": "sage", "PROMPTCUT_FP8": "on"})
    assert (s.compile, s.attention, s.fp8) == ("off", "sage", True)
    assert BackendSettings.from_env({"PROMPTCUT_FP8": "auto"}).fp8 is None
    with pytest.raises(ValueError):
        BackendSettings.from_env({"PROMPTCUT_ATTENTION": "fastest"})
    with pytest.raises(ValueError):
        BackendSettings.from_env({"PROMPTCUT_COMPILE": "maybe"})


def test_a_two_file_lora_loads_each_expert_from_its_own_file(models_root, tmp_path):
    """Wan 2.2 Lightning ships a HIGH file for the high-noise expert and a LOW one for the low-noise expert."""
    import torch
    from safetensors.torch import load_file, save_file

    from generation.backends.lora import load_adapter
    from generation.testing import build_test_pipeline

    variant = dataclasses.replace(draft_lora(get_model("tiny-wan-a14b")), weight_name_2="tiny_low.safetensors")
    high = find_lora(variant, models_root=models_root)
    low_state = {k: (v * 3 if "lora_B" in k else v) for k, v in load_file(high).items()}
    save_file(low_state, str(high.parent / "tiny_low.safetensors"))
    low = find_lora(variant, models_root=models_root, second=True)
    assert low.name == "tiny_low.safetensors"
    pipe = build_test_pipeline("tiny-wan-a14b")
    load_adapter(pipe, variant, high, low)

    def lora_b(module):
        return {n: p.detach().clone() for n, p in module.named_parameters() if "lora_B" in n}

    first, second = lora_b(pipe.transformer), lora_b(pipe.transformer_2)
    assert first and first.keys() == second.keys()
    for name, weights in first.items():
        assert torch.allclose(second[name], weights * 3)

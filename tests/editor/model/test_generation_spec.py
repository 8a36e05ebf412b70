"""A generation spec is plain data that survives serialisation and hashes by content."""

from editor.model import GenerationSpec


def test_an_empty_prompt_round_trips() -> None:
    spec = GenerationSpec(prompt="")
    assert GenerationSpec.from_dict(spec.to_dict()) == spec


def test_a_full_spec_round_trips_and_hashes_by_content() -> None:
    spec = GenerationSpec(prompt="a red fox in snow", negative_prompt="blur", model="wan2.1-t2v-1.3b", seed=7,
                          steps=30, guidance=5.0, width=480, height=832)
    again = GenerationSpec.from_dict(spec.to_dict())
    assert again == spec
    assert again.content_hash() == spec.content_hash()
    assert GenerationSpec.from_dict({**spec.to_dict(), "seed": 8}).content_hash() != spec.content_hash()


def test_a_seed_or_guidance_of_zero_is_set_and_unset_new_fields_stay_out_of_the_hash() -> None:
    spec = GenerationSpec("a kite", seed=0, guidance=0.0)
    assert spec.to_dict() == {"prompt": "a kite", "seed": 0, "guidance": 0.0}
    assert GenerationSpec.from_dict(spec.to_dict()) == spec
    assert spec.content_hash() != GenerationSpec("a kite", guidance=0.0).content_hash()
    drafted = GenerationSpec("a kite", seed=0, guidance=0.0, profile="draft", match_colors=True,
                             reference_images=("/img/hero.png",))
    assert drafted.to_dict() == {"prompt": "a kite", "seed": 0, "guidance": 0.0, "profile": "draft",
                                 "match_colors": True, "reference_images": ["/img/hero.png"]}
    assert GenerationSpec.from_dict(drafted.to_dict()) == drafted

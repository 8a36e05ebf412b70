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

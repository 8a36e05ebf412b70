"""How a shot shows its cast: which pictures go to the video model, and what is said when none can.

A model that starts from a picture (image-to-video) takes the first named member's picture as the shot's first
frame; one that keeps characters from reference pictures (Wan VACE) takes every member's picture as a
reference; a model that only reads text gets the members' descriptions in the prompt and a note on the card.
A chained shot (the storyboard's ``chain``: each shot starts where the previous one ended) already has its
first frame, so the cast goes in as references when the model takes them, else in words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from editor.model.story import CastMember
from generation.models import DEFAULT_MODEL_ID, Ability, ModelInfo, get_model


@dataclass(frozen=True)
class CastConditioning:
    first_image: str | None = None
    reference_images: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def resolve_model(model_id: str | ModelInfo) -> ModelInfo:
    """The registry entry for a storyboard's model; "" is the registry's default model. ValueError (one line)
    for an unknown id."""
    if isinstance(model_id, ModelInfo):
        return model_id
    try:
        return get_model(model_id or DEFAULT_MODEL_ID)
    except KeyError as exc:
        raise ValueError(str(exc)) from None


def takes_first_image(model: ModelInfo) -> bool:
    """Whether the model can start a shot from a given picture (what ``generation.plan`` will use)."""
    return model.can(Ability.IMAGE_TO_VIDEO) or model.can(Ability.KEYFRAMES)


def cast_conditioning(model_id: str | ModelInfo, members: Sequence[CastMember], *,
                      chained: bool) -> CastConditioning:
    """The pictures a shot showing ``members`` (in order of importance) gives the model, and notes for the
    members it can only describe in words."""
    model = resolve_model(model_id)
    pictured = [m for m in members if m.image]
    if not pictured:
        return CastConditioning()
    if model.can(Ability.REFERENCE_IMAGES):
        return CastConditioning(reference_images=tuple(_unique(m.image for m in pictured)))
    if takes_first_image(model) and not chained:
        first, rest = pictured[0], pictured[1:]
        notes = [f"only {first.name}'s picture starts the shot: {_names(rest)} {_be(rest)} described in words only"
                 ] if rest else []
        return CastConditioning(first_image=first.image, notes=notes)
    if takes_first_image(model):
        return CastConditioning(notes=[f"{model.id} starts this shot from the previous one: {_names(pictured)} "
                                       f"{_be(pictured)} described in words only"])
    return CastConditioning(notes=[f"{model.id} cannot take a picture: {_names(pictured)} {_be(pictured)} "
                                   "described in words only"])


def names_member(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a whole word (case-insensitive): "Ana's" does, "Banana" does not."""
    pattern = _pattern(name)
    return pattern is not None and pattern.search(text) is not None


def members_named(cast: Iterable[CastMember], *texts: str) -> list[CastMember]:
    """The members the texts name, in the order they first appear in them."""
    found: list[tuple[int, int, CastMember]] = []
    for order, m in enumerate(cast):
        pattern = _pattern(m.name)
        if pattern is None:
            continue
        for i, text in enumerate(texts):
            hit = pattern.search(text or "")
            if hit:
                found.append((i * 1_000_000 + hit.start(), order, m))
                break
    return [m for _, _, m in sorted(found, key=lambda x: (x[0], x[1]))]


def _pattern(name: str) -> re.Pattern[str] | None:
    parts = name.split()
    if not parts:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(p) for p in parts) + r"(?!\w)", re.IGNORECASE)


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _names(members: Sequence[CastMember]) -> str:
    names = [m.name for m in members]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _be(members: Sequence[CastMember]) -> str:
    return "is" if len(members) == 1 else "are"

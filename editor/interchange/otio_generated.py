"""Generated shots in OpenTimelineIO: a ``GeneratedClip`` travels as a ``GeneratorReference`` (so every tool
sees the generator) with its takes attached as named ``ExternalReference``s, and comes back from them."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import opentimelineio as otio

from editor.interchange.otio_common import (
    GENERATOR_KIND,
    TAKE_KEY,
    float_text,
    media_reference,
    plain,
    read_float,
    read_fraction,
)
from editor.model import Clip, GeneratedClip, GenerationSpec, MediaSource, Take, Timeline, Track, TrackKind

_INT64 = (-(2**63), 2**63 - 1)


def generated_references(
    timeline: Timeline, clip: GeneratedClip, rate: float, meta: dict[str, Any]
) -> dict[str, otio.core.MediaReference]:
    """The media references of ``clip`` (the generator as the default, then one per take), keyed as OTIO names
    them; the generated-clip keys are added to ``meta``, the clip's promptcut metadata."""
    meta["kind"] = "generated"
    spec = clip.spec
    params = {"prompt": spec.prompt, **spec.to_dict()}
    if isinstance(spec.seed, int) and not (_INT64[0] <= spec.seed <= _INT64[1]):
        params["seed"] = str(spec.seed)   # OTIO stores int64 only
    if spec.guidance is not None:
        params["guidance"] = float(spec.guidance)
        meta["guidance"] = float_text(spec.guidance)
    references: dict[str, otio.core.MediaReference] = {
        otio.schema.Clip.DEFAULT_MEDIA_KEY: otio.schema.GeneratorReference(
            name=spec.prompt[:60], generator_kind=GENERATOR_KIND, parameters=params
        )
    }
    takes = []
    for i, take in enumerate(clip.takes):
        key = TAKE_KEY.format(i + 1)
        entry = {"key": key, "media_id": take.media_id, "spec_hash": take.spec_hash}
        if take.spec is not None:
            entry["spec"] = take.spec.to_dict()
        takes.append(entry)
        references[key] = media_reference(timeline, take.media_id, rate)
    meta["takes"] = takes
    meta["active_take"] = clip.active_take
    meta["active_take_key"] = TAKE_KEY.format(clip.active_take + 1) if clip.media_id() is not None else None
    return references


class GeneratedImport:
    """The import of generated clips, mixed into the OTIO importer: it needs the importer's ``warn``, ``media``,
    ``_external_media`` and ``_source_in``."""

    media: dict[str, MediaSource]

    def _generated(
        self,
        item: otio.schema.Clip,
        ref: otio.schema.GeneratorReference,
        meta: dict[str, Any],
        references: dict[str, Any],
        active_key: str,
        track: Track,
        common: dict[str, Any],
        trim_start: Fraction,
        where: str,
    ) -> Clip | None:
        if ref.generator_kind != GENERATOR_KIND:
            self.warn(f"{where}: generator {ref.generator_kind!r} is not supported; left as a gap")
            return None
        if track.kind is not TrackKind.VIDEO:
            self.warn(f"{where}: a generated video clip on an audio track; left out")
            return None
        spec = self._spec(plain(ref.parameters), meta, where)
        if spec is None:
            return None
        takes: list[Take] = []
        index_map: dict[int, int] = {}
        raw_takes = meta.get("takes") if isinstance(meta.get("takes"), list) else []
        for i, raw in enumerate(raw_takes):
            if not isinstance(raw, dict) or not isinstance(raw.get("media_id"), str):
                self.warn(f"{where}: take {i + 1} is unreadable; dropped")
                continue
            key = raw.get("key")
            media_id = None
            take_ref = references.get(key) if isinstance(key, str) else None
            if isinstance(take_ref, otio.schema.ExternalReference):
                media_id = self._external_media(take_ref, track, where, wanted_id=raw["media_id"])
            elif raw["media_id"] in self.media:
                media_id = raw["media_id"]
            if media_id is None:
                self.warn(f"{where}: the file of take {i + 1} is unknown; take dropped")
                continue
            index_map[i] = len(takes)
            if isinstance(key, str) and key == active_key:
                meta = {**meta, "active_take": i}
            take_spec = None
            if isinstance(raw.get("spec"), dict):
                try:
                    take_spec = GenerationSpec.from_dict(dict(raw["spec"]))
                except (TypeError, ValueError):
                    self.warn(f"{where}: take {i + 1} has an unreadable spec; kept without it")
            takes.append(Take(media_id=media_id, spec_hash=str(raw.get("spec_hash", "")), spec=take_spec))
        active_take = meta.get("active_take")
        active = index_map.get(active_take) if isinstance(active_take, int) else None
        available = None
        if active is not None:
            take_ref = references.get(TAKE_KEY.format(active_take + 1))
            if isinstance(take_ref, otio.schema.ExternalReference):
                available = take_ref.available_range
        return GeneratedClip(
            **common,
            source_in=self._source_in(trim_start, available, where),
            spec=spec,
            takes=tuple(takes),
            active_take=active,
        )

    def _spec(self, params: dict[str, Any], meta: dict[str, Any], where: str) -> GenerationSpec | None:
        prompt = params.get("prompt")
        if not isinstance(prompt, str):
            self.warn(f"{where}: text_to_video generator without a text prompt; left as a gap")
            return None
        values: dict[str, Any] = {"prompt": prompt}
        for key in ("negative_prompt", "model", "first_image", "last_image"):
            value = params.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                values[key] = value
            else:
                self.warn(f"{where}: generator parameter {key}={value!r} is not text; ignored")
        for key in ("seed", "steps", "width", "height"):
            value = params.get(key)
            if value is None:
                continue
            number = _as_int(value)
            if number is None:
                self.warn(f"{where}: generator parameter {key}={value!r} is not a whole number; ignored")
            else:
                values[key] = number
        guidance = params.get("guidance")
        if guidance is not None:
            number = None if isinstance(guidance, bool) else read_fraction(guidance)
            if number is None:
                self.warn(f"{where}: generator parameter guidance={guidance!r} is not a number; ignored")
            else:
                value = float(guidance) if not isinstance(guidance, str) else float(number)
                exact = read_float(meta.get("guidance"), math.nan)
                if math.isfinite(exact) and math.isclose(exact, value, rel_tol=1e-12, abs_tol=1e-300):
                    value = exact
                values["guidance"] = value
        unknown = sorted(set(params) - set(GenerationSpec.__dataclass_fields__))
        if unknown:
            self.warn(f"{where}: generator parameters {', '.join(unknown)} have no place here; ignored")
        return GenerationSpec.from_dict(values)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None

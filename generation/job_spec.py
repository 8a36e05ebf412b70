"""A job spec and its content hash: one shot, fully resolved, and the key of its cached take. Plain Python: no
torch here.

A :class:`JobSpec`'s :meth:`JobSpec.content_hash` keys the cache: model id and revision, prompt, negative prompt,
seed, size, frame count, steps, guidance, the profile's recipe, and the conditioning files by the sha256 of their
*content* (moving or renaming an image does not change the hash; editing it does). ``generation.jobs`` keeps the
SQLite store of jobs and re-exports these names.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

from .errors import GenerationError

HASH_FORMAT = "promptcut.job/1"  # bump only if the hashed document changes meaning (it invalidates the cache)
_MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class JobSpec:
    """One shot to generate, fully resolved. Plain data; ``to_dict``/``from_dict`` round-trip through JSON.

    Images are file paths (made absolute); everything else is a concrete value, not "the model's default":
    use :meth:`create` to fill defaults from the registry.
    """

    model: str
    prompt: str
    negative_prompt: str
    seed: int
    width: int
    height: int
    num_frames: int
    steps: int
    guidance: float
    first_image: str | None = None
    last_image: str | None = None
    # Added later; each is left out of the hash while at its default, so older takes keep their hashes.
    profile: str = "final"  # draft | standard | final (generation.profiles)
    prefix_video: str | None = None  # a video file whose last frames the shot continues (extend a tail)
    suffix_video: str | None = None  # a video file whose first frames the shot leads into (extend a head)
    reference_images: tuple[str, ...] = ()  # pictures of a character or a place to keep
    color_reference: str | None = None  # a picture whose colours the finished frames are matched to

    def __post_init__(self) -> None:
        for name in ("model", "prompt", "negative_prompt"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a string, got {type(getattr(self, name)).__name__}")
        if not self.model:
            raise ValueError("model must be given")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= _MAX_SEED:
            raise ValueError(f"seed must be an integer in 0..2**63-1, got {self.seed!r}")
        for name in ("width", "height", "num_frames", "steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        g = self.guidance
        if isinstance(g, bool) or not isinstance(g, (int, float)) or not (g >= 0 and math.isfinite(g)):
            raise ValueError(f"guidance must be a finite number >= 0, got {g!r}")
        object.__setattr__(self, "guidance", float(g))
        for name in _FILE_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            object.__setattr__(self, name, _abs_path(name, value))
        refs = self.reference_images
        if isinstance(refs, (str, os.PathLike)) or not isinstance(refs, (list, tuple)):
            raise TypeError(f"reference_images must be a list of file paths, got {type(refs).__name__}")
        object.__setattr__(self, "reference_images", tuple(_abs_path("reference_images", r) for r in refs))
        from .profiles import PROFILES

        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {self.profile!r}")

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        model: str,
        prompt: str,
        *,
        negative_prompt: str | None = None,
        seed: int = 0,
        width: int | None = None,
        height: int | None = None,
        num_frames: int | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        first_image: str | os.PathLike[str] | None = None,
        last_image: str | os.PathLike[str] | None = None,
        **later: Any,
    ) -> JobSpec:
        """A spec with the model's defaults filled in and size/length snapped to its rules (as the backend would),
        so requests that would make the same shot hash equal. Conditioning is kept as given."""
        from .models import get_model, nearest_frame_count, snap_size

        info = get_model(model)
        if (width is None) != (height is None):
            raise ValueError("give both width and height, or neither")
        if width is None or height is None:
            width, height = info.default_size.width, info.default_size.height
        else:
            width, height = snap_size(info, width, height)
        frames = info.default_frames if num_frames is None else nearest_frame_count(info, frames=num_frames)
        return cls(
            model=info.id,
            prompt=prompt,
            negative_prompt=info.default_negative_prompt if negative_prompt is None else negative_prompt,
            seed=seed,
            width=width,
            height=height,
            num_frames=frames,
            steps=info.default_steps if steps is None else steps,
            guidance=info.default_guidance if guidance is None else guidance,
            first_image=first_image,  # type: ignore[arg-type]  # made a str in __post_init__
            last_image=last_image,  # type: ignore[arg-type]
            **later,  # profile, prefix_video, suffix_video, reference_images, color_reference
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field, except later ones at their default (so older workers and sidecars read it unchanged)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _LATER_FIELDS and value == _LATER_FIELDS[f.name]:
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    output_suffix = ".mp4"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobSpec:
        if not isinstance(data, Mapping):
            raise TypeError(f"a job spec is a JSON object, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown job spec field(s): {', '.join(unknown)}")
        required = {f.name for f in fields(cls) if f.default is MISSING}
        missing = sorted(n for n in required if n not in data)
        if missing:
            raise ValueError(f"job spec lacks {', '.join(missing)}")
        return cls(**data)

    def to_request(self) -> Any:
        """The backend's :class:`generation.request.GenerationRequest` for this spec."""
        from .request import GenerationRequest

        return GenerationRequest(
            model=self.model,
            prompt=self.prompt,
            negative_prompt=self.negative_prompt,
            seed=self.seed,
            width=self.width,
            height=self.height,
            num_frames=self.num_frames,
            steps=self.steps,
            guidance=self.guidance,
            first_image=self.first_image,
            last_image=self.last_image,
            video_prefix=None if self.prefix_video is None else _video_frames(self.prefix_video),
            video_suffix=None if self.suffix_video is None else _video_frames(self.suffix_video),
            reference_images=self.reference_images,
            color_reference=self.color_reference,
            profile=self.profile,
        )

    # -- hashing ------------------------------------------------------------------------------------------------
    def hash_document(self) -> dict[str, Any]:
        """What the content hash covers: the spec with images as content hashes, plus the model's revision.

        Fields added to JobSpec later must be left out of this document while at their default value, so the
        hashes of existing outputs stay valid.
        """
        doc: dict[str, Any] = {"format": HASH_FORMAT, "model_revision": model_revision(self.model)}
        for name, value in self.to_dict().items():
            if name in _FILE_FIELDS:
                value = None if value is None else {"sha256": file_sha256(value)}
            elif name == "reference_images":
                value = [{"sha256": file_sha256(v)} for v in value]
            doc[name] = value
        if self.profile != "final":
            from .profiles import recipe_document

            doc["recipe"] = recipe_document(self.model, self.profile)
        return doc

    def content_hash(self) -> str:
        """sha256 (hex) of the canonical JSON of :meth:`hash_document`. Reads the conditioning images."""
        canonical = json.dumps(self.hash_document(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_FILE_FIELDS = ("first_image", "last_image", "prefix_video", "suffix_video", "color_reference")
_LATER_FIELDS: dict[str, Any] = {
    "profile": "final",
    "prefix_video": None,
    "suffix_video": None,
    "reference_images": (),
    "color_reference": None,
}


def _abs_path(name: str, value: Any) -> str:
    if not isinstance(value, (str, os.PathLike)) or not os.fspath(value):
        raise TypeError(f"{name} must be a file path, got {type(value).__name__}")
    return os.path.abspath(os.fspath(value))


def _video_frames(path: str) -> Any:
    from .video_files import read_frames

    return read_frames(path)


def model_revision(model_id: str) -> str | None:
    """The revision that goes into a job's hash: the registry's pinned revision, the built-in test model's recipe,
    or None (an unpinned model: whatever snapshot is installed; the sidecar records which one was used)."""
    from .models import UnknownModel, get_model

    try:
        info = get_model(model_id)
    except UnknownModel:
        return None
    if info.is_test_model:
        from .testing.tiny import tiny_model_revision

        return tiny_model_revision(info.id)
    return info.revision


_file_hash_cache: dict[tuple[str, int, int, int], str] = {}
_file_hash_lock = threading.Lock()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes (memoised on path, size, mtime and inode). A missing file is a ``bad_request``."""
    p = os.path.abspath(os.fspath(path))
    try:
        st = os.stat(p)
    except OSError as exc:
        raise GenerationError(f"conditioning image not found: {p} ({exc.strerror})", kind="bad_request") from None
    key = (p, st.st_size, st.st_mtime_ns, st.st_ino)
    with _file_hash_lock:
        known = _file_hash_cache.get(key)
    if known is not None:
        return known
    h = hashlib.sha256()
    try:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise GenerationError(f"cannot read conditioning image {p}: {exc.strerror}", kind="bad_request") from None
    digest = h.hexdigest()
    with _file_hash_lock:
        if len(_file_hash_cache) > 4096:
            _file_hash_cache.clear()
        _file_hash_cache[key] = digest
    return digest


def output_path_for(
    output_dir: str | os.PathLike[str], content_hash: str, job_id: str | None = None, suffix: str = ".mp4"
) -> Path:
    """``<output_dir>/<hash[:2]>/<hash>.mp4``, or ``<hash>-<job id[:8]>.mp4`` for a forced re-run (``suffix``:
    ``.wav`` or ``.transcript`` for audio jobs)."""
    name = content_hash if job_id is None else f"{content_hash}-{job_id[:8]}"
    return Path(os.path.abspath(os.fspath(output_dir))) / content_hash[:2] / f"{name}{suffix}"


def spec_from_dict(data: Mapping[str, Any]) -> Any:
    """A stored or submitted spec: a :class:`JobSpec` (video), or an ``AudioJobSpec`` when it has a ``kind``."""
    if isinstance(data, Mapping) and "kind" in data:
        from .audio.job_spec import AudioJobSpec

        return AudioJobSpec.from_dict(data)
    return JobSpec.from_dict(data)


def is_job_spec(spec: Any) -> bool:
    from .audio.job_spec import AudioJobSpec

    return isinstance(spec, (JobSpec, AudioJobSpec))


def _take_exists(video: str | os.PathLike[str] | None) -> bool:
    """A complete take: the video and, beside it, its sidecar (written last)."""
    if not video:
        return False
    v = Path(video)
    return v.is_file() and v.with_suffix(".json").is_file()

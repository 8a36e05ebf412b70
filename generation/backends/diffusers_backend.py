"""The diffusers backend: load a model once and keep it warm, run a shot with progress and cancellation, and
turn CUDA out-of-memory into an error that names the setting that would fix it.

One ``DiffusersBackend`` serves one job at a time (a lock guards it); the worker process owns it. Weights are
found locally only (``generation.locate``): this module never downloads.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import inspect
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._quiet import quiet_progress_bars
from ..errors import Cancelled, GenerationError
from ..locate import LocalModel, require_model
from ..models import Ability, ModelInfo, get_model, nearest_frame_count, snap_size
from ..request import GenerationRequest, GenerationResult, PreviewFrame, Progress
from .families.base import take_of
from .memory import MemoryPlan, apply_plan, choose_plan, oom_advice, reattach
from .seeding import seeded_global_rng
from .settings import BackendSettings

ProgressCallback = Callable[[Progress], None]
PreviewCallback = Callable[[PreviewFrame], None]


# ---------------------------------------------------------------------------------------------------------------
# Choosing what to run
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class ShotPlan:
    """A request resolved against a model: the ability used, final numbers, and notes for the creator."""

    mode: Ability
    width: int
    height: int
    num_frames: int
    steps: int
    guidance: float
    negative_prompt: str
    notes: list[str] = field(default_factory=list)
    # Which frames of the pipeline's output are the take, when the call also makes frames that are not (an
    # extension's re-made prefix, VACE's kept frames): set by the family while it builds the call.
    take: slice | None = None


def plan_shot(model: ModelInfo, request: GenerationRequest) -> ShotPlan:
    """Resolve defaults, snap size and frame count to the model's rules, and pick the conditioning mode.

    A model without the ability a request asks for falls back (first image only, or text only) with a note;
    a request the model cannot serve at all (no images for an image-only model) is a ``bad_request``.
    """
    notes: list[str] = []
    # -- size and length ----------------------------------------------------------------------------------------
    if request.width is None or request.height is None:
        size = model.default_size
        width, height = size.width, size.height
    else:
        width, height = snap_size(model, request.width, request.height)
        if (width, height) != (request.width, request.height):
            why = "supports only" if model.fixed_size else "needs multiples of " + str(model.size_multiple) + ":"
            notes.append(f"size {request.width}x{request.height} -> {width}x{height} ({model.id} {why} that size)")
    if request.num_frames is None:
        num_frames = model.default_frames
    else:
        num_frames = nearest_frame_count(model, frames=request.num_frames)
        if num_frames != request.num_frames:
            notes.append(
                f"frames {request.num_frames} -> {num_frames} ({model.id} takes {model.frames.describe()} frames)"
            )
    from ..profiles import recipe

    cooked = recipe(model, request.profile)
    steps = request.steps if request.steps is not None else cooked.steps
    guidance = request.guidance if request.guidance is not None else cooked.guidance
    negative = request.negative_prompt if request.negative_prompt is not None else model.default_negative_prompt

    # -- conditioning -------------------------------------------------------------------------------------------
    first, last = request.first_image is not None, request.last_image is not None
    keyframes, prefix = bool(request.keyframes), request.video_prefix is not None
    A = Ability
    suffix = request.video_suffix is not None
    if suffix and not model.can(A.VIDEO_LEAD_IN):
        notes.append(f"video to lead into ignored: {model.id} cannot end where a clip begins")
        suffix = False
    if request.reference_images and not model.can(A.REFERENCE_IMAGES):
        notes.append(f"reference images ignored: {model.id} cannot take them")
    if prefix and not model.can(A.VIDEO_EXTENSION):
        notes.append(f"video to continue ignored: {model.id} cannot extend a video")
        prefix = False
    if keyframes and not model.can(A.KEYFRAMES):
        notes.append(f"keyframes ignored: {model.id} cannot place frames mid-shot")
        keyframes = False
    if prefix:
        mode = A.VIDEO_EXTENSION
    elif suffix:
        mode = A.VIDEO_LEAD_IN
    elif keyframes:
        mode = A.KEYFRAMES
    elif first and last:
        if model.can(A.FIRST_LAST_FRAME):
            mode = A.FIRST_LAST_FRAME
        elif model.can(A.IMAGE_TO_VIDEO):
            mode = A.IMAGE_TO_VIDEO
            notes.append(f"last image ignored: {model.id} cannot end on a given frame; it starts from the first")
        else:
            mode = A.TEXT_TO_VIDEO
            notes.append(f"first and last images ignored: {model.id} is text-to-video only")
    elif first:
        if model.can(A.IMAGE_TO_VIDEO):
            mode = A.IMAGE_TO_VIDEO
        else:
            mode = A.TEXT_TO_VIDEO
            notes.append(f"first image ignored: {model.id} cannot start from a given frame")
    elif last:
        if model.can(A.KEYFRAMES):
            mode = A.KEYFRAMES
        else:
            mode = A.TEXT_TO_VIDEO
            notes.append(f"last image ignored: {model.id} cannot end on a given frame without a first one")
    else:
        mode = A.TEXT_TO_VIDEO
    if not model.can(mode):
        needs = {
            A.IMAGE_TO_VIDEO: "a first image",
            A.FIRST_LAST_FRAME: "both a first and a last image",
        }
        wanted = [needs[a] for a in (A.IMAGE_TO_VIDEO, A.FIRST_LAST_FRAME) if model.can(a)]
        raise GenerationError(
            f"{model.label} cannot generate from text alone; it needs {' or '.join(wanted) or 'images'}.",
            kind="bad_request",
            hint="Give the missing image(s), or pick a text-to-video model.",
        )
    return ShotPlan(mode, width, height, num_frames, steps, guidance, negative, notes)


# ---------------------------------------------------------------------------------------------------------------
# Loaded models
# ---------------------------------------------------------------------------------------------------------------


def _pipeline_class(name: str) -> Any:
    import diffusers

    try:
        return getattr(diffusers, name)
    except AttributeError:
        raise GenerationError(
            f"this diffusers ({diffusers.__version__}) has no {name}", kind="pipeline", hint="Upgrade diffusers."
        ) from None


def _derive(base: Any, class_name: str) -> Any:
    """Another pipeline class over the same loaded parts (no copy, no dtype cast).

    ``DiffusionPipeline.from_pipe`` would also do this, but it casts every shared module to its ``torch_dtype``
    (float32 by default), which would undo a float32 VAE next to a bf16 transformer.
    """
    cls = _pipeline_class(class_name)
    expected, optional = cls._get_signature_keys(cls)
    components = {k: v for k, v in base.components.items() if k in expected}
    params = inspect.signature(cls.__init__).parameters
    missing = [
        k
        for k in expected
        if k not in components
        and k not in getattr(cls, "_optional_components", [])
        and params[k].default is params[k].empty
    ]
    if missing:
        raise GenerationError(
            f"cannot build {class_name} from {type(base).__name__}: missing {', '.join(sorted(missing))}",
            kind="pipeline",
        )
    config = {k: base.config[k] for k in optional if k in base.config}
    pipe = cls(**components, **config)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@dataclass
class LoadedModel:
    model: ModelInfo
    local: LocalModel
    base: Any
    plan: MemoryPlan
    device: Any
    load_s: float
    derived: dict[str, Any] = field(default_factory=dict)
    active: str = ""  # the pipeline holding the offload hooks right now

    def pipeline(self, class_name: str) -> Any:
        if class_name == type(self.base).__name__:
            pipe = self.base
        else:
            if class_name not in self.derived:
                self.derived[class_name] = _derive(self.base, class_name)
            pipe = self.derived[class_name]
        if not self.active:
            self.active = type(self.base).__name__
        if self.active != class_name:
            reattach(pipe, self.plan, self.device)
            self.active = class_name
        return pipe

    def release(self) -> None:
        for pipe in [self.base, *self.derived.values()]:
            with contextlib.suppress(Exception):  # best effort while dropping a model
                pipe.remove_all_hooks()
        self.derived.clear()
        self.base = None


# ---------------------------------------------------------------------------------------------------------------
# The backend
# ---------------------------------------------------------------------------------------------------------------


def is_out_of_memory(exc: BaseException) -> tuple[bool, bool]:
    """(is it an out-of-memory error, is it the GPU's)."""
    import torch

    oom_types = tuple(
        {getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None)} - {None}
    )
    if oom_types and isinstance(exc, oom_types):
        return True, True
    text = str(exc).lower()
    if isinstance(exc, RuntimeError):
        if "cuda out of memory" in text or "cudnn_status_alloc_failed" in text or "cublas_status_alloc_failed" in text:
            return True, True
        if "can't allocate memory" in text or "defaultcpuallocator" in text:
            return True, False
    return isinstance(exc, MemoryError), False


class DiffusersBackend:
    """Runs :class:`GenerationRequest` s with Hugging Face diffusers, keeping recent pipelines warm (an LRU)."""

    def __init__(self, settings: BackendSettings | None = None) -> None:
        self.settings = settings if settings is not None else BackendSettings.from_env()
        self._lock = threading.RLock()
        self._loaded: OrderedDict[str, LoadedModel] = OrderedDict()
        self._device: Any = None

    # -- device and dtype ---------------------------------------------------------------------------------------
    @property
    def device(self) -> Any:
        if self._device is None:
            import torch

            name = self.settings.device
            if name == "auto":
                name = "cuda" if torch.cuda.is_available() else "cpu"
            device = torch.device(name)
            if device.type == "cuda" and not torch.cuda.is_available():
                raise GenerationError(
                    "CUDA was asked for but torch sees no CUDA device",
                    kind="bad_request",
                    hint="Set device=cpu (PROMPTCUT_DEVICE=cpu) or install a CUDA build of torch.",
                )
            self._device = device
        return self._device

    def dtype_for(self, model: ModelInfo) -> Any:
        import torch

        if self.settings.dtype != "auto":
            return getattr(torch, self.settings.dtype)
        if self.device.type != "cuda":
            return torch.float32
        if model.preferred_dtype == "bfloat16" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float16

    def describe(self) -> dict[str, Any]:
        import diffusers
        import torch

        info: dict[str, Any] = {
            "backend": "diffusers",
            "diffusers": diffusers.__version__,
            "torch": torch.__version__,
            "device": str(self.device),
            "loaded": list(self._loaded),
            "settings": vars(self.settings),
            "speed": {mid: _speed_describe(lm) for mid, lm in self._loaded.items()},
        }
        if self.device.type == "cuda":
            free, total = torch.cuda.mem_get_info(self.device)
            info["gpu"] = {
                "name": torch.cuda.get_device_name(self.device),
                "free_gb": free / 1024**3,
                "total_gb": total / 1024**3,
            }
        return info

    # -- loading ------------------------------------------------------------------------------------------------
    @property
    def max_loaded(self) -> int:
        if self.settings.max_loaded is not None:
            return self.settings.max_loaded
        return 1 if self.device.type == "cuda" else 2

    def loaded(self) -> list[str]:
        return list(self._loaded)

    def load(self, model_id: str | ModelInfo, *, progress: ProgressCallback | None = None) -> LoadedModel:
        """Load (or touch) a model and keep it warm; evicts the least recently used beyond ``max_loaded``."""
        model = get_model(model_id)
        with self._lock:
            if model.id in self._loaded:
                self._loaded.move_to_end(model.id)
                return self._loaded[model.id]
            while len(self._loaded) >= self.max_loaded:  # free VRAM before the new model arrives
                _, old = self._loaded.popitem(last=False)
                old.release()
                self._free_memory()
            t0 = time.perf_counter()
            if progress is not None:
                progress(Progress("loading", 0, 1, 0.0))
            local = require_model(model, models_root=self.settings.models_root, hf_cache_dir=self.settings.hf_cache_dir)
            loaded = self._load_pipeline(model, local)
            loaded.load_s = time.perf_counter() - t0
            self._loaded[model.id] = loaded
            if progress is not None:
                progress(Progress("loading", 1, 1, loaded.load_s))
            return loaded

    def _load_pipeline(self, model: ModelInfo, local: LocalModel) -> LoadedModel:
        import torch

        device, dtype = self.device, self.dtype_for(model)
        torch_dtype: Any = dtype
        if model.vae_fp32 and dtype != torch.float32:
            torch_dtype = {"default": dtype, "vae": torch.float32}
        cls = _pipeline_class(model.base_pipeline)
        free = total = None
        if device.type == "cuda":
            free, total = torch.cuda.mem_get_info(device)
        plan = choose_plan(model, device.type, self.settings, free, total)
        failure: tuple[str, str, bool] | None = None
        pipe = None
        try:
            with quiet_progress_bars():
                pipe = cls.from_pretrained(
                    str(local.path), dtype=torch_dtype, use_safetensors=True, local_files_only=True
                )
            pipe.set_progress_bar_config(disable=True)
            apply_plan(pipe, plan, device)
        except Exception as exc:  # noqa: BLE001 - every load failure becomes one readable error
            oom, gpu = is_out_of_memory(exc)
            failure = (f"{type(exc).__name__}: {exc}", traceback.format_exc(), oom and gpu)
        if failure is not None:
            del pipe
            self._free_memory()
            message, detail, gpu_oom = failure
            if gpu_oom:
                hint, fix = oom_advice(plan)
                err = GenerationError(
                    f"out of GPU memory loading {model.label} (offload={plan.offload}).",
                    kind="out_of_memory",
                    hint=hint,
                    fix=fix,
                )
            else:
                err = GenerationError(
                    f"could not load {model.label} from {local.path}: {message.splitlines()[0]}",
                    kind="model_load",
                )
            err.detail = detail
            raise err
        loaded = LoadedModel(model, local, pipe, plan, device, 0.0, active=type(pipe).__name__)
        loaded.settings = self.settings  # type: ignore[attr-defined]  # the speed levers read them
        return loaded

    def unload(self, model_id: str | None = None) -> None:
        with self._lock:
            ids = list(self._loaded) if model_id is None else [get_model(model_id).id]
            for mid in ids:
                loaded = self._loaded.pop(mid, None)
                if loaded is not None:
                    loaded.release()
            self._free_memory()

    close = unload

    def _free_memory(self) -> None:
        gc.collect()
        try:
            import torch

            if torch.cuda.is_available() and torch.cuda.is_initialized():
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001 - freeing memory must never raise
            pass

    # -- generating ---------------------------------------------------------------------------------------------
    def generate(
        self,
        request: GenerationRequest,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        preview: PreviewCallback | None = None,
    ) -> GenerationResult:
        """Run one shot. Raises :class:`Cancelled` when ``cancel`` is set (checked between steps) and
        :class:`GenerationError` on failure (after which the backend is ready for the next job). ``preview``
        receives a cheap look at the shot every few steps. A shot longer than the model's window is made in
        chained windows (``generation.backends.windows``)."""
        from .windows import generate_chained, needs_windows

        with self._lock:
            model = get_model(request.model)
            shot = plan_shot(model, request)
            if needs_windows(model, shot):
                return generate_chained(self, model, request, shot, progress=progress, cancel=cancel, preview=preview)
            return self.generate_window(model, request, shot, progress=progress, cancel=cancel, preview=preview)

    def generate_window(
        self,
        model: ModelInfo,
        request: GenerationRequest,
        shot: ShotPlan,
        *,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        preview: PreviewCallback | None = None,
        window: int = 1,
        windows: int = 1,
    ) -> GenerationResult:
        """One pipeline call: the whole shot, or window ``window`` of ``windows`` of a long one."""
        from .families import family_for
        from .previews import Previewer
        from .speed import prepare_pipeline

        shot = dataclasses.replace(shot, notes=list(shot.notes), take=None)  # this call's own copy
        with self._lock:
            t_start = time.perf_counter()
            _check_cancel(cancel, "before loading")
            was_loaded = model.id in self._loaded
            loaded = self.load(model, progress=progress)
            _check_cancel(cancel, "after loading")
            class_name = model.pipeline_for(shot.mode)
            pipe = loaded.pipeline(class_name)
            family = family_for(model)
            kwargs, extra_notes = family.call_kwargs(pipe, model, request, shot)
            extra_notes += prepare_pipeline(loaded, pipe, model, request, shot)
            notes = shot.notes + extra_notes
            state = _StepState(t_start, shot.steps)
            previewer = Previewer.for_pipeline(pipe, model, preview, window=window, windows=windows, shot=shot)

            def on_step(p: Any, i: int, callback_kwargs: dict[str, Any]) -> None:
                now = time.perf_counter()
                total = getattr(p, "_num_timesteps", None) or state.total
                state.total, state.steps_done, state.last_step_at = total, i + 1, now
                if progress is not None:
                    progress(Progress("denoising", i + 1, total, now - t_start, window, windows))
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"cancelled at step {i + 1} of {total}")
                if previewer is not None:
                    previewer.on_step(p, i, total, callback_kwargs)
                if i + 1 == total and progress is not None:
                    progress(Progress("decoding", total, total, now - t_start, window, windows))

            remove_hook = family.attach_steps(pipe, kwargs, on_step, previewer)
            t_call = time.perf_counter()
            failure: BaseException | None = None
            failure_detail = ""
            output = None
            try:
                with seeded_global_rng(request.seed):
                    output = pipe(**kwargs)
            except Cancelled as exc:
                failure = Cancelled(str(exc) or "cancelled")
            except Exception as exc:  # noqa: BLE001 - classified below, outside the handler
                failure = self._classify_failure(exc, model, loaded.plan, shot)
                failure_detail = traceback.format_exc()
            finally:
                remove_hook()
            if failure is not None:
                # The handler is gone, so its traceback no longer pins the step's tensors: free them now.
                output = None
                self._reset_pipeline(pipe)
                self._free_memory()
                if failure_detail:
                    failure.detail = failure_detail  # type: ignore[union-attr]
                raise failure
            t_done = time.perf_counter()
            decoded = take_of(family.read_output(output, pipe, model), shot.take, model)
            frames = decoded.frames
            output = None
            if request.color_reference is not None:
                from .colors import match_colors

                frames = match_colors(frames, request.color_reference)
            _check_cancel(cancel, "after decoding")
            t_end = time.perf_counter()

        last_step = state.last_step_at or t_done
        timings = {
            "load_s": loaded.load_s if not was_loaded else 0.0,
            "denoise_s": last_step - t_call,  # includes prompt encoding and latent preparation
            "decode_s": t_done - last_step,
            "pipeline_s": t_done - t_call,
            "postprocess_s": t_end - t_done,
            "total_s": t_end - t_start,
        }
        if state.steps_done:
            timings["s_per_step"] = timings["denoise_s"] / state.steps_done
        if progress is not None:
            progress(Progress("done", state.total, state.total, t_end - t_start))
        return GenerationResult(
            frames=frames,
            fps=model.fps,
            model_id=model.id,
            model_repo=model.repo,
            revision=loaded.local.revision,
            source=loaded.local.source,
            mode=shot.mode.value,
            pipeline_class=class_name,
            width=int(frames.shape[2]),
            height=int(frames.shape[1]),
            num_frames=int(frames.shape[0]),
            seed=request.seed,
            steps=shot.steps,
            guidance=shot.guidance,
            prompt=request.prompt,
            negative_prompt=shot.negative_prompt,
            device=str(loaded.device),
            dtype=str(self.dtype_for(model)).removeprefix("torch."),
            memory=loaded.plan.to_dict(),
            notes=notes,
            timings=timings,
            request=request.describe(),
            audio=decoded.audio,
            audio_rate=decoded.audio_rate,
            profile=request.profile,
        )

    def _classify_failure(
        self, exc: BaseException, model: ModelInfo, plan: MemoryPlan, shot: ShotPlan
    ) -> GenerationError:
        oom, gpu = is_out_of_memory(exc)
        what = f"{shot.width}x{shot.height}, {shot.num_frames} frames"
        if oom:
            hint, fix = oom_advice(plan, gpu=gpu)
            where = "GPU" if gpu else "system"
            return GenerationError(
                f"out of {where} memory generating {what} with {model.label} "
                f"(offload={plan.offload}, vae_tiling={'on' if plan.vae_tiling else 'off'}).",
                kind="out_of_memory",
                hint=hint,
                fix=fix,
            )
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return GenerationError(f"{model.label} failed on {what}: {type(exc).__name__}: {first_line}", kind="pipeline")

    @staticmethod
    def _reset_pipeline(pipe: Any) -> None:
        """After a failed or cancelled call: offload hooks back to their resting state, stateful caches cleared."""
        with contextlib.suppress(Exception):  # best effort
            pipe.maybe_free_model_hooks()


@dataclass
class _StepState:
    started: float
    total: int
    steps_done: int = 0
    last_step_at: float | None = None


def _check_cancel(cancel: threading.Event | None, where: str) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"cancelled {where}")


def _speed_describe(loaded: LoadedModel) -> dict[str, Any]:
    from .speed import describe

    return describe(loaded)

"""An audio job in the worker process: the same events as a video shot (``started``, ``progress``, ``done``,
``error``, ``cancelled``) and the same rules: a failure is an event with a one-line reason, never the
worker's exit, and nothing half-written is left at the output path."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("promptcut.worker")


def run_audio_job(worker: Any, job: str, spec_data: dict[str, Any], output: str, expected_hash: str | None,
                  cancel: threading.Event) -> None:
    from ..errors import Cancelled, GenerationError
    from ..worker import _one_line
    from .job_spec import AudioJobSpec
    from .writer import write_audio_result

    send = worker.proto.send
    try:
        spec = AudioJobSpec.from_dict(spec_data)
        content_hash = spec.content_hash()
    except GenerationError as exc:
        send("error", job=job, kind=exc.kind, message=_one_line(exc.message), hint=_one_line(exc.hint), fix={})
        return
    except (TypeError, ValueError) as exc:
        send("error", job=job, kind="bad_request", message=_one_line(f"bad audio job: {exc}"), hint="", fix={})
        return
    if expected_hash is not None and expected_hash != content_hash:
        send("error", job=job, kind="bad_request", message="the source file changed after the job was queued",
             hint="Submit the job again to use the file as it is now.", fix={})
        return
    send("started", job=job)
    stage = {"speech": "speaking", "sound": "generating", "transcript": "transcribing"}[spec.kind]

    def on_progress(fraction: float) -> None:
        send("progress", job=job, fraction=round(0.95 * fraction, 4), step=0, steps=0, stage=stage, eta_s=None)

    try:
        result = worker.audio_backend().run(spec, progress=on_progress, cancel=cancel)
        if cancel.is_set():
            raise Cancelled("cancelled before writing")
        path, sidecar = write_audio_result(
            result, output, extra={"job": {"id": job, "spec_hash": content_hash, "spec": spec.to_dict()}})
    except Cancelled:
        send("cancelled", job=job)
        return
    except GenerationError as exc:
        # The job id, model and kind name the failure; its message can quote the text to speak, and log files
        # go into problem reports, so the message goes only to the editor (the job's status), never the log.
        log.error("job %s (model %s) failed: %s", job, spec.model, exc.kind)
        send("error", job=job, kind=exc.kind, message=_one_line(exc.message), hint=_one_line(exc.hint), fix=exc.fix)
        return
    except Exception as exc:  # noqa: BLE001 - a job's failure is an event, never the worker's exit
        log.exception("job %s (model %s) failed", job, spec.model)
        first = (str(exc).strip().splitlines() or [""])[0]
        send("error", job=job, kind="internal", message=_one_line(f"{type(exc).__name__}: {first}"),
             hint="See the generator log for the traceback.", fix={})
        return
    send("done", job=job, output=str(path), sidecar=str(sidecar), mode=spec.kind, notes=list(result.notes),
         timings=dict(result.timings), revision=result.revision, pipeline_class=result.pipeline_class,
         seconds=round(result.seconds, 3), language=result.language)


def output_is_audio(output: str) -> bool:
    return Path(output).suffix in (".wav", ".transcript")

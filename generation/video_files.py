"""Reading the frames of a short conditioning video (a clip's tail to continue, its head to lead into).

PyAV decodes; frames come back as uint8 ``(T, H, W, 3)`` RGB. Plain numpy: no torch here.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import GenerationError

MAX_CONDITIONING_FRAMES = 1024  # more is a mistake (a whole film passed as a prefix), not a conditioning clip


def read_frames(path: str | os.PathLike[str], *, limit: int = MAX_CONDITIONING_FRAMES) -> np.ndarray:
    """Every frame of ``path`` (at most ``limit``), or a ``bad_request`` naming the file and why."""
    import av

    name = os.fspath(path)
    frames: list[np.ndarray] = []
    try:
        with av.open(name) as container:
            stream = next((s for s in container.streams if s.type == "video"), None)
            if stream is None:
                raise GenerationError(f"conditioning video {name!r} has no picture", kind="bad_request")
            for frame in container.decode(stream):
                frames.append(frame.to_ndarray(format="rgb24"))
                if len(frames) > limit:
                    raise GenerationError(
                        f"conditioning video {name!r} has more than {limit} frames", kind="bad_request"
                    )
    except GenerationError:
        raise
    except (OSError, av.error.FFmpegError) as exc:  # type: ignore[attr-defined]
        raise GenerationError(f"cannot read conditioning video {name!r}: {exc}", kind="bad_request") from None
    if not frames:
        raise GenerationError(f"conditioning video {name!r} has no frames", kind="bad_request")
    return np.stack(frames)

"""Generation glue: from a timeline to generator jobs and back to takes on the timeline.

``find_pending`` lists what needs generating (and gaps, on request); ``conditioning_images`` extracts the
neighbouring frames; ``fill`` plans the jobs (``generation.plan``), runs them through a
``generation.client.GeneratorClient`` (``open_client``), probes the outputs and attaches each as a take, with
the spec that made it, in one undo step. ``catalog`` knows which models are installed; ``places`` where takes,
the job store and conditioning frames live. No Qt, no torch: the generator runs in its own worker process.
"""

from editor.generate.filling import Attached, FillCancelled, FillProgress, FillResult, fill, recorded_spec
from editor.generate.frames import FrameError, conditioning_images, extract_frame
from editor.generate.pending import PendingSegment, find_pending, needs_generation
from editor.generate.places import GenerationPlaces, places_for
from editor.generate.session import open_client, publish

__all__ = ["Attached", "FillCancelled", "FillProgress", "FillResult", "FrameError", "GenerationPlaces",
           "PendingSegment", "conditioning_images", "extract_frame", "fill", "find_pending", "needs_generation",
           "open_client", "places_for", "publish", "recorded_spec"]

"""Settings for the whole test run."""

import os

# The generator's worker processes inherit this. CI machines have 2 shared cores; two OpenMP threads per torch
# process, with ffmpeg and pytest beside them, oversubscribe them and slow tiny pipelines 10-30x.
os.environ.setdefault("OMP_NUM_THREADS", "1")

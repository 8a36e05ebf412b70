"""Sound in the generator process: speech from text (voices), sound effects and music from a prompt, and
transcripts of speech (for captions). Same worker, queue, cache and sidecars as video shots; plain Python at
import time (torch and the model libraries are imported by the functions that run a model)."""

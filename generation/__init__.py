"""The local-GPU generator. Never imports ``editor``; the editor talks to it through plain job specs.

Light modules (no torch import): ``models`` (registry, frame/size rules), ``request`` (GenerationRequest,
GenerationResult, Progress), ``locate`` (find weights locally), ``writer`` (MP4 + JSON sidecar), ``errors``,
``paths``. Heavy ones import torch/diffusers when used: ``backends.diffusers_backend`` (DiffusersBackend) and
``testing`` (the tiny offline test models).
"""

"""Backends that turn a GenerationRequest into frames. Importing this package does not import torch."""

from .settings import BackendSettings

__all__ = ["BackendSettings"]

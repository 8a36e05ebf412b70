"""PromptCut: a timeline video editor where recorded clips and prompt-generated shots share the tracks."""

__version__ = "0.1.0"

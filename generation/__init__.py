"""The local-GPU generator. Never imports ``editor``; the editor talks to it through plain job specs."""

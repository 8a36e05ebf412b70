"""Headless Qt for the window's tests."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

"""Keyboard layouts: which keys run which of the window's actions, as PromptCut, Premiere Pro or CapCut has them.

Plain data (no Qt). To be filled in (issue #13).
"""

"""Help for the user and for whoever fixes their problem: the versions in use and the problem-report zip.

No Qt here (the Help menu's dialogs in ``editor/ui/help_dialogs.py`` are thin shells over this), so every rule
is tested without a window.
"""

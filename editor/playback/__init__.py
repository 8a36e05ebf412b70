"""The player's logic without Qt: the preview mix, the audio clock, decode-ahead and the frame cache.

Only the display (``editor.ui``) is Qt; the sound device is driven from here through ``output``.
"""

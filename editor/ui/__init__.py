"""PySide6 widgets. The only room that may import Qt."""

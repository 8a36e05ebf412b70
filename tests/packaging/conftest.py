"""With ``--import-mode=importlib`` test folders are not on sys.path, so this conftest puts its own folder there
for packaging_support (imported by plain name)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

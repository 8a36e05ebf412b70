"""The helper module beside this file (project_examples) is imported by plain name: with
``--import-mode=importlib`` test folders are not on sys.path, so this conftest puts its own folder there."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

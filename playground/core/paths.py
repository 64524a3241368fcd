"""Where the project's own files are: its root and ``assets/`` (samples, thumbnails, shipped weights)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ASSETS_DIR = PROJECT_ROOT / "assets"

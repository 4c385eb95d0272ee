"""Where the tests find the checkout and its fixtures, whatever folder a test sits in."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

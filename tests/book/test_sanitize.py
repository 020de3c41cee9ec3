"""The nbval sanitize file: nbval silently drops a malformed pair, so check that every pair parses."""

from pathlib import Path

from nbval.plugin import get_sanitize_patterns

SANITIZE = Path(__file__).resolve().parents[1] / "sanitize.cfg"


def test_every_pattern_parses_and_applies():
    text = SANITIZE.read_text()
    pairs = get_sanitize_patterns(text)
    assert len(pairs) == text.count("regex: ") == text.count("replace: ") >= 1
    import re
    applied = dict(pairs)
    assert re.sub("at 0x[0-9a-fA-F]+", applied["at 0x[0-9a-fA-F]+"], "<f at 0x7f3a9c>") == "<f at 0xADDRESS>"

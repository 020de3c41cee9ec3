"""The page "For instructors" is generated from the chapters and cannot drift from them."""

import subprocess
import sys

from book_files import ROOT, toc_notebooks

sys.path.insert(0, str(ROOT / "scripts"))
import course_tables  # noqa: E402


def test_tables_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "course_tables.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_chapter_has_time_prerequisites_and_three_exercises_of_two_kinds_or_more():
    for path in toc_notebooks():
        info = course_tables.chapter_info(path)
        assert info["time"] != "—" and info["prerequisites"] != "—", f"{path.name}: objectives lack Time or Prerequisites"
        assert len(info["exercises"]) >= 3, f"{path.name}: {len(info['exercises'])} exercises, expected at least 3"
        kinds = {e["kind"] for e in info["exercises"]}
        assert len(kinds) >= 2, f"{path.name}: every exercise is {kinds}; mix conceptual, coding and experiment"
        if any(e["kind"] == "coding" for e in info["exercises"]):
            import wsl_lib.exercises as checkers
            for e in info["exercises"]:
                assert not e["checker"] or hasattr(checkers, e["checker"]), f"{path.name}: no checker {e['checker']}"


def test_the_instructors_page_includes_both_tables():
    page = (ROOT / "book" / "instructors.md").read_text()
    assert "_data/chapters.md" in page and "_data/exercises.md" in page and "make student" in page

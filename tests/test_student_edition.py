"""The student edition (make student) has no solution; the full edition has every one."""

import html
import json
import re
import subprocess
import sys

import pytest

from book_files import ROOT, toc_notebooks

FULL = ROOT / "_build" / "html"
STUDENT = ROOT / "_build_student" / "_build" / "html"
WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def _page_words(path) -> str:
    page = path.read_text()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return _words(html.unescape(re.sub(r"<[^>]+>", " ", page)))


ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")  # {glue:text}`name`, {cite}`key`: rendered as other text


def _longest_plain_run(text: str) -> str:
    """The longest piece of text between roles, whose words appear verbatim on the page."""
    return max(ROLE.split(text), key=lambda piece: len(WORD.findall(piece.lower())))


def solution_fragments(notebook):
    """Distinctive pieces of every solution of a notebook: paragraphs of prose, lines of code.

    A piece that also occurs outside the solutions (a line of code the chapter shows before the
    exercise, say) would be found in the student edition too, so it is left out.
    """
    cells = json.loads(notebook.read_text())["cells"]
    prose, code, elsewhere, gated = [], [], [], False
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            (code if gated else elsewhere).extend(source.splitlines())
            continue
        for block in re.split(r"(```\{solution(?:-start|-end)?\}[^\n]*\n(?:.*?)```)", source, flags=re.S):
            if block.startswith("```{solution-start}"):
                gated = True
            elif block.startswith("```{solution-end}"):
                gated = False
            elif block.startswith("```{solution}"):
                body = block.split("\n", 1)[1].rsplit("```", 1)[0]
                prose += [p for p in body.split("\n\n") if not p.startswith(":")]
            elif gated:
                prose += block.split("\n\n")
            else:
                elsewhere.append(block)
    outside = _words("\n".join(ROLE.sub(" ", e) for e in elsewhere))
    pieces = [(_words(_longest_plain_run(p)), 8) for p in prose] + [(_words(line), 4) for line in code]
    pieces = [" ".join(words.split()[:12]) for words, least in pieces if len(words.split()) >= least]
    return [p for p in pieces if p not in outside]


@pytest.fixture(scope="module")
def student_build():
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "build_student_edition.py"), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)


def test_student_edition_builds_without_warnings(student_build):
    assert student_build.returncode == 0, student_build.stdout[-4000:] + student_build.stderr[-4000:]


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.name)
def test_solutions_only_in_the_full_edition(notebook, built_book, student_build):
    assert built_book.returncode == 0 and student_build.returncode == 0
    fragments = solution_fragments(notebook)
    assert len(fragments) >= 3, f"{notebook.name}: expected solutions to at least three exercises"
    page = notebook.relative_to(ROOT).with_suffix(".html")
    full, student = _page_words(FULL / page), _page_words(STUDENT / page)
    missing = [f for f in fragments if f not in full]
    leaked = [f for f in fragments if f in student]
    assert not missing, f"solution text not found in the full edition: {missing[:3]}"
    assert not leaked, f"solution text left in the student edition: {leaked[:3]}"
    assert 'class="solution' in (FULL / page).read_text()
    assert 'class="solution' not in (STUDENT / page).read_text()
    exercises = (FULL / page).read_text().count('class="exercise admonition"')
    assert exercises >= 3 and (STUDENT / page).read_text().count('class="exercise admonition"') == exercises, \
        "the student edition keeps every exercise"

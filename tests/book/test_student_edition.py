"""The student edition (make student) has no solution; the full edition has every one.

No solution anywhere in the student build: not on its pages, not in its search index, not in
``_sources`` (what its "Download .ipynb" serves), not in the student notebooks written for
instructors (``_build_student/notebooks``), which keep every exercise.
"""

import html
import json
import re
import subprocess
import sys

import pytest

from book_files import ROOT, toc_notebooks

pytestmark = pytest.mark.slow            # left out of `make unit`

FULL = ROOT / "_build" / "html"
STUDENT = ROOT / "_build_student" / "_build" / "html"
STUDENT_NOTEBOOKS = ROOT / "_build_student" / "notebooks"
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


SOLUTION_BLOCK = re.compile(r"(```\{solution(?:-start|-end)?\}[^\n]*\n(?:.*?)```)", re.S)


def split_solutions(cells):
    """Walk a notebook's cells and yield ``(cell, part, text)``: ``part`` is ``"solution"`` for the body of
    a dropdown solution, ``"gated"`` for what stands between ``solution-start`` and ``solution-end``
    (code cells whole), ``"other"`` for everything else."""
    gated = False
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            yield cell, "gated" if gated else "other", source
            continue
        for block in SOLUTION_BLOCK.split(source):
            if block.startswith("```{solution-start}"):
                gated = True
            elif block.startswith("```{solution-end}"):
                gated = False
            elif block.startswith("```{solution}"):
                yield cell, "solution", block.split("\n", 1)[1].rsplit("```", 1)[0]
            else:
                yield cell, "gated" if gated else "other", block


def solution_fragments(notebook):
    """Distinctive pieces of every solution of a notebook: paragraphs of prose, lines of code.

    A piece that also occurs outside the solutions (a line of code the chapter shows before the
    exercise, say) would be found in the student edition too, so it is left out.
    """
    prose, code, elsewhere = [], [], []
    for cell, part, text in split_solutions(json.loads(notebook.read_text())["cells"]):
        if cell["cell_type"] == "code":
            (code if part == "gated" else elsewhere).extend(text.splitlines())
        elif part == "solution":
            prose += [p for p in text.split("\n\n") if not p.startswith(":")]
        elif part == "gated":
            prose += text.split("\n\n")
        else:
            elsewhere.append(text)
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


# ---- everything else in the student build: the search index, _sources, the downloads ----

def _notebook_text(notebook: dict) -> str:
    """The words a notebook shows: its cells' sources and the text of their outputs."""
    parts = []
    for cell in notebook["cells"]:
        parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += ["".join(output.get("text", "")), "".join(data.get("text/plain", "")),
                      "".join(data.get("text/markdown", "")),
                      html.unescape(re.sub(r"<[^>]+>", " ", "".join(data.get("text/html", ""))))]
    return _words("\n".join(parts))


def _download(page_html: str, page):
    """The file behind a page's "Download .ipynb" button."""
    href = re.search(r'<a href="([^"]+\.ipynb)"[^>]*\n?\s*class="[^"]*btn-download-source-button', page_html)
    assert href, f"{page}: no 'Download .ipynb' button"
    return (STUDENT / page).parent / href.group(1)


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.name)
def test_downloads_and_sources_hold_no_solution(notebook, student_build):
    assert student_build.returncode == 0
    fragments = solution_fragments(notebook)
    page = notebook.relative_to(ROOT).with_suffix(".html")
    served = _download((STUDENT / page).read_text(), page)
    written = STUDENT_NOTEBOOKS / notebook.name
    assert served.exists() and written.exists(), f"missing {served} or {written}"
    assert served.read_text() == written.read_text(), "the download is not the student notebook"
    full = json.loads(notebook.read_text())
    for path in (served, written):
        student = json.loads(path.read_text())
        text = _notebook_text(student)
        leaked = [f for f in fragments if f in text]
        assert not leaked, f"{path.relative_to(ROOT)} holds solution text: {leaked[:3]}"
        sources = "\n".join("".join(c["source"]) for c in student["cells"])
        assert "{solution" not in sources, f"{path.relative_to(ROOT)} holds a solution directive"
        count = lambda nb: sum("".join(c["source"]).count("{exercise}") for c in nb["cells"])  # noqa: E731
        assert count(student) == count(full) >= 3, f"{path.relative_to(ROOT)} lost exercises"
    assert all(f in _notebook_text(full) for f in fragments), "the fragments must come from the full notebook"


def test_no_file_of_the_student_build_holds_a_solution_directive(student_build):
    assert student_build.returncode == 0
    build = STUDENT.parent
    files = [p for p in build.rglob("*") if p.suffix in (".ipynb", ".html", ".md", ".txt") and p.is_file()]
    files += [STUDENT / "searchindex.js", *STUDENT_NOTEBOOKS.glob("*.ipynb")]
    assert len(files) > 20
    held = [str(p.relative_to(ROOT)) for p in files if "{solution" in p.read_text(errors="replace")]
    assert not held, f"files of the student build that hold a solution directive: {held[:5]}"


def _search_terms(build, page) -> set:
    """The search index's words (stemmed as Sphinx stems them) that point to one page."""
    text = (build / "searchindex.js").read_text()
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    doc = index["docnames"].index(page.with_suffix("").as_posix())
    terms = set()
    for table in (index["terms"], index["titleterms"]):
        for term, docs in table.items():
            if doc in (docs if isinstance(docs, list) else [docs]):
                terms.add(term)
    return terms


def _stems(text: str) -> set:
    """The keys Sphinx's English search index would give the words of a text."""
    from sphinx.search.en import SearchEnglish

    lang, keys = SearchEnglish({}), set()
    for word in lang.split(text):
        stemmed = lang.stem(word).lower()
        if not lang.word_filter(stemmed) and lang.word_filter(word):
            stemmed = word
        if lang.word_filter(stemmed):
            keys.add(stemmed)
    return keys


def _solution_and_other_text(notebook):
    """The text of a notebook's solutions (prose and code), and all its other text (outputs too)."""
    solution, other = [], []
    for cell, part, text in split_solutions(json.loads(notebook.read_text())["cells"]):
        target = other if part == "other" else solution
        if cell["cell_type"] == "code":
            target.extend([text, _notebook_text({"cells": [{**cell, "source": ""}]})])
        elif part == "solution":
            solution.append("\n".join(line for line in text.split("\n") if not line.startswith(":")))
        else:
            target.append(text)
    return ROLE.sub(" ", "\n".join(solution)), ROLE.sub(" ", "\n".join(other))


@pytest.mark.parametrize("notebook", toc_notebooks(), ids=lambda p: p.name)
def test_search_index_holds_no_solution_word(notebook, built_book, student_build):
    assert built_book.returncode == 0 and student_build.returncode == 0
    from bs4 import BeautifulSoup

    solution, other = _solution_and_other_text(notebook)
    page = notebook.relative_to(ROOT).with_suffix(".html")
    # what the full page shows besides its solutions (its reference list, glued values, ...)
    article = BeautifulSoup((FULL / page).read_text(), "html.parser").find("article")
    for block in article.select("div.solution"):
        block.decompose()
    only_in_solutions = _stems(solution) - _stems(other) - _stems(article.get_text(" "))
    full, student = _search_terms(FULL, page), _search_terms(STUDENT, page)
    found = only_in_solutions & full
    assert len(found) >= 3, f"{notebook.name}: too few solution-only words in the full edition's index: {found}"
    leaked = only_in_solutions & student
    assert not leaked, f"the student edition's search index finds {page} by solution words: {sorted(leaked)[:10]}"

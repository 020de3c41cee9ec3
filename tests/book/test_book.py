"""The HTML book builds from the stored notebooks with no warning (warnings are errors)."""

import pytest

from book_files import ROOT, toc_files, toc_numbers

pytestmark = pytest.mark.slow            # left out of `make unit`

BUILD = ROOT / "_build" / "html"


def test_book_builds_without_warnings(built_book):
    assert built_book.returncode == 0, \
        "jupyter-book build -W -n --keep-going failed:\n" + built_book.stdout[-6000:] + built_book.stderr[-6000:]
    assert "WARNING" not in built_book.stdout + built_book.stderr


def test_every_page_of_the_toc_is_built(built_book):
    assert built_book.returncode == 0
    for source in toc_files():
        page = BUILD / source.relative_to(ROOT).with_suffix(".html")
        assert page.exists(), f"{page.relative_to(ROOT)} was not built"
    # index.html sends the browser to the introduction, which lists every chapter in its sidebar
    assert "book/intro.html" in (BUILD / "index.html").read_text()
    intro = (BUILD / "book" / "intro.html").read_text()
    assert "Weakly Supervised Learning" in intro
    for source in toc_files()[1:]:
        assert source.stem + ".html" in intro, f"the sidebar of the introduction does not link {source.name}"


def test_chapter_numbers_of_the_tables_are_those_of_the_built_book(built_book):
    """The intro's map and the instructors' tables number pages as the sidebar does (a section page of a
    chapter comes after the chapter's own headings: 7.9, not 7.1)."""
    assert built_book.returncode == 0
    intro_source = (ROOT / "book" / "intro.md").read_text()
    for stem, number in toc_numbers().items():
        page = (BUILD / "book" / f"{stem}.html").read_text()
        assert f'class="section-number">{number}. ' in page or f'class="section-number">{number}.<' in page, \
            f"{stem}: the built page is not numbered {number}"
        assert f"| {number} | [" in intro_source, f"the intro's map does not number {stem} as {number}"


def test_every_reference_has_a_doi_or_a_url_and_its_authors():
    """A reader can follow every entry of the bibliography (a DOI, else a URL: arXiv or the
    proceedings' page), and no author list ends in "and others" (which the reference list would
    print as a person named "others")."""
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "book" / "references.bib")).entries
    unlinked = [key for key, entry in entries.items() if not ({"doi", "url"} & {f.lower() for f in entry.fields})]
    assert not unlinked, f"references without a DOI or URL: {unlinked}"
    unfinished = [key for key, entry in entries.items()
                  if any(str(p) == "others" for p in entry.persons.get("author", []))]
    assert not unfinished, f"author lists ending in 'and others': {unfinished}"


def test_a_constants_sentence_docstring_is_not_read_as_a_type():
    import importlib.util
    from sphinx.ext.napoleon import Config, GoogleDocstring
    spec = importlib.util.spec_from_file_location("page_fixes", ROOT / "book" / "_ext" / "page_fixes.py")
    page_fixes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page_fixes)

    def rendered(docstring, what="data"):
        lines = GoogleDocstring(docstring, Config(), what=what, name="m.X").lines()  # what napoleon gives
        page_fixes._sentence_is_not_a_type(None, what, "m.X", None, {}, lines)
        return lines

    sentence = rendered("The words that start the line a checker prints: a verdict.\n\nMore.")
    assert not any(line.startswith(":type:") for line in sentence)
    assert sentence[0] == "The words that start the line a checker prints: a verdict."
    assert "More." in sentence
    for typed, kind in (("int: the count", "int"), ("list of str: names", "list of str"),
                        ("int or None: a size", "int or None")):
        assert f":type: {kind}" in rendered(typed)                  # a real type is left alone

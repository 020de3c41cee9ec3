"""make set-repository URL=...: one command sets the book's repository URL everywhere."""

import json
import shutil
import sys

import pytest

from book_files import ROOT, load_config, toc_notebooks

sys.path.insert(0, str(ROOT / "scripts"))
import set_repository  # noqa: E402


@pytest.fixture()
def copy(tmp_path):
    for name in ("_config.yml", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "book" / "license.md", tmp_path / "book" / "license.md")
    for path in toc_notebooks():
        shutil.copy(path, tmp_path / "book" / path.name)
    return tmp_path


def test_the_url_is_set_in_every_place(copy):
    old = load_config()["repository"]["url"]
    changed = set_repository.set_repository("https://github.com/someone/wsl-book.git", root=copy)
    new = "https://github.com/someone/wsl-book"
    assert len(changed) == 3 + len(toc_notebooks())
    assert f"url: {new}" in (copy / "_config.yml").read_text()
    for path in [copy / "CITATION.cff", copy / "book" / "license.md"]:
        assert new in path.read_text() and old not in path.read_text()
    for path in toc_notebooks():
        nb = json.loads((copy / "book" / path.name).read_text())
        assert f"git+{new}\"" in "".join(nb["cells"][0]["source"])
        assert nb["cells"][1:] == json.loads(path.read_text())["cells"][1:]      # nothing else changes


@pytest.mark.parametrize("url", ["http://github.com/a/b", "https://gitlab.com/a/b", "https://github.com/a",
                                 "github.com/a/b", "https://github.com/a/b/c"])
def test_a_url_that_is_not_a_github_repository_is_refused(copy, url):
    with pytest.raises(ValueError, match="URL: expected https://github.com/<owner>/<name>"):
        set_repository.set_repository(url, root=copy)

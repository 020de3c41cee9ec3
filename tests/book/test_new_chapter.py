"""scripts/new_chapter.py writes a chapter skeleton that already follows every convention."""

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from book_files import ROOT, toc_notebooks


def test_new_chapter_skeleton_runs_and_follows_the_conventions(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "new_chapter.py"), "ch99_example",
                             "An example", "--book", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "ch99_example.ipynb"
    nb = nbformat.read(path, as_version=4)
    # the same Colab cell as every chapter of the book
    first = json.loads(toc_notebooks()[0].read_text())["cells"][0]
    assert nb.cells[0].source == "".join(first["source"]) and nb.cells[0].metadata.tags == ["remove-cell"]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert text.count("```{exercise}") == 3 and "{solution-start}" in text and "{solution-end}" in text
    assert "{bibliography}" in text and "{admonition}" in text and "{glue:text}" in text
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "= checked: two and two make four" in printed


def test_new_chapter_refuses_bad_names(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "new_chapter.py"), "Chapter 8", "x",
                             "--book", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode != 0 and "expected chNN_words_with_underscores" in result.stderr


def test_every_notebook_has_the_same_colab_cell():
    cells = {p.name: "".join(json.loads(p.read_text())["cells"][0]["source"]) for p in toc_notebooks()}
    assert len(set(cells.values())) == 1, f"the Colab cells differ: {sorted(cells)}"


def _run_colab_cell(source, monkeypatch):
    """Run the Colab cell as Colab would (google.colab imported), with pip replaced by a recorder."""
    import types

    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args))
    exec(compile(source, "colab-cell", "exec"), {})
    return calls


def test_the_colab_cell_says_what_to_do_when_the_book_names_no_repository(monkeypatch):
    source = "".join(json.loads(toc_notebooks()[0].read_text())["cells"][0]["source"])
    if "PLACEHOLDER-ORG" not in source:
        pytest.skip("the book names its repository")
    with pytest.raises(SystemExit, match="names no repository to install wsl_lib from: upload the book's folder"):
        _run_colab_cell(source, monkeypatch)


def test_the_colab_cell_installs_from_a_real_repository(monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import new_chapter

    source = new_chapter.colab_cell("https://github.com/owner/wsl-book").source
    calls = _run_colab_cell(source, monkeypatch)
    assert calls and calls[0][-1] == "wsl_lib[notebooks] @ git+https://github.com/owner/wsl-book"

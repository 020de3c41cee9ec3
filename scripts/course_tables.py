"""Write the tables of the page "For instructors" from the notebooks themselves.

    python scripts/course_tables.py            # writes book/_data/chapters.md, exercises.md and run_times.md
    python scripts/course_tables.py --check    # exits 1 if the written tables are out of date

For each chapter listed in ``_toc.yml``: the reading time and the prerequisites from its
objectives admonition (the ``**Time:**`` and ``**Prerequisites:**`` lines; the prerequisites go
in a list under the table, so that the table fits a phone), its measured execution time alone
with nothing cached (``book/_data/execution_times.json``) and its Colab link (built from the
repository URL in ``_config.yml``). For each exercise: its title, its kind (a *coding*
exercise has a checker in ``wsl_lib.exercises`` that the student runs; an *experiment* asks
to change something and measure; the others are *conceptual*), and the checker's name. And
for the page "Running this book", each notebook's time in book order and alone.
``make execute`` and ``make execute-cold`` run this script; ``tests/book/test_course_tables.py`` fails when the tables
are stale, so the page never drifts from the chapters.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
from book_toc import toc_notebooks, toc_numbers  # noqa: E402

OUT = ROOT / "book" / "_data"
EXERCISE = re.compile(r"```\{exercise\}\s*(?P<title>[^\n]*)\n:label:\s*(?P<label>\S+)\n(?P<body>.*?)```", re.S)
EXPERIMENT_WORDS = re.compile(r"\b(change|train|retrain|measure|run|sweep|vary|try)\b", re.I)


def _field(text: str, name: str) -> str:
    match = re.search(rf"\*\*{name}:\*\*\s*(.+?)(?=\n\*\*|\n```|$)", text, re.S)
    return " ".join(match.group(1).split()) if match else "—"


def chapter_info(path: Path) -> dict:
    nb = json.loads(path.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    title = re.search(r"^# (.+)$", markdown, re.M)
    exercises = []
    for m in EXERCISE.finditer(markdown):
        body = m.group("body")
        checker = re.search(r"(grade_[a-z0-9_]+)\(", body)
        kind = "coding" if checker else ("experiment" if EXPERIMENT_WORDS.search(m.group("title") + " " + body)
                                         else "conceptual")
        exercises.append({"label": m.group("label"), "title": m.group("title").strip(), "kind": kind,
                          "checker": checker.group(1) if checker else ""})
    return {"file": path.name, "title": title.group(1).strip() if title else path.stem,
            "time": _field(markdown, "Time"), "prerequisites": _field(markdown, "Prerequisites"),
            "exercises": exercises}


def colab_link(notebook: str) -> str:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"].get("branch", "main")
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/book/{notebook}"


def chapter_number(path_or_name) -> str:
    """'3' for ch03_cam.ipynb, '7.9' for the section page of chapter 7 (the numbers of the sidebar); '' for pages
    outside the numbered parts."""
    return toc_numbers().get(Path(path_or_name).stem, "")


def reading_minutes(time: str) -> str:
    """'25 min' from 'about 25 minutes to read, under a minute to run ...' (the run time has its own column)."""
    match = re.search(r"(\d+)\s*min(?:ute)?s?\b[^;,.]*\bread", time)
    return f"{match.group(1)}\u00a0min" if match else re.split(r"[;,]", time)[0].removesuffix(".")


def _numbered_title(c: dict) -> str:
    number = chapter_number(c["file"])
    return f"{number}. {c['title']}" if number else c["title"]


def tables() -> dict:
    """The two tables of the page, narrow enough for a phone: short columns, prose below them."""
    measured = json.loads((OUT / "execution_times.json").read_text())
    # each notebook alone with nothing cached (what a student on Colab waits), else in book order
    times = {**measured["notebooks"], **measured.get("cold", {})}
    chapters = [chapter_info(p) for p in toc_notebooks()]
    lines = ["| chapter | read | run | Colab |",
             "| --- | ---: | ---: | --- |"]
    for c in chapters:
        seconds = f"{times[c['file']]:.0f}\u00a0s" if c["file"] in times else "—"
        lines.append(f"| [{_numbered_title(c)}]({c['file']}) | {reading_minutes(c['time'])} | {seconds} | "
                     f"[open]({colab_link(c['file'])}) |")
    lines += ["", "**Prerequisites** of each chapter:", ""]
    lines += [f"* **{_numbered_title(c)}**: {c['prerequisites']}" for c in chapters]
    ex_lines = ["| ch. | exercise | kind | checker |", "| --- | --- | --- | --- |"]
    for c in chapters:
        for e in c["exercises"]:
            check = f"`{e['checker']}`" if e["checker"] else "—"
            ex_lines.append(f"| {chapter_number(c['file']) or 'first look'} | {{ref}}`{e['title']} <{e['label']}>` | "
                            f"{e['kind']} | {check} |")
    return {"chapters.md": "\n".join(lines) + "\n", "exercises.md": "\n".join(ex_lines) + "\n",
            "run_times.md": run_times(chapters, measured), "layers.md": layers(), "api_modules.md": api_modules()}


def _layers() -> list[list[str]]:
    """wsl_lib's layers, top first, as the import-linter contract of pyproject.toml writes them."""
    import tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    return [[m.strip() for m in layer.split("|")] for layer in contract["layers"]]


def _module_doc(name: str):
    """The docstring and ``__all__`` of ``wsl_lib/<name>.py``, read without importing it."""
    import ast

    source = (ROOT / "wsl_lib" / f"{name}.py").read_text()
    tree = ast.parse(source)
    names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                  and any(getattr(t, "id", None) == "__all__" for t in n.targets)), [])
    lines = source.splitlines()
    documented = set()        # what autodoc shows: functions and classes, and constants with a #: comment
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            documented.add(node.name)
        elif isinstance(node, ast.Assign) and node.lineno > 1 and lines[node.lineno - 2].lstrip().startswith("#:"):
            documented |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return ast.get_docstring(tree) or "", [(n, n in documented) for n in names]


def _job(doc: str) -> str:
    first = doc.strip().splitlines()[0].rstrip(".") if doc.strip() else "—"
    return re.sub(r":[a-z]+:`~?([^`<]+?)(?: <[^>]+>)?`", r"`\1`", first).replace("|", "/")


def api_modules() -> str:
    """The body of the page "The library": one section per public module, from the lowest layer up
    (the order a reader meets them), each with a short contents of its public names, then autodoc's
    entries (the module's docstring first, whose first line is its job)."""
    out = []
    for layer in reversed(_layers()):
        for name in layer:
            if name.startswith("_"):
                continue
            doc, names = _module_doc(name)
            contents = ", ".join(f"{{py:obj}}`~wsl_lib.{name}.{n}`" if shown else f"`{n}`" for n, shown in names)
            out += [f"## `wsl_lib.{name}`", "", f"**Contents:** {contents}", "",
                    "```{eval-rst}", f".. automodule:: wsl_lib.{name}", "   :members:", "```", ""]
    return "\n".join(out)


def layers() -> str:
    """The table of the page "The library": wsl_lib's layers, top first, as the import-linter contract
    of pyproject.toml writes them (the one place they are kept), each module with the first line of
    its docstring (its job)."""
    layers = _layers()
    lines = ["```{table}", ":class: wsl-layers", "", "| layer: module | its job |", "| --- | --- |"]
    for number, layer in enumerate(layers):
        for name in layer:
            module = f"`{name}` (private)" if name.startswith("_") else f"{{mod}}`{name} <wsl_lib.{name}>`"
            lines.append(f"| {len(layers) - number}:\u00a0{module} | {_job(_module_doc(name)[0])} |")
    return "\n".join(lines + ["```"]) + "\n"


def run_times(chapters: list, measured: dict) -> str:
    """The table of the page "Running this book": each notebook's time in book order and alone."""
    def seconds(table, name):
        return f"{table[name]:.0f}\u00a0s" if name in table else "—"
    lines = ["| notebook | in book order | alone, nothing cached |", "| --- | ---: | ---: |"]
    for c in chapters:
        lines.append(f"| [{_numbered_title(c)}]({c['file']}) | {seconds(measured['notebooks'], c['file'])} | "
                     f"{seconds(measured.get('cold', {}), c['file'])} |")
    return "\n".join(lines) + f"\n\nMeasured on {measured['machine']}.\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the written tables are up to date")
    args = parser.parse_args(argv)
    stale = []
    for name, text in tables().items():
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run: python scripts/course_tables.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start a new chapter from the book's template.

    python scripts/new_chapter.py ch08_points "Learning from points"

writes ``book/ch08_points.ipynb`` with the chapter skeleton of CONTRIBUTING.md: the Colab
cell (built from the repository URL in ``_config.yml``), the objectives admonition, a
first section, a summary, three exercises with solutions (one gated, with a code cell), and
the references. Add the file to ``_toc.yml``, write the chapter, then ``make execute``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent


def colab_cell(repository_url: str):
    # formatted as black formats it (tests/book/test_notebooks.py checks every notebook with black); a
    # copy of the book made before it was published names the placeholder repository, and then the
    # cell says in one line what to do instead of failing with pip's error
    source = (
        "# Runs only on Google Colab: installs wsl_lib (and what the notebooks import) from the book's repository.\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    PACKAGE = "wsl_lib[notebooks] @ git+{repository_url}"\n'
        '    if "PLACEHOLDER-ORG" in PACKAGE:  # a copy made before the book was published\n'
        "        raise SystemExit(\n"
        '            "This copy of the book names no repository to install wsl_lib from: upload the "\n'
        "            \"book's folder to Colab, run !pip install '<folder>[notebooks]' and run this \"\n"
        '            "notebook again (or ask for the address of the book\'s repository)."\n'
        "        )\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGE], check=True)'
    )
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["remove-cell"]
    return cell


def chapter(name: str, title: str, repository_url: str):
    short = name.split("_")[0]
    cells = [
        colab_cell(repository_url),
        new_markdown_cell(f"""# {title}

One paragraph: what question this chapter answers, and why a reader should care.

```{{admonition}} In this chapter
:class: tip
**Time:** about N minutes to read, under a minute to run on a laptop CPU.
**Prerequisites:** the chapters this one builds on.
**You will be able to:** two or three concrete skills.
**Notation and terms:** {{doc}}`notation`, {{doc}}`glossary`.
```"""),
        new_code_cell("import torch\n\nimport wsl_lib as wsl\nfrom myst_nb import glue\nfrom wsl_lib import check, claim\n\n"
                      "wsl.seeding.seed_everything(0)"),
        new_markdown_cell("## The first idea\n\nProse, then a short code cell that calls wsl_lib. Every number stated "
                          "in the prose is glued from a computation. An empirical finding is checked by a claim "
                          "(`claim(full > weak, \"full beats weak\")`, stated only if it holds in every run of "
                          "`make robustness`); what holds by construction, by a check."),
        new_code_cell(f'value = 2 + 2\nglue("{short}_value", f"{{value}}", display=False)\n'
                      'check(value == 4, "two and two make four")'),
        new_markdown_cell(f"Two and two make {{glue:text}}`{short}_value`.\n\n## Summary\n\n* The main point.\n\n"
                          f"""## Exercises

```{{exercise}} A conceptual question
:label: ex-{short}-concept

The question.
```

```{{solution}} ex-{short}-concept
:class: dropdown

The answer.
```

```{{exercise}} A coding exercise
:label: ex-{short}-code

What to compute, and how to check it: `wsl.exercises.grade_...(your_answer, ...)`.
```

```{{solution-start}} ex-{short}-code
:class: dropdown
```

The solution's explanation; the code cells before `solution-end` belong to the solution."""),
        new_code_cell('answer = 2 + 2\ncheck(answer == 4, "the solution\'s answer is right")'),
        new_markdown_cell(f"""```{{solution-end}}
```

```{{exercise}} An experiment
:label: ex-{short}-experiment

Change one thing and predict, then measure, what happens.
```

```{{solution}} ex-{short}-experiment
:class: dropdown

What happens, and why.
```

## References

```{{bibliography}}
:filter: docname in docnames
```"""),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="file name without suffix, e.g. ch08_points")
    parser.add_argument("title", help="the chapter's title")
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="where to write (default: book/)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"ch\d\d_[a-z0-9_]+", args.name):
        parser.error(f"name: expected chNN_words_with_underscores, got {args.name!r}")
    target = args.book / f"{args.name}.ipynb"
    if target.exists():
        parser.error(f"{target} exists already")
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    nbformat.write(chapter(args.name, args.title, url), target)
    print(f"wrote {target}; add it to _toc.yml, write it, then run: make execute")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the robustness report compares: the code that decides the book's results (its
:func:`fingerprint`) and a run's notebook outputs against the stored book's, as nbval does
(:func:`compare`), with the claims, checks and glued values each notebook recorded.

Used by scripts/robustness.py (the command line), its runner (scripts/robustness_run.py) and
tests/book/test_clean_install.py.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tokenize
from pathlib import Path

from book_toc import toc_notebooks

ROOT = Path(__file__).resolve().parent.parent
RECORD_KEY = "wsl-claim-"                 # the glue keys of wsl_lib.claims' records
SKIP_TAGS = {"nbval-ignore-output", "nbval-skip"}
CLAIM_PREFIX = "\u2713 "
FAILED_PREFIX = "\u2717 did not hold in this run: "
CHECK_PREFIX = "= checked: "


# --------------------------------------------------------------------------- what decides the results

def code_text(source: str) -> str:
    """The code of a module as its syntax tree, without docstrings: comments, blank lines,
    spacing and formatting (black's parentheses and trailing commas included) leave it unchanged.

    ``ast.dump`` of the tree with every docstring removed and no positions, so that reformatting a
    notebook (``black``) or editing a comment or a docstring does not make the report stale,
    while any change to what the code does changes it.
    """
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and "remove-cell" not in c.get("metadata", {}).get("tags", [])]


def fingerprint(root: Path = ROOT) -> str:
    """SHA-256 of what decides the book's results: the code cells of the notebooks of _toc.yml
    (in order; the Colab install cell, tagged ``remove-cell``, left out) and the code of every
    wsl_lib module, both as :func:`code_text` (without docstrings, comments and spacing, so that
    editing those, or reformatting, does not make the report stale)."""
    h = hashlib.sha256()
    for path in toc_notebooks():
        h.update(f"notebook {path.name}\0".encode())
        for source in _code_cells(path):
            try:
                text = code_text(source)
            except (SyntaxError, tokenize.TokenError):      # IPython syntax: hash the cell as it is
                text = source
            h.update(text.encode() + b"\0")
    for path in sorted((root / "wsl_lib").glob("*.py")):
        h.update(f"module {path.name}\0{code_text(path.read_text())}\0".encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- reading outputs

def _sanitizers() -> list[tuple[re.Pattern, str]]:
    lines = (ROOT / "tests" / "sanitize.cfg").read_text().splitlines()
    pairs, pattern = [], None
    for line in lines:
        if line.startswith("regex: "):
            pattern = re.compile(line[len("regex: "):])
        elif line.startswith("replace: ") and pattern is not None:
            pairs.append((pattern, line[len("replace: "):]))
            pattern = None
    return pairs


def _sanitize(text: str, pairs) -> str:
    for pattern, replacement in pairs:
        text = pattern.sub(replacement, text)
    return text


def _is_claim_line(line: str) -> bool:
    return line.startswith(CLAIM_PREFIX) or line.startswith(FAILED_PREFIX)


def _text(out: dict) -> str:
    return "".join(out["text"]) if isinstance(out["text"], list) else out["text"]


def compared_text(cell: dict, pairs, claim_lines: bool = False) -> list[str]:
    """The text of a cell's outputs as nbval compares it: stream text (without claim lines, which
    the robustness run counts as claims, unless ``claim_lines``), and every MIME type of results
    and displays but images and glue records."""
    texts, outputs = [], []
    for out in cell.get("outputs", []):            # consecutive stream outputs are one, as in nbval
        if out.get("output_type") == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                and outputs[-1]["name"] == out["name"]:
            outputs[-1] = dict(outputs[-1], text=_text(outputs[-1]) + _text(out))
        else:
            outputs.append(out)
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            kept = [ln for ln in _text(out).splitlines() if claim_lines or not _is_claim_line(ln)]
            if kept:
                texts.append(f"{out['name']}: " + _sanitize("\n".join(kept), pairs))
        elif kind in ("execute_result", "display_data"):
            for mime, value in sorted(out.get("data", {}).items()):
                if mime.startswith("image/") or mime.startswith("application/papermill.record/"):
                    continue
                value = "".join(value) if isinstance(value, list) else value
                texts.append(f"{mime}: " + _sanitize(str(value), pairs))
        elif kind == "error":
            texts.append(f"error: {out.get('ename')}: {out.get('evalue')}")
    return texts


def _record_text(out: dict) -> str | None:
    name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
    text = out.get("data", {}).get("application/papermill.record/text/plain")
    if name.startswith(RECORD_KEY) and text is not None:
        return "".join(text) if isinstance(text, list) else text
    return None


def claims_of(cells: list[dict]) -> tuple[list[dict], int]:
    """The claims of these cells, in order, from the hidden records of ``wsl_lib.claims.claim``
    (``{"statement", "held", "parts": [{"value", "bound", "sense", "unit"}, ...]}``), and the number
    of checks (the ``= checked:`` lines). An exercise checker's ``exercise passed:`` lines leave no record, so they are
    not counted as findings. A record that cannot be read is an error naming the claim."""
    found, checks = [], 0
    for cell in cells:
        for out in cell.get("outputs", []):
            text = _record_text(out)
            if text is not None:
                try:
                    record = json.loads(text)
                    parts = [{"value": float(p["value"]), "bound": float(p["bound"]), "sense": p["sense"],
                              "unit": p["unit"]} for p in record["parts"]]
                    found.append({"statement": str(record["statement"]), "held": bool(record["held"]),
                                  "parts": parts})
                except (ValueError, KeyError, TypeError) as error:
                    raise ValueError(f"claim record {text[:200]!r}: expected statement, held and parts "
                                     f"with numbers, got an error: {error}") from None
            elif out.get("output_type") == "stream":
                checks += sum(line.startswith(CHECK_PREFIX) for line in _text(out).splitlines())
    return found, checks


def glue_of(cells: list[dict]) -> dict:
    """Every glued value's text, by key."""
    values = {}
    for cell in cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            text = out.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None and not name.startswith(RECORD_KEY):
                values[name] = "".join(text) if isinstance(text, list) else text
    return values


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def compare(stored: dict, ran: dict, pairs, claim_lines: bool = False) -> list[dict]:
    """The cells whose compared text differs between the stored notebook and a run (claim lines
    compared too with ``claim_lines``, as nbval does: the test command's comparison)."""
    diffs = []
    for i, (a, b) in enumerate(zip(code_cells(stored), code_cells(ran))):
        if SKIP_TAGS & set(a.get("metadata", {}).get("tags", [])):
            continue
        expected, got = compared_text(a, pairs, claim_lines), compared_text(b, pairs, claim_lines)
        if expected != got:
            diffs.append({"cell": i, "source": "".join(a["source"])[:200], "expected": expected, "got": got})
    return diffs

"""Small fixes to the HTML pages of Jupyter Book 1 that readers would otherwise hit.

* Each inline script of sphinx-thebe and sphinx-togglebutton is added twice to every page
  (their ``env-before-read-docs`` handlers run twice in this toolchain); the second
  ``const THEBE_JS_URL`` is a SyntaxError in the reader's console. Identical scripts are kept once.
* ``book/_static/book.css`` and ``book.js`` are added to every page: long inline URLs wrap on a
  phone, wide display math and tables show a scroll shadow, a click anywhere on a solution's
  title opens it, "Download .ipynb" downloads the notebook (a ``download`` attribute)
  instead of opening its JSON in a tab, a tap on an entry of the phone's Contents drawer closes
  it, and a tap on a figure opens it at full size. (Jupyter Book adds only a top-level ``_static``.)
* The API page: napoleon reads the first line of a constant's docstring as ``type: description``,
  so a constant documented by a sentence with a colon in it (``wsl_lib.exercises.PASSED``) got
  the sentence's start as a type, a cross-reference that cannot resolve (a warning, so ``-W``
  failed). After napoleon, such a "type" that is a sentence is put back into the sentence.
"""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "_static"


def _deduplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script is registered once with filename None and once with ""
        key = (getattr(script, "filename", None) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _add_static(app):
    app.config.html_static_path.append(str(STATIC))


_WORD = re.compile(r"[A-Za-z_][\w.]*")


def _sentence_is_not_a_type(app, what, name, obj, options, lines):
    """Undo napoleon's reading of a sentence's start as the type of a constant.

    Runs after napoleon (priority 600): a ``:type: X`` line whose ``X`` has more than four words
    is a sentence, not a type ("int", "list of str", "int or None"); ``X:`` goes back in front of
    the first line of the description and the ``:type:`` line goes away.
    """
    if what not in ("attribute", "data"):
        return
    for i, line in enumerate(lines):
        if line.startswith(":type: ") and len(_WORD.findall(line[len(":type: "):])) > 4:
            start = line[len(":type: "):].strip()
            del lines[i]
            if i > 0 and not lines[i - 1].strip():
                del lines[i - 1]
            first = next((j for j, text in enumerate(lines) if text.strip()), None)
            if first is None:
                lines.insert(0, start)
            else:
                lines[first] = f"{start}: {lines[first].lstrip()}"
            return


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_css_file("book.css")
    app.add_js_file("book.js")
    app.connect("html-page-context", _deduplicate_scripts)
    app.connect("autodoc-process-docstring", _sentence_is_not_a_type, priority=600)  # after napoleon (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


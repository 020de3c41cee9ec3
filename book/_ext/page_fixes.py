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
  failed). Such a docstring is given a blank first line, which napoleon reads as "no type".
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
    if what in ("attribute", "data") and lines and ":" in lines[0]:
        before = lines[0].split(":", 1)[0]
        if len(_WORD.findall(before)) > 4:          # a sentence, not "int", "list of str", "int or None"
            lines.insert(0, "")


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_css_file("book.css")
    app.add_js_file("book.js")
    app.connect("html-page-context", _deduplicate_scripts)
    app.connect("autodoc-process-docstring", _sentence_is_not_a_type, priority=400)  # before napoleon (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


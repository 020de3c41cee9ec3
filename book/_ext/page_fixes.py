"""Small fixes to the HTML pages of Jupyter Book 1 that readers would otherwise hit.

* Each inline script of sphinx-thebe and sphinx-togglebutton is added twice to every page
  (their ``env-before-read-docs`` handlers run twice in this toolchain); the second
  ``const THEBE_JS_URL`` is a SyntaxError in the reader's console. Identical scripts are kept once.
"""


def _deduplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script is registered once with filename None and once with ""
        key = (getattr(script, "filename", None) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _deduplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


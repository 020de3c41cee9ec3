"""One author-year citation style throughout: reference lists labelled like the text.

With ``bibtex_reference_style: author_year`` the text cites "[Zhou et al., 2016]", while
the reference lists keep pybtex's alpha labels ("[ZKL+16]"). This extension registers a
bibliography style, ``author_year``, that is pybtex's ``alpha`` (entries sorted by author,
year, title) with labels written as the text writes them: "Zhou, 2016", "Ahn and Kwak, 2018",
"Zhou et al., 2016" (a, b, ... after the year when two entries would share a label).
``_config.yml`` selects it with ``bibtex_default_style: author_year``.
"""

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person) -> str:
    """'Van Gool', 'Krähenbühl': von and last parts, LaTeX accents decoded."""
    latex = " ".join(person.prelast_names + person.last_names)
    return Text.from_latex(latex).render_as("text")


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_label(self, entry) -> str:
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last_name(p) for p in persons]
        if len(names) > 1 and names[-1] == "others":     # "X and others": an unfinished list, "X et al."
            names = names[:-1] + ["", ""]
        if not names:
            who = entry.fields.get("key") or entry.key
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who}, {entry.fields.get('year', 'n.d.')}"

    def format_labels(self, sorted_entries):
        labels = [self.format_label(entry) for entry in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1


class AuthorYearStyle(AlphaStyle):
    default_label_style = "author_year"


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}

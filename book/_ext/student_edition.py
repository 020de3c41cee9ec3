"""Student edition: with ``hide_solutions: true``, remove every solution, gated ones included.

sphinx-exercise's ``hide_solutions`` drops ``{solution}`` blocks, but for the gated form
(``{solution-start}`` ... ``{solution-end}``, which lets a solution hold notebook code cells)
it drops only the opening directive: the solution's cells would stay on the page. Here the
opening directive leaves a marker instead, and a transform removes the marker, everything up
to the matching ``{solution-end}``, and the end marker itself.
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node

logger = logging.getLogger(__name__)


class hidden_solution_start(nodes.Element):
    """Where a hidden gated solution begins (removed before anything is written)."""


class StudentSolutionStart(SolutionStartDirective):
    def run(self):
        shown = super().run()                      # also records the gated structure for its checks
        return [hidden_solution_start()] if self.env.app.config.hide_solutions else shown


class RemoveHiddenGatedSolutions(SphinxTransform):
    # after sphinx-exercise checks the gated structure (priority 1), before it merges solutions (10)
    default_priority = 5

    def apply(self):
        for start in list(self.document.findall(hidden_solution_start)):
            parent = start.parent
            first = parent.index(start)
            ends = [i for i in range(first, len(parent.children)) if isinstance(parent.children[i], solution_end_node)]
            if not ends:
                logger.warning("student edition: a solution-start has no solution-end at the same level; "
                               "its solution cannot be hidden", location=start)
                parent.remove(start)
                continue
            for child in parent.children[first:ends[0] + 1]:
                parent.remove(child)


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", StudentSolutionStart, override=True)
    app.add_node(hidden_solution_start)
    app.add_transform(RemoveHiddenGatedSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The GitHub workflows and the Binder environment, checked without running them.

* ``.github/workflows/book.yml`` builds the book and the student edition with the README's
  commands and publishes them with the official Pages actions, the student edition under
  ``/student/``;
* ``.github/workflows/test.yml`` runs the README's test command (``bash .ci/run``) on push,
  on pull requests and on a weekly schedule;
* ``binder/`` installs the versions that ``requirements.txt`` pins (PyTorch's CPU build) and
  then wsl_lib itself.
"""

import os
import re

import pytest
import yaml

from book_files import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    assert isinstance(workflow, dict) and workflow.get("jobs"), f"{name}: no jobs"
    # YAML 1.1 reads the key `on` as True
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in _steps(workflow))


def _uses(workflow: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in _steps(workflow) if "uses" in step]


def readme_commands() -> dict:
    """The README's commands: the two of "Two commands", and `make student` from its table."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", readme, re.S).group(1)
    two = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert two == ["make book", "make test"], f"the README's two commands changed: {two}"
    assert "`make student`" in readme
    return {"book": "make book", "test": "make test", "student": "make student"}


def test_ci_script_runs_the_readmes_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(rf"^{readme_commands()['test']}$", script, re.M), ".ci/run must run the README's test command"


def test_book_workflow_builds_both_editions_and_deploys_to_pages():
    workflow, commands = _load("book.yml"), readme_commands()
    runs = _runs(workflow)
    assert re.search(rf"^\s*{commands['book']}\s*$", runs, re.M), "book.yml must build with the README's command"
    assert re.search(rf"^\s*{commands['student']}\s*$", runs, re.M), "book.yml must build the student edition"
    assert "cp -r _build_student/_build/html _build/html/student" in runs
    uses = _uses(workflow)
    for action in ("actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses, f"book.yml does not use {action}"
    upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    deploy = next(job for job in workflow["jobs"].values()
                  if any(s.get("uses", "").startswith("actions/deploy-pages") for s in job["steps"]))
    assert deploy["environment"]["name"] == "github-pages" and deploy.get("needs")
    assert "main" in workflow["on"]["push"]["branches"]


def test_test_workflow_runs_the_test_command_on_push_pull_request_and_weekly():
    workflow = _load("test.yml")
    triggers = workflow["on"]
    assert "push" in triggers and "pull_request" in triggers
    cron = triggers["schedule"][0]["cron"].split()
    assert len(cron) == 5 and cron[2] == "*" and cron[3] == "*" and cron[4] != "*", "expected a weekly schedule"
    for name, job in workflow["jobs"].items():
        assert any(s.get("run", "").strip() == "bash .ci/run" for s in job["steps"]), f"job {name} does not run .ci/run"
        assert any("chromium-driver" in s.get("run", "") for s in job["steps"]), f"job {name}: no browser"
    assert "--upgrade torch torchvision" in _runs(workflow), "the weekly run should try the newest PyTorch"


def _pins(path) -> dict:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_binder_installs_the_pinned_versions_and_wsl_lib():
    binder = _pins(ROOT / "binder" / "requirements.txt")
    pinned = {**_pins(ROOT / "requirements.txt"), **_pins(ROOT / "requirements-bench.txt")}
    assert binder["torch"] == pinned["torch"] + "+cpu" and binder["torchvision"] == pinned["torchvision"] + "+cpu"
    assert "download.pytorch.org/whl/cpu" in (ROOT / "binder" / "requirements.txt").read_text()
    for name, version in binder.items():
        if name not in ("torch", "torchvision"):
            assert pinned.get(name) == version, f"binder pins {name}=={version}, requirements {pinned.get(name)}"
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert re.search(r"pip install .*-e \.$", post_build.read_text(), re.M)


@pytest.mark.parametrize("name", ["book.yml", "test.yml"])
def test_workflows_use_pinned_major_versions_of_actions(name):
    for step in _steps(_load(name)):
        if "uses" in step:
            assert re.search(r"@v\d+$", step["uses"]), f"{name}: pin {step['uses']} to a major version"

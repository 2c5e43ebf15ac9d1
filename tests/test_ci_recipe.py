"""The GitHub Actions recipe in docs/: valid, in step with the Makefile's gate, shown in the README as it is."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "docs" / "github-actions-gate.yml"


def test_recipe_runs_the_gate_on_pull_requests_and_keeps_its_outputs():
    workflow = yaml.safe_load(RECIPE.read_text())
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    job = workflow["jobs"]["gate"]
    gate_run = next(line.split(":=")[1].strip() for line in (ROOT / "Makefile").read_text().splitlines()
                    if line.startswith("GATE_RUN"))
    assert job["env"]["RUN"] == gate_run
    steps = {step.get("name"): step for step in job["steps"]}
    assert steps["Gate"]["run"].startswith("make gate")
    assert '>> "$GITHUB_STEP_SUMMARY"' in steps["Job summary"]["run"] and steps["Job summary"]["if"] == "always()"
    upload = steps["Upload the report"]
    assert upload["uses"].startswith("actions/upload-artifact@") and "/report.html" in upload["with"]["path"]


def test_readme_shows_the_recipe_as_it_is():
    assert "```yaml\n" + RECIPE.read_text() + "```" in (ROOT / "README.md").read_text()

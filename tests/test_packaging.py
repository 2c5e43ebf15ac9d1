"""The package works installed from a wheel, away from the source tree: tasks, presets, the
chat template and the report's page ship as package data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_install_finds_its_tasks(tmp_path):
    wheels, site, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)], check=True)
    wheel = next(wheels.glob("harness-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], check=True)
    assert sorted(p.name for p in (site / "harness" / "results" / "report_files").iterdir()) == \
           ["report.css", "report.html", "report.js"]
    env = {**os.environ, "PYTHONPATH": str(site)}
    script = "import sys, harness; from harness.cli import main; print(harness.__file__); sys.exit(main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", script, "data", "show", "--task", "sample", "-n", "1"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(str(site)), "the source tree was imported, not the wheel"
    assert "<USER_QUERY>" in result.stdout and "10000 train, 2500 test" in result.stdout
    presets = subprocess.run([sys.executable, "-c", "from harness.training.presets import PRESETS; print(sorted(PRESETS))"],
                             cwd=elsewhere, env=env, capture_output=True, text=True)
    assert presets.returncode == 0 and "'fast'" in presets.stdout, presets.stderr

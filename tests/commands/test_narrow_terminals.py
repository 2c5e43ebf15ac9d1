"""The gate's and the benchmarks' tables on an 80- and a 120-column terminal and in a log: every
line fits, headers and reason codes stay whole, and what is cut says so."""

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

import report_run
from harness import tables
from harness.commands.bench import eval as bench_eval
from harness.commands.gate import print_result
from harness.results.baselines import load_outcomes
from harness.results.gate import compare

BENCH = {"device": "NVIDIA H200", "model": "gemma-3-270m", "checkpoint": "results/reference/adapter", "task": "sample",
         "random_weights": False, "max_new_tokens": 256, "results": [
             {"path": "guide pipeline", "samples": 16, "batch_size": 1, "generate_s": 22.9, "generate_samples_per_s": 0.7,
              "new_tokens_per_s": 21.3, "x_guide": 1.0, "x_guide_step": None},
             {"path": "ours (batched)", "samples": 2500, "batch_size": 512, "generate_s": 31.4, "score_samples_per_s": 82.0,
              "step_samples_per_s": 68.1, "step_s": 36.7, "generate_samples_per_s": 79.5, "new_tokens_per_s": 2405.0,
              "peak_memory_gib": 10.3, "x_guide": 114.0, "x_guide_step": 98.0}]}


def console(width: int, terminal: bool) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=terminal, color_system=None)


def fits(out: Console) -> str:
    text = out.file.getvalue()
    assert all(cell_len(line) <= out.width for line in text.splitlines()), text
    return text


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("terminal", [True, False])
def test_gate_tables(tmp_path, width, terminal):
    run = report_run.make(tmp_path, n=300)
    out = console(width, terminal)
    print_result(compare(load_outcomes(run.path, "epoch_1"), load_outcomes(run.path, "epoch_2")), out, flips=3)
    text = fits(out)
    assert "gate PASS" in text and "[44.2%, 55.5%]" in text and "[+8.7%, +24.4%]" in text
    assert "allowed: drop ≤ 2.0 points, new failures ≤ any" in text
    flip = next(line for line in text.splitlines() if line.startswith(" q0001 "))
    assert flip.split()[:5:2] == ["q0001", "match", "row_mismatch"]  # id and reasons whole
    assert ("SELECT name FROM fruit WHERE id > 1;" in flip) == (width == 120)  # the SQL cut to the width left
    assert "47 more in --json" in text


# thirteen columns (agreement and execution of a served copy included): transposed up to 120 columns
@pytest.mark.parametrize("width, transposed", [(80, True), (120, True), (160, False)])
def test_bench_eval_table_transposes_when_narrow(width, transposed):
    out = console(width, True)
    header, rows, text = bench_eval.table(BENCH)
    tables.show(out, header, rows, **text)
    lines = fits(out).splitlines()
    if transposed:
        assert lines[3].split("┃") == [" path     ", " guide pipeline ", " ours (batched) "]
        assert any(line.split() == ["gen/s", "│", "0.70", "│", "79.50"] for line in lines)
    else:
        assert all(name in lines[1] for name in header)  # one header line, every column whole

"""Regression gate: decisions on made-up outcome tables, baseline files, and `harness gate` exit codes."""

import json

import pytest

from harness import cli
from harness.results.baselines import baseline_path, load_outcomes, outcomes_from_records, write_baseline
from harness.errors import HarnessInputError
from harness.results.gate import FAIL, NOT_COMPARABLE, PASS, Outcome, OutcomeTable, Thresholds, compare
from harness.store import RunStore

META = {"task": "sample", "task_version": 1, "scorer_version": 2, "model": "gemma", "run": "r"}


def table(matches, checkpoint="epoch_1", **meta) -> OutcomeTable:
    """An outcome table with ids s000, s001, ... and the given execution matches."""
    outcomes = {
        f"s{i:03d}": Outcome(m, {True: "match", False: "row_mismatch", None: "gold_error"}[m], f"SELECT {i} -- pred", f"SELECT {i}")
        for i, m in enumerate(matches)
    }
    return OutcomeTable(outcomes, **{**META, **meta}, checkpoint=checkpoint)


def flipped(matches, lose=(), gain=()):
    """A copy of matches with the given indexes turned to False (lose) or True (gain)."""
    out = list(matches)
    for i in lose:
        out[i] = False
    for i in gain:
        out[i] = True
    return out


BASE = [True] * 70 + [False] * 30


def test_improvement_passes_and_lists_newly_passing():
    result = compare(table(BASE), table(flipped(BASE, gain=range(70, 85))))
    assert result.decision == PASS and result.exit_code == 0 and result.reasons == []
    assert result.difference == pytest.approx(0.15)
    assert len(result.newly_passing) == 15 and result.newly_failing == []
    low, high = result.difference_ci
    assert 0.07 < low < 0.15 < high < 0.23
    assert result.p_value == pytest.approx(2 * 0.5**15)


def test_no_change_passes():
    result = compare(table(BASE), table(BASE))
    assert result.decision == PASS
    assert (result.difference, result.difference_ci, result.p_value) == (0.0, (0.0, 0.0), 1.0)
    assert result.baseline_rate.value == result.candidate_rate.value == 0.7


def test_small_noise_passes():
    result = compare(table(BASE), table(flipped(BASE, lose=(0, 1, 2), gain=(70, 71))))
    assert result.decision == PASS
    assert result.difference == pytest.approx(-0.01)
    assert [f.id for f in result.newly_failing] == ["s000", "s001", "s002"]


def test_large_but_insignificant_drop_passes():
    result = compare(table(BASE), table(flipped(BASE, lose=range(5), gain=(70, 71))))
    assert result.difference == pytest.approx(-0.03)
    assert result.p_value == pytest.approx(2 * (1 + 7 + 21) / 2**7)
    assert result.decision == PASS


def test_significant_drop_fails_with_flips():
    result = compare(table(BASE), table(flipped(BASE, lose=range(15))))
    assert result.decision == FAIL and result.exit_code == 1
    assert "dropped 15.0 points (70.0% -> 55.0%" in result.reasons[0] and "McNemar" in result.reasons[0]
    flip = result.newly_failing[0]
    assert (flip.id, flip.baseline_reason, flip.candidate_reason, flip.gold) == ("s000", "match", "row_mismatch", "SELECT 0")
    assert result.difference_ci[1] < 0


def test_drop_must_be_larger_than_max_drop():
    many = [True] * 900 + [False] * 100
    exactly = compare(table(many), table(flipped(many, lose=range(20))), Thresholds(max_drop=0.02))
    assert exactly.p_value < 1e-5 and exactly.decision == PASS
    beyond = compare(table(many), table(flipped(many, lose=range(21))), Thresholds(max_drop=0.02))
    assert beyond.decision == FAIL


def test_many_new_failures_with_a_flat_rate():
    candidate = table(flipped(BASE, lose=range(10), gain=range(70, 80)))
    assert compare(table(BASE), candidate).decision == PASS
    result = compare(table(BASE), candidate, Thresholds(max_new_failures=5))
    assert result.decision == FAIL and result.difference == 0
    assert result.reasons == ["10 samples newly fail (at most 5 allowed)"]
    assert compare(table(BASE), candidate, Thresholds(max_new_failures=10)).decision == PASS


def test_mismatched_ids_are_not_comparable():
    result = compare(table(BASE), table(BASE[:97]))
    assert result.decision == NOT_COMPARABLE and result.exit_code == 2
    assert result.reasons == ["different sample ids: 3 only in the baseline (s097, s098, s099), 0 only in the candidate"]
    assert result.n_paired == 0 and result.p_value is None


@pytest.mark.parametrize(
    "change,words",
    [({"task_version": 2}, "different task version: baseline 1, candidate 2"),
     ({"scorer_version": 3}, "different scorer version: baseline 2, candidate 3"),
     ({"task": "gretel"}, "different task: baseline 'sample', candidate 'gretel'")],
)
def test_different_versions_are_not_comparable(change, words):
    result = compare(table(BASE), table(BASE, **change))
    assert result.decision == NOT_COMPARABLE and result.reasons == [words]


def test_every_difference_is_named():
    other = table(BASE[:50], task_version=9, scorer_version=9)
    assert len(compare(table(BASE), other).reasons) == 3


def test_different_gold_sql_is_not_comparable():
    candidate = table(BASE)
    candidate.outcomes["s005"] = Outcome(True, "match", "x", "SELECT other")
    assert compare(table(BASE), candidate).reasons == ["different gold SQL for 1 sample ids (s005)"]


def test_unjudgeable_samples_are_left_out_and_reported():
    baseline = table([None, None] + BASE[2:])
    candidate = table([True, None, None] + BASE[3:])
    result = compare(baseline, candidate)
    assert result.n_paired == 97
    assert result.unjudgeable == {"baseline": ["s000", "s001"], "candidate": ["s001", "s002"]}
    assert result.decision == PASS and result.newly_failing == []


def test_nothing_judgeable_on_both_sides_is_not_comparable():
    result = compare(table([None, True]), table([True, None]))
    assert result.decision == NOT_COMPARABLE and "no sample is judgeable" in result.reasons[0]


def test_result_serialises_to_json():
    data = json.loads(json.dumps(compare(table(BASE), table(flipped(BASE, lose=range(15)))).to_dict()))
    assert data["decision"] == "fail" and data["exit_code"] == 1
    assert data["baseline_rate"]["rate"] == 0.7 and len(data["newly_failing"]) == 15
    assert data["thresholds"] == {"max_drop": 0.02, "alpha": 0.05, "max_new_failures": None}


# --- baseline files and candidates ------------------------------------------------------------


def records(matches):
    return [
        {"id": o_id, "prediction": o.prediction, "sql": o.gold, "exact_match": False, "ast_match": None,
         "execution_match": o.execution_match, "test_suite_match": o.execution_match, "reason": o.reason}
        for o_id, o in table(matches).outcomes.items()
    ]


def make_run(root, name, epochs, scorer_version=2):
    """A run folder with base and epoch_1.. evaluations; epochs maps checkpoint -> matches."""
    run = RunStore(root / name)
    run.write_manifest({"run": name, "task": {"name": "sample", "version": 1}, "model": "gemma", "preset": "cpu"})
    for checkpoint, matches in epochs.items():
        summary = {"run": name, "checkpoint": checkpoint, "epoch": None, "model": "gemma", "task": "sample",
                   "task_version": 1, "scorer_version": scorer_version, "split": "test", "n": len(matches), "metrics": {}}
        run.write_eval(checkpoint, records(matches), summary)
    return run.path


def test_baseline_round_trip(tmp_path):
    original = table(BASE + [None])
    written = write_baseline(original, tmp_path / "b.json")
    assert written["n"] == 101 and written["execution_accuracy"] == 0.7
    loaded = load_outcomes(tmp_path / "b.json")
    assert loaded.outcomes == original.outcomes
    assert (loaded.task, loaded.task_version, loaded.scorer_version, loaded.checkpoint) == ("sample", 1, 2, "epoch_1")
    assert compare(original, loaded).decision == PASS


def test_candidate_forms_resolve_to_the_same_outcomes(tmp_path):
    path = make_run(tmp_path, "r", {"base": BASE[::-1], "epoch_1": BASE, "epoch_2": flipped(BASE, lose=[0])})
    from_run = load_outcomes(path)
    assert from_run.checkpoint == "epoch_2" and from_run.outcomes["s000"].execution_match is False
    assert load_outcomes(path, "epoch_1").outcomes == load_outcomes(path / "eval" / "epoch_1").outcomes
    assert load_outcomes(path / "eval" / "epoch_1" / "summary.json").outcomes["s000"].execution_match is True
    assert load_outcomes(path / "eval" / "base" / "samples.jsonl").checkpoint == "base"


@pytest.mark.parametrize(
    "rows,words",
    [([{"execution_match": True}], "line 1: no sample id"),
     ([{"id": 1, "execution_match": True}, {"id": "1", "execution_match": True}], "line 2: sample id '1' appears twice"),
     ([{"id": "a", "execution_match": "yes"}], "execution_match must be true, false or null"),
     ([{"id": "a"}], "line 1: no execution_match field")],
)
def test_bad_records_are_named(rows, words):
    with pytest.raises(HarnessInputError, match=words):
        outcomes_from_records(rows, "x.jsonl")


def test_bad_candidate_paths(tmp_path):
    with pytest.raises(HarnessInputError, match="no such file or folder"):
        load_outcomes(tmp_path / "missing")
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(HarnessInputError, match="neither a baseline file nor a summary.json"):
        load_outcomes(tmp_path / "other.json")
    (tmp_path / "empty" / "eval").mkdir(parents=True)
    with pytest.raises(HarnessInputError, match="no evaluated checkpoints"):
        load_outcomes(tmp_path / "empty")


def test_run_with_only_other_checkpoints_needs_a_name(tmp_path):
    path = make_run(tmp_path, "r", {"base": BASE, "merged": BASE})
    with pytest.raises(HarnessInputError, match="name one with --checkpoint"):
        load_outcomes(path)
    assert load_outcomes(path, "merged").checkpoint == "merged"


def test_bare_baseline_names_live_under_results_baselines():
    assert str(baseline_path("ref")) == "results/baselines/ref.json"
    assert str(baseline_path("ci/ref.json")) == "ci/ref.json"


# --- the command ---------------------------------------------------------------------------


def test_gate_command_exit_codes_and_outputs(tmp_path, capsys):
    good = make_run(tmp_path, "good", {"epoch_1": BASE})
    worse = make_run(tmp_path, "worse", {"epoch_1": flipped(BASE, lose=range(15))})
    other = make_run(tmp_path, "other", {"epoch_1": BASE}, scorer_version=3)
    baseline = tmp_path / "baselines" / "ref.json"
    assert cli.main(["gate", str(good), "--baseline", str(baseline), "--write-baseline"]) == 0
    assert "wrote baseline" in capsys.readouterr().out and baseline.is_file()

    assert cli.main(["gate", str(good), "--baseline", str(baseline)]) == 0
    assert "gate PASS" in capsys.readouterr().out

    md, js = tmp_path / "out" / "gate.md", tmp_path / "out" / "gate.json"
    assert cli.main(["gate", str(worse), "--baseline", str(baseline), "--markdown", str(md), "--json", str(js)]) == 1
    out = capsys.readouterr().out
    assert "gate FAIL" in out and "Newly failing (15)" in out and "s000" in out
    assert "## ❌ Gate FAIL" in md.read_text() and "| s000 | match | row_mismatch | `SELECT 0 -- pred` | `SELECT 0` |" in md.read_text()
    assert json.loads(js.read_text())["exit_code"] == 1

    assert cli.main(["gate", str(worse), "--baseline", str(baseline), "--max-drop", "0.2"]) == 0
    capsys.readouterr()
    assert cli.main(["gate", str(other), "--baseline", str(baseline), "--json", str(js)]) == 2
    assert "NOT COMPARABLE" in capsys.readouterr().out
    assert json.loads(js.read_text())["reasons"] == ["different scorer version: baseline 2, candidate 3"]


def test_gate_command_bad_input_exits_2(tmp_path, capsys):
    good = make_run(tmp_path, "good", {"epoch_1": BASE})
    assert cli.main(["gate", str(good), "--baseline", str(tmp_path / "none.json")]) == 2
    assert "no such baseline; create one with --write-baseline" in capsys.readouterr().err
    baseline = tmp_path / "b.json"
    write_baseline(table(BASE), baseline)
    assert cli.main(["gate", str(baseline), "--baseline", str(baseline), "--checkpoint", "epoch_1"]) == 2
    assert "--checkpoint applies only to a run folder" in capsys.readouterr().err
    assert cli.main(["gate", str(good), "--baseline", str(baseline), "--alpha", "0"]) == 2
    assert cli.main(["gate", str(good), "--baseline", str(baseline), "--checkpoint", "epoch_9"]) == 2
    assert "epoch_9" in capsys.readouterr().err


def test_bare_baseline_name_and_folder_baselines(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    good = make_run(tmp_path, "good", {"base": flipped(BASE, lose=range(30)), "epoch_1": BASE})
    assert cli.main(["gate", str(good), "--baseline", "ref", "--write-baseline"]) == 0
    assert json.loads((tmp_path / "results" / "baselines" / "ref.json").read_text())["checkpoint"] == "epoch_1"
    assert cli.main(["gate", str(good / "eval" / "base"), "--baseline", "ref"]) == 1  # base is far worse
    assert cli.main(["gate", str(good), "--baseline", str(good / "eval" / "epoch_1")]) == 0
    assert cli.main(["gate", str(good), "--baseline", str(good), "--write-baseline"]) == 2
    assert "is a folder" in capsys.readouterr().err

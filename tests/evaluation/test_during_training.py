"""Evaluation during training on a tiny random Gemma 3: in float32 the records equal a post-hoc
`evaluate` of the same adapters, which finds every output cached; TensorBoard scalars; `harness run`
resuming an interrupted run evaluates what the interruption lost."""

import json

import pytest
import tiny_models
import torch
from transformers import TrainerCallback

from harness import cli
from harness.data.tasks import load_task
from harness.evaluation.during_training import EvaluateDuringTraining
from harness.evaluation.evaluate import Checkpoint, evaluate
from harness.generation.generate import DecodeConfig
from harness.scoring.record import METRIC_NAMES
from harness.scoring.scorer import ScoreConfig
from harness.store import RunStore
from harness.training import train as training
from harness.training.presets import apply_overrides, load_preset

DECODE = DecodeConfig(max_new_tokens=12, dtype="float32")
SCORING = ScoreConfig(workers=1, test_suite_k=1, generated_k=1)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_models.build(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))


def tiny_config(tiny):
    values = {"model": str(tiny), "epochs": 2, "max_length": 128, "batch_size": 2, "grad_accum": 1, "logging_steps": 1}
    return apply_overrides(load_preset("cpu"), values)


def without_timings(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "timings"} for r in records]


def test_records_equal_a_post_hoc_eval_of_the_same_adapters(tiny, tmp_path, monkeypatch):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.setattr(training, "default_dtype", lambda device: torch.float32)  # merged = unmerged only in float32
    task = tiny_models.Task()
    store = RunStore(tmp_path / "run")
    during = EvaluateDuringTraining(store, task, task.test, "test", str(tiny), DECODE, SCORING, batch_size=2,
                                    every_steps=3, log=lambda line: None)
    epochs = training.train(task, tiny_config(tiny), store.path, callbacks=[during])

    assert during.off_reason is None and during.generate_seconds > 0
    assert [s["checkpoint"] for s in during.summaries] == ["step_3", "epoch_1", "step_6", "epoch_2"]
    assert store.checkpoints() == ["epoch_1", "epoch_2", "step_3", "step_6"]
    assert [s["generation"]["global_step"] for s in during.summaries] == [3, 4, 6, 8]
    assert all(s["generation"]["during_training"] for s in during.summaries)

    post_hoc = RunStore(tmp_path / "post-hoc")
    checkpoints = [Checkpoint(p.name, str(tiny), str(p)) for p in [*epochs, *store.step_dirs()]]
    summaries = evaluate(post_hoc, checkpoints, task.test, task, "test", DECODE, SCORING, batch_size=2, progress=False)
    for summary in summaries:
        assert (summary["generation"]["generated"], summary["generation"]["cached"]) == (0, len(task.test))
        label = summary["checkpoint"]
        during_records = store.samples(label)
        assert [r["id"] for r in during_records] == [s.id for s in task.test]
        assert without_timings(during_records) == without_timings(post_hoc.samples(label))
        ours = store.summary(label)
        assert ours["metrics"] == summary["metrics"]
        assert {k: v for k, v in ours.items() if k not in ("run", "generation")} == \
               {k: v for k, v in summary.items() if k not in ("run", "generation")}
        assert ours["generation"]["cache_key"] == summary["generation"]["cache_key"]

    events = EventAccumulator(str(store.tensorboard_dir)).Reload()
    for metric in METRIC_NAMES:
        scalars = {e.step: e.value for e in events.Scalars(f"eval/{metric}")}
        assert scalars == {s["generation"]["global_step"]: pytest.approx(s["metrics"][metric]["rate"]) for s in during.summaries}


def test_off_when_the_model_trains_in_another_dtype(tiny, tmp_path):
    task = tiny_models.Task(train=tiny_models.samples(2), test=tiny_models.samples(1))
    lines = []
    during = EvaluateDuringTraining(RunStore(tmp_path / "run"), task, task.test, "test", str(tiny), DECODE, SCORING,
                                    log=lines.append)
    training.train(task, apply_overrides(tiny_config(tiny), {"epochs": 1}), tmp_path / "run", callbacks=[during])
    assert during.off_reason == "the model trains in bfloat16 and evaluation decodes in float32 (--dtype)"
    assert not during.summaries and "evaluation during training off" in lines[0]


class Interrupt(TrainerCallback):
    """Stops training right after the first epoch's checkpoint is saved, before its evaluation is stored."""

    def on_save(self, args, state, control, **kwargs):
        raise KeyboardInterrupt


def test_harness_run_resumes_and_evaluates_what_an_interruption_lost(tiny, tmp_path, capsys):
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(s.to_dict()) + "\n" for s in tiny_models.samples(10)))  # 8 train rows: 4 steps an epoch
    task, run = load_task(str(data)), tmp_path / "run"
    config = apply_overrides(tiny_config(tiny), {"eval_samples": 2})
    decode = DecodeConfig(max_new_tokens=8, dtype="bfloat16")
    during = EvaluateDuringTraining(RunStore(run), task, task.test[:2], "test", str(tiny), decode, SCORING,
                                    log=lambda line: None)
    with pytest.raises(KeyboardInterrupt):
        training.train(task, config, run, task_source={"name_or_path": str(data), "data": None},
                       callbacks=[during, Interrupt()])
    during.close()
    store = RunStore(run)
    assert [p.name for p in store.epoch_dirs()] == ["epoch_1"] and not store.checkpoints()

    args = ["run", "--run", str(run), "--max-new-tokens", "8", "--workers", "1", "--no-progress", "--eval-every-steps", "3"]
    assert cli.main(args) == 0
    out = " ".join(capsys.readouterr().out.split())  # the console wraps lines
    assert "evaluation during training: 2 checkpoints" in out and "evaluation after training: base, epoch_1 in" in out
    assert store.checkpoints() == ["base", "epoch_1", "epoch_2", "step_6"]
    assert store.summary("epoch_2")["generation"]["during_training"] and store.summary("step_6")["generation"]["during_training"]
    lost = store.summary("epoch_1")["generation"]
    assert (lost["generated"], lost["cached"]) == (0, 2) and "during_training" not in lost
    assert store.leaderboard_path("md").is_file()


def test_eval_every_steps_must_not_be_negative(tmp_path):
    assert cli.main(["run", "--run", str(tmp_path / "run"), "--eval-every-steps", "-1"]) == 2

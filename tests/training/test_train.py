"""Training on a tiny random Gemma 3: epoch checkpoints, assistant-only labels, resume after
SIGKILL, the two-process gloo path; and one real 270M run (two steps, resume, merge). The other
families train in tests/models/test_model_families.py."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tiny_models
from harness.errors import HarnessInputError
from harness.models import loader
from harness.training.presets import apply_overrides, load_preset
from harness.training.train import read_run, train, trainer_for

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture(scope="module")
def tiny(tiny_model):
    return tiny_model("gemma3", template=False)  # trained in the shipped Gemma template, as the embedded model is


def tiny_config(tiny, **values):
    base = {"model": str(tiny), "epochs": 2, "max_length": 128, "batch_size": 2, "grad_accum": 1, "logging_steps": 1}
    return apply_overrides(load_preset("cpu"), {**base, **values})


def test_train_saves_an_adapter_and_meta_every_epoch(tiny, tmp_path):
    run = tmp_path / "run"
    out = train(tiny_models.Task(), tiny_config(tiny), run)
    assert [p.name for p in out] == ["epoch_1", "epoch_2"]
    meta = json.loads((out[1] / "meta.json").read_text())
    assert meta["epoch"] == 2 and meta["global_step"] == 8 and meta["tokens_seen"] > 0
    assert meta["train_loss"] > 0 and meta["wall_time_s"] > 0 and meta["preset"] == "cpu"
    assert meta["config_hash"] == tiny_config(tiny).hash() and meta["versions"]["peft"]
    assert meta["base_model"] == loader.canonical_name(str(tiny))
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert read_run(run)[1] == tiny_config(tiny)
    model, _ = loader.load_model(str(tiny), adapter=str(out[0]))
    assert model.peft_config["default"].r == 16


def test_loss_is_on_the_assistant_turn_only(tiny, tmp_path):
    task = tiny_models.Task()
    trainer = trainer_for(task, tiny_config(tiny, packing=False), tmp_path)
    batch = next(iter(trainer.get_train_dataloader()))
    tokenizer = trainer.processing_class
    row_labels = batch["labels"][0]
    learned = tokenizer.decode(row_labels[row_labels != -100])
    assert learned.strip() in {s.sql + "<end_of_turn>" for s in task.train}


def test_packed_rows_kept_apart_give_the_flattened_loss(tiny, tmp_path):
    import torch

    losses = {}
    for padding_free in (True, False):
        trainer = trainer_for(tiny_models.Task(), tiny_config(tiny, batch_size=4, max_length=512, padding_free=padding_free), tmp_path)
        batch = next(iter(trainer.get_train_dataloader()))
        if not padding_free:
            assert batch["input_ids"].shape[0] > 1 and "attention_mask" not in batch
            assert (batch["position_ids"] == 0).sum() > batch["input_ids"].shape[0]  # several samples per row
        with torch.no_grad():
            losses[padding_free] = trainer.model(**{k: v for k, v in batch.items() if torch.is_tensor(v)}).loss.item()
    assert losses[False] == pytest.approx(losses[True], rel=2e-5)  # attending across samples is off by ~1e-4


def test_whole_conversation_loss_when_asked(tiny, tmp_path):
    trainer = trainer_for(tiny_models.Task(), tiny_config(tiny, packing=False, assistant_only_loss=False), tmp_path)
    batch = next(iter(trainer.get_train_dataloader()))
    assert "<start_of_turn>user" in trainer.processing_class.decode(batch["labels"][0][batch["labels"][0] != -100])


def test_empty_training_split(tiny, tmp_path):
    with pytest.raises(HarnessInputError, match="training split is empty"):
        train(tiny_models.Task(train=[]), tiny_config(tiny), tmp_path / "run")


def test_unknown_model(tmp_path):
    with pytest.raises(HarnessInputError, match="unknown model"):
        train(tiny_models.Task(), apply_overrides(load_preset("cpu"), {"model": "gemma-9000"}), tmp_path / "run")


def test_a_run_folder_is_not_overwritten(tiny, tmp_path):
    train(tiny_models.Task(train=tiny_models.samples(2)), tiny_config(tiny, epochs=1), tmp_path / "run")
    with pytest.raises(HarnessInputError, match="--resume"):
        train(tiny_models.Task(), tiny_config(tiny), tmp_path / "run")


def write_task_file(path: Path, n: int) -> Path:
    path.write_text("\n".join(json.dumps(s.to_dict()) for s in tiny_models.samples(n)))
    return path


def harness(*args, env=None, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "harness.cli", *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def test_resume_after_sigkill_mid_epoch(tiny, tmp_path):
    data = write_task_file(tmp_path / "rows.jsonl", 50)  # 40 train rows: 40 steps in one epoch
    run = tmp_path / "run"
    args = ["train", "--task", str(data), "--preset", "cpu", "--model", str(tiny), "--run-dir", str(run),
            "--set", "epochs=1", "--set", "batch_size=1", "--set", "grad_accum=1", "--set", "save_steps=3", "--set", "max_length=128",
            "--set", "train_samples=0"]
    proc = harness(*args)
    deadline = time.time() + 120
    while not list((run / "state").glob("checkpoint-*/trainer_state.json")) and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # the kill may land mid-save: a checkpoint without trainer_state.json is incomplete and must be skipped
    saved = max(int(p.parent.name.split("-")[1]) for p in (run / "state").glob("checkpoint-*/trainer_state.json"))
    assert 0 < saved < 40 and not (run / "checkpoints").exists()
    resumed = harness("train", "--resume", str(run))
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert f"resuming from step {saved}" in output
    meta = json.loads((run / "checkpoints" / "epoch_1" / "meta.json").read_text())
    assert meta["global_step"] == 40 and not (run / "state").exists()


def test_two_processes_on_gloo(tiny, tmp_path):
    data = write_task_file(tmp_path / "rows.jsonl", 10)  # 8 train rows: 2 per process per epoch
    run = tmp_path / "run"
    proc = harness("train", "--processes", "2", "--task", str(data), "--preset", "cpu", "--model", str(tiny),
                   "--run-dir", str(run), "--set", "epochs=1", "--set", "batch_size=2", "--set", "grad_accum=1", "--set", "packing=false",
                   "--set", "train_samples=0", "--set", "max_length=128", env={"CUDA_VISIBLE_DEVICES": ""})
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    meta = json.loads((run / "checkpoints" / "epoch_1" / "meta.json").read_text())
    assert meta["global_step"] == 2  # 8 rows / (2 processes x batch 2); one process would take 4 steps


@pytest.mark.slow
def test_real_model_two_steps_resume_and_merge(tmp_path, monkeypatch):
    monkeypatch.delenv("HARNESS_CACHE")  # the real cache: built once, about a minute
    from harness.training.merge import merge
    from harness.data.tasks import load_task

    data = write_task_file(tmp_path / "rows.jsonl", 5)  # 4 train rows, packed into one step per epoch
    run = tmp_path / "run"
    proc = harness("train", "--task", str(data), "--preset", "cpu", "--run-dir", str(run), "--set", "epochs=2",
                   "--set", "batch_size=4", "--set", "max_length=256", "--set", "train_samples=0")
    while not (run / "checkpoints" / "epoch_1" / "meta.json").exists() and proc.poll() is None:
        time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert json.loads((run / "checkpoints" / "epoch_1" / "meta.json").read_text())["global_step"] == 1
    source, config = read_run(run)
    out = train(load_task(source["name_or_path"]), config, run, resume=True)
    assert [p.name for p in out] == ["epoch_1", "epoch_2"]
    assert json.loads((out[1] / "meta.json").read_text())["global_step"] == 2
    merged = merge(out[1], tmp_path / "merged")
    assert (merged / "model.safetensors").exists() and (merged / "tokenizer.json").exists()


def test_fused_head_scoring_only_labelled_positions_gives_the_same_loss(monkeypatch):
    import torch
    import trl.trainer.utils
    from trl.trainer.utils import add_fused_lm_head

    from harness.training.train import _score_labelled_positions_only

    model = tiny_models.model("gemma3", tiny_models.tokenizer("gemma3"))
    add_fused_lm_head(model)
    ids = torch.randint(3, model.config.vocab_size, (2, 40))
    labels = ids.clone()
    labels[:, :30] = -100  # the prompt: no loss
    monkeypatch.setattr(trl.trainer.utils, "_use_triton", lambda device: False)  # TRL's CPU path: every position
    every = model(input_ids=ids, labels=labels, fused_lm_head=True).loss
    _score_labelled_positions_only()
    assert trl.trainer.utils._use_triton(torch.device("cpu"))
    labelled = model(input_ids=ids, labels=labels, fused_lm_head=True).loss
    torch.testing.assert_close(labelled, every)

"""Epoch checkpoints: `<run>/checkpoints/epoch_<n>/` with the adapter and a `meta.json`.

`meta.json` holds: `epoch`, `global_step`, `train_loss` (mean logged loss over the epoch),
`tokens_seen` (non-padding input tokens so far, all processes), `wall_time_s` (training time
so far, summed over resumed sessions), `task`, `task_version`, `base_model`, `preset`,
`config_hash`, `config`, and `versions` of the libraries that trained it.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict

from transformers import TrainerCallback

from harness.environment import library_versions
from harness.files import read_json, write_json
from harness.models.loader import canonical_name
from harness.store import RunStore


class EpochCheckpoints(TrainerCallback):
    """Save an adapter and its meta.json at the end of every epoch, alongside the resumable state.

    At an epoch end it asks the Trainer to log (so the epoch's last losses are recorded) and
    to save its full state; once that state is on disk it writes the epoch folder, so an epoch
    folder never exists without the state to resume after it.
    """

    def __init__(self, store: RunStore, task, config):
        self.store = store
        self.task = task
        self.config = config
        self.started = time.monotonic()
        self.previous_wall = 0.0
        self.pending_epoch: int | None = None

    def on_train_begin(self, args, state, control, **kwargs):
        if self.store.wall_time_path.exists():
            self.previous_wall = read_json(self.store.wall_time_path)["wall_time_s"]
        self.started = time.monotonic()

    def on_epoch_end(self, args, state, control, **kwargs):
        self.pending_epoch = math.ceil(state.epoch - 1e-6)
        control.should_log = True
        control.should_save = True

    def on_save(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:
            return
        wall = self.previous_wall + time.monotonic() - self.started
        write_json(self.store.wall_time_path, {"wall_time_s": wall, "global_step": state.global_step})
        if self.pending_epoch is None:
            return
        epoch, self.pending_epoch = self.pending_epoch, None
        folder = self.store.epoch_dir(epoch)
        model.save_pretrained(folder)
        losses = [e["loss"] for e in state.log_history if "loss" in e and epoch - 1 < e.get("epoch", 0) <= epoch + 1e-6]
        meta = {
            "epoch": epoch,
            "global_step": state.global_step,
            "train_loss": sum(losses) / len(losses) if losses else None,
            "tokens_seen": int(state.num_input_tokens_seen),
            "wall_time_s": round(wall, 2),
            "task": self.task.name,
            "task_version": getattr(self.task, "version", None),
            "base_model": canonical_name(self.config.model),
            "preset": self.config.preset,
            "config_hash": self.config.hash(),
            "config": asdict(self.config),
            "versions": library_versions(),
        }
        write_json(folder / "meta.json", meta)

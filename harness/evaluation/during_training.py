"""Evaluation during training: a Trainer callback that generates with the model being trained.

`EvaluateDuringTraining` is handed to `harness.training.train.train` (by `harness run`). At every
epoch end, once `EpochCheckpoints` has saved the epoch's adapter, and, when asked, every
`every_steps` optimizer steps (after saving the adapter to `checkpoints/step_<n>/`), the main
process generates for the evaluation samples with the in-memory model: no reload, training
paused meanwhile, the same prompts, decoding and engine as `harness eval`, and the generation
cache under the key a later `harness eval` of that adapter folder computes, so that one finds
every output cached. The outputs go to scoring worker processes that keep running while training
goes on. Each checkpoint's records and summary (those `evaluate_one` writes) are stored as soon as
all its samples are scored, at the latest when training ends, with TensorBoard scalars
`eval/<metric>` at the optimizer step the checkpoint was taken.

The in-memory model stands for the saved adapter only where its weights are those post-hoc
evaluation loads: a base that is not 4-bit quantized, in the decoding dtype. Otherwise the
callback stays off, says why, and leaves every checkpoint to post-hoc evaluation. `harness eval`
merges the adapter into the base weights while this model keeps it apart: in float32 the outputs
are the same, in bf16 rounding may change a few. Under several training processes only the main
process evaluates; the others wait for it at their next collective operation.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from transformers import TrainerCallback

from harness.data.samples import Sample
from harness.evaluation.evaluate import Checkpoint, generation_cache, generator_for, store_eval
from harness.generation.cache import GenerationCache
from harness.generation.generate import DecodeConfig, generate
from harness.scoring.extract import extract_sql
from harness.scoring.record import METRIC_NAMES
from harness.scoring.scorer import ScoreConfig, Scorer
from harness.store import RunStore, epoch_name, step_name


@dataclass
class _Pending:
    """A checkpoint whose outputs are being scored: its items are `start` to `stop - 1` of the scorer."""

    checkpoint: Checkpoint
    cache: GenerationCache
    stats: dict
    step: int
    order: list[str]  # sample ids in submission order
    start: int
    stop: int
    queued: float  # when its first output was queued for scoring


class EvaluateDuringTraining(TrainerCallback):
    """Generate with the model in training at epoch ends (and every N steps), score in the background, store.

    Args:
        store: The run folder.
        task: The task (`.name`, `.version`), recorded in the summaries.
        samples: The evaluation samples.
        split: Their split's name, recorded in the summaries.
        model: The base model's name as the checkpoints record it (the run's `config.model`).
        decode: Decoding settings (their dtype must be the training dtype).
        score_config: Scoring settings.
        batch_size: Generation batch size (default: chosen for the memory free at the time).
        every_steps: Also evaluate after every this many optimizer steps (0: epoch ends only).
        log: Where one line per event goes.

    Attributes:
        summaries: The summaries written, in the order written.
        off_reason: Why the callback stayed off, or None.
        generate_seconds: Training time spent generating (training pauses meanwhile).
        wait_seconds: Time the end of training waited for the last scores.
    """

    def __init__(self, store: RunStore, task, samples: list[Sample], split: str, model: str, decode: DecodeConfig,
                 score_config: ScoreConfig, batch_size: int | None = None, every_steps: int = 0, log=print):
        self.store, self.task, self.samples, self.split = store, task, samples, split
        self.model_name, self.decode, self.score_config = model, decode, score_config
        self.batch_size, self.every_steps, self.log = batch_size, every_steps, log
        self.summaries: list[dict] = []
        self.off_reason: str | None = None
        self.generate_seconds = 0.0
        self.wait_seconds = 0.0
        self._by_id = {s.id: s for s in samples}
        self._pending: list[_Pending] = []
        self._submitted = 0
        self._scorer: Scorer | None = None
        self._writer = None
        self._epoch: int | None = None

    @property
    def evaluated(self) -> list[str]:
        """Labels of the checkpoints stored so far."""
        return [s["checkpoint"] for s in self.summaries]

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:
            return
        self.off_reason = differs_from_post_hoc(model, self.decode)
        if self.off_reason:
            self.log(f"evaluation during training off: {self.off_reason}; checkpoints are evaluated after training")
            return
        from torch.utils.tensorboard import SummaryWriter

        self._scorer = Scorer(self.score_config, total=len(self.samples))
        self._writer = SummaryWriter(str(self.store.tensorboard_dir), filename_suffix=".eval")

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        if self._scorer is None:
            return
        self._collect(wait=False)
        if self.every_steps and state.global_step % self.every_steps == 0:
            folder = self.store.step_dir(state.global_step)
            _save_adapter(model, folder)
            self._evaluate(step_name(state.global_step), folder, state.global_step, model, processing_class)

    def on_epoch_end(self, args, state, control, **kwargs):
        self._epoch = math.ceil(state.epoch - 1e-6)

    def on_save(self, args, state, control, model=None, processing_class=None, **kwargs):
        """Evaluate the epoch whose adapter `EpochCheckpoints` (an earlier callback) has just saved."""
        if self._scorer is None or self._epoch is None:
            return
        epoch, self._epoch = self._epoch, None
        folder = self.store.epoch_dir(epoch)
        if (folder / "meta.json").is_file():
            self._evaluate(epoch_name(epoch), folder, state.global_step, model, processing_class)

    def on_train_end(self, args, state, control, **kwargs):
        if self._scorer is None:
            return
        started = time.perf_counter()
        self._collect(wait=True)
        self.wait_seconds += time.perf_counter() - started
        self.close()

    def close(self) -> None:
        """Stop the scoring workers (checkpoints not stored yet are dropped) and close the TensorBoard writer."""
        if self._scorer is not None:
            self._scorer.close()
            self._writer.close()
        self._scorer = self._writer = None
        self._pending.clear()

    def _evaluate(self, label: str, folder: Path, step: int, model, tokenizer) -> None:
        """Generate for every sample with the in-memory model and queue the outputs for scoring."""
        checkpoint = Checkpoint(label, self.model_name, str(folder))
        generator = generator_for(checkpoint, self.decode, batch_size=self.batch_size, model=model, tokenizer=tokenizer)
        cache = generation_cache(generator, self.decode)
        order, start, queued = [], self._submitted, []

        def submit(outputs: dict[str, str]) -> None:
            queued.append(time.perf_counter())
            for sample_id, output in outputs.items():
                order.append(sample_id)
                item = {**self._by_id[sample_id].to_dict(), "output": output, "prediction": extract_sql(output)}
                self._submitted = self._scorer.submit(item) + 1

        started = time.perf_counter()
        with _generating(model, tokenizer):
            _, stats = generate(generator, self.samples, self.decode, cache, progress=False, on_outputs=submit)
        seconds = time.perf_counter() - started
        self.generate_seconds += seconds
        self._pending.append(_Pending(checkpoint, cache, stats, step, order, start, self._submitted,
                                      queued[0] if queued else started))
        self.log(f"{label} (step {step}): {stats['generated']} generated, {stats['cached']} cached in {seconds:.1f} s; "
                 "scoring goes on while training does")

    def _collect(self, wait: bool) -> None:
        """Store the checkpoints whose samples are all scored, oldest first; with `wait`, all of them.

        A summary's `score_seconds` runs from the checkpoint's first output queued to its records
        collected (at the first step end after the last was scored, or at the end of training);
        `score_wait_seconds` is how long training waited for them.
        """
        while self._pending and (wait or self._scorer.ready(self._pending[0].start, self._pending[0].stop)):
            pending = self._pending.pop(0)
            waited = time.perf_counter()
            scored = dict(zip(pending.order, self._scorer.records(pending.start, pending.stop)))
            done = time.perf_counter()
            stats = {**pending.stats, "during_training": True, "global_step": pending.step,
                     "score_seconds": round(done - pending.queued, 3), "score_wait_seconds": round(done - waited, 3)}
            records = [scored[s.id] for s in self.samples]
            summary = store_eval(self.store, pending.checkpoint, records, self.task, self.split, self.decode,
                                 pending.cache, stats)
            self.summaries.append(summary)
            rates = {m: summary["metrics"][m]["rate"] for m in METRIC_NAMES}
            for metric, rate in rates.items():
                if rate is not None:
                    self._writer.add_scalar(f"eval/{metric}", rate, pending.step)
            self._writer.flush()
            shown = ", ".join(f"{m} {'-' if r is None else f'{r:.1%}'}" for m, r in rates.items())
            self.log(f"{pending.checkpoint.label} (step {pending.step}) scored: {shown}")


def differs_from_post_hoc(model, decode: DecodeConfig) -> str | None:
    """Why the in-memory model cannot stand for its saved adapter under `decode`, or None when it can."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    if getattr(base, "hf_quantizer", None) is not None:
        return "the base model trains quantized, and evaluation loads it unquantized"
    dtype = str(base.dtype).removeprefix("torch.")
    if dtype != decode.dtype:
        return f"the model trains in {dtype} and evaluation decodes in {decode.dtype} (--dtype)"
    return None


@contextlib.contextmanager
def _generating(model, tokenizer):
    """The model in eval mode with its KV cache on and the tokenizer padding on the left; back as they were afterwards.

    In eval mode dropout is off and gradient checkpointing does not run; the cached blocks of
    the training step are released first, so that an automatic batch size sees the memory free.
    """
    import torch

    training, padding_side, use_cache = model.training, tokenizer.padding_side, model.config.use_cache
    model.eval()
    tokenizer.padding_side = "left"
    model.config.use_cache = True
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    try:
        yield
    finally:
        model.train(training)
        tokenizer.padding_side = padding_side
        model.config.use_cache = use_cache
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _save_adapter(model, folder: Path) -> None:
    """Save the adapter into `folder` whole or not at all (staged beside it, then renamed into place)."""
    staging = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(staging, folder)

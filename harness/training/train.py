"""QLoRA / LoRA fine-tuning with TRL's SFTTrainer on the guide's conversations.

Every sample is a prompt-completion conversation (`harness.data.prompts.prompt_completion`):
TRL renders the prompt with the model's chat template and the generation prompt, exactly as
generation does, and the completion is whatever the template puts after it (the SQL and the
family's end-of-turn token), so the loss can be on the answer alone with any family's template.

Public API (what `harness train` and `harness run` call):

* `train(task, config, run_dir, resume=False, callbacks=()) -> list[Path]`: fine-tune `config.model` on
  `task.train` (its first `config.train_samples`) and return the epoch checkpoint folders,
  `<run_dir>/checkpoints/epoch_<n>/`, each holding a PEFT adapter and a `meta.json` (see
  `harness.training.checkpoints`). With `resume=True` it carries on from the last state saved under
  `<run_dir>/state/` (an epoch end or every `save_steps` steps), so a run killed even with
  SIGKILL loses at most the steps since then; on a finished run (`trained.json`) it returns
  the existing checkpoints. `callbacks` are extra Trainer callbacks, called after the one that
  saves the epoch checkpoints (so at an epoch end's `on_save` the epoch folder is complete):
  `harness run` evaluates with one (`harness.evaluation.during_training`).
* `read_run(run_dir) -> (task_source, TrainConfig)`: what a run was started with;
  `task_source` holds the `load_task` arguments (`name_or_path`, `data`) it was given.

A run folder also holds `config.json` and TensorBoard events under `tensorboard/`. Under
`accelerate launch` (or `harness train --gpus N`) each process trains a data-parallel shard
and only the main process writes checkpoints.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import asdict
from pathlib import Path

from harness import launch, quiet
from harness.data.prompts import prompt_completion
from harness.errors import HarnessInputError
from harness.files import read_json, write_json
from harness.models.loader import canonical_name, default_dtype, load_model, resolve
from harness.store import RunStore
from harness.training import memory
from harness.training.checkpoints import EpochCheckpoints
from harness.training.presets import TrainConfig, from_dict
from harness.training.progress import TrainingProgress

__all__ = ["read_run", "train", "trainer_for"]


def read_run(run_dir: Path) -> tuple[dict, TrainConfig]:
    """The task source (`load_task` arguments) and config a run was started with (its `config.json`).

    Raises:
        HarnessInputError: `run_dir` is not a run folder.
    """
    store = RunStore(run_dir)
    if not store.is_training_run():
        raise HarnessInputError(f"{run_dir}: not a training run (no config.json)")
    saved = read_json(store.config_path)
    return saved["task_source"], from_dict(saved["config"])


def _score_labelled_positions_only() -> None:
    """Make TRL's fused LM head project only the positions that carry a label, on every device.

    TRL does so only where Triton runs (CUDA, XPU); elsewhere it projects every position of
    the sequence onto the 262k vocabulary in fp32 (to keep tile shapes fixed for compilers we
    do not use). With the loss on the assistant turn that is ~10x the positions needed: on a
    2-core CPU it made training 3x slower (63 vs 188 tokens/s measured, same losses).
    """
    import trl.trainer.utils

    if hasattr(trl.trainer.utils, "_use_triton"):  # the switch TRL 1.16 reads; elsewhere nothing to do
        trl.trainer.utils._use_triton = lambda device: True


def trainer_for(task, config: TrainConfig, state_dir: Path, callbacks=()):
    """An SFTTrainer set up for `config` on the task's train split (used by `train` and the benchmark).

    Args:
        state_dir: Where the Trainer keeps its resumable state.
    """
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import PrinterCallback
    from trl import SFTConfig, SFTTrainer

    _score_labelled_positions_only()

    samples = task.train[: config.train_samples or None]
    if not samples:
        raise HarnessInputError(f"task {task.name!r}: the training split is empty")
    device = launch.device()
    dtype = default_dtype(device)
    model, tokenizer = load_model(
        config.model,
        dtype=dtype,
        device=device,
        quantize_4bit=config.quantize_4bit,
        attn_implementation=config.attn_implementation,
    )
    model.train()
    tokenizer.padding_side = "right"
    batch_size = config.batch_size or memory.largest_batch(model, config.max_length, device)
    dataset = Dataset.from_list([prompt_completion(s) for s in samples])
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules if config.target_modules == "all-linear" else config.target_modules.split(","),
        modules_to_save=config.modules_to_save or None,
        task_type="CAUSAL_LM",
    )
    args = SFTConfig(
        output_dir=str(state_dir),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=batch_size,
        gradient_accumulation_steps=config.grad_accum,
        activation_checkpointing=config.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        optim=config.optim,
        learning_rate=config.lr,
        max_grad_norm=config.max_grad_norm,
        warmup_steps=config.warmup_ratio,
        lr_scheduler_type=config.lr_scheduler,
        max_length=config.max_length,
        packing=config.packing,
        padding_free=config.padding_free,
        completion_only_loss=config.assistant_only_loss,
        bf16=dtype == torch.bfloat16,
        fp16=dtype == torch.float16,
        use_cpu=device == "cpu",
        logging_steps=config.logging_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=1,
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        disable_tqdm=True,
        seed=config.seed,
        data_seed=config.seed,
        ddp_find_unused_parameters=False,
    )
    trainer = SFTTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=lora, callbacks=list(callbacks)
    )
    if config.packing and not config.padding_free:
        trainer.data_collator = _row_packed_collator(trainer.processing_class.pad_token_id)
    if not quiet.verbose():  # the log dictionaries it prints: the progress bar shows the loss
        trainer.remove_callback(PrinterCallback)
    trainer.model.peft_config["default"].base_model_name_or_path = canonical_name(config.model)
    _decide_embedding_layers(trainer.model, config.model)
    return trainer


def _decide_embedding_layers(model, base: str) -> None:
    """Tell every adapter save (the Trainer's and ours) whether it must hold the embedding layers.

    Left to itself, PEFT decides by comparing the vocabulary size with the base model's config,
    which it looks up by the recorded base name; the embedded model's name is no Hub id, so the
    lookup failed with two warnings at every save. The answer comes from the local config instead.
    """
    from transformers import AutoConfig

    base_vocab = AutoConfig.from_pretrained(resolve(base)).get_text_config().vocab_size
    resized = model.get_input_embeddings().num_embeddings != base_vocab
    model.save_pretrained = functools.partial(model.save_pretrained, save_embedding_layers=resized)


def _row_packed_collator(pad_token_id: int):
    """A collator that keeps one row per packed sequence instead of TRL's one flattened row.

    TRL always flattens a packed batch into a single row (what flash attention's varlen kernels
    want). Under SDPA or eager attention that row gets one block-diagonal mask over all its
    tokens: a batch of 32 x 512 becomes one 16k x 16k mask, 32 times the attention work and
    memory of the 512 x 512 blocks that matter (the fast preset trained at 15.9k tokens/s that
    way on an H200, at 64.0k with rows kept apart). Here each packed sequence stays a row of its
    own, right-padded, with position ids that restart at every sample and no attention mask, so
    transformers builds the per-row block-diagonal mask from the position ids. Labels are the
    flattened layout's: -100 on padding and on the first token of every sample.
    """
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    class RowPackedCollator(DataCollatorForLanguageModeling):
        def torch_call(self, examples):
            batch = super().torch_call(examples)
            del batch["attention_mask"]
            batch["labels"][batch["position_ids"] == 0] = -100
            return batch

    return RowPackedCollator(pad_token_id=pad_token_id, return_position_ids=True)


def train(task, config: TrainConfig, run_dir: Path, resume: bool = False, task_source: dict | None = None,
          callbacks=(), progress: bool = True) -> list[Path]:
    """Fine-tune and return the epoch checkpoint folders, oldest first.

    Args:
        task: A task (`.name`, `.version`, `.train`).
        config: The training config (a preset plus overrides).
        run_dir: The run folder; created if needed.
        resume: Continue from the last saved state in `run_dir` instead of starting afresh.
        task_source: The `load_task` arguments that rebuild `task` on `--resume`
            (default: `{"name_or_path": task.name, "data": None}`).
        callbacks: More Trainer callbacks, called after the epoch checkpoints are saved.
        progress: Show the training progress bar.

    Raises:
        HarnessInputError: Empty training split, unknown model, a run folder already holding
            a run (without `resume`), or a model that does not fit in memory.
    """
    from torch.utils.tensorboard import SummaryWriter
    from transformers.integrations import TensorBoardCallback

    store = RunStore(run_dir)
    main_process = launch.rank() == 0
    if not resume and main_process:  # the main process records the run
        if store.is_training_run():
            raise HarnessInputError(f"{run_dir}: already holds a run; use --resume {run_dir} or another --run-dir")
        record = {
            "task": task.name,
            "task_version": getattr(task, "version", None),
            "task_source": task_source or {"name_or_path": task.name, "data": None},
            "config": asdict(config),
        }
        write_json(store.config_path, record)
    if resume and store.trained_path.exists():
        return store.epoch_dirs()
    last_state = _last_state(store.state_dir) if resume else None
    bar = TrainingProgress(progress)
    every = [EpochCheckpoints(store, task, config), bar]
    if main_process:
        every.append(TensorBoardCallback(tb_writer=SummaryWriter(str(store.tensorboard_dir))))
    trainer = trainer_for(task, config, store.state_dir, [*every, *callbacks])
    if last_state and main_process:
        print(f"resuming from step {last_state.name.split('-')[1]} ({last_state})")
    with memory.explain_oom(trainer, config):
        try:
            trainer.train(resume_from_checkpoint=str(last_state) if last_state else None)
        finally:
            bar.close()
    if main_process:
        shutil.rmtree(store.state_dir, ignore_errors=True)
        summary = {"global_step": trainer.state.global_step, "tokens_seen": int(trainer.state.num_input_tokens_seen)}
        write_json(store.trained_path, summary)
    return store.epoch_dirs()


def _last_state(state_dir: Path) -> Path | None:
    """The newest complete Trainer checkpoint under `state_dir`, if any."""
    complete = [p for p in state_dir.glob("checkpoint-*") if (p / "trainer_state.json").exists()]
    return max(complete, key=lambda p: int(p.name.split("-")[1]), default=None)

"""Training's progress display: one bar with the step, the last logged loss and tokens/s.

It takes the place of TRL's rich progress box and the Trainer's printed log dictionaries
(`harness.training.train` leaves both out unless `-v`), on the display every stage shares.
"""

from __future__ import annotations

import time

from transformers import TrainerCallback

from harness.progress import progress_bar


class TrainingProgress(TrainerCallback):
    """Draws a "training" bar over the optimizer steps on the main process.

    Tokens/s counts the non-padding input tokens seen since this session started (a resumed
    run's earlier tokens are not in it).
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar = None
        self.task = None
        self.start: tuple[float, int] = (0.0, 0)

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        self.bar = progress_bar(self.enabled, fields=("loss", "speed"))
        self.bar.start()
        self.task = self.bar.add_task("training", total=state.max_steps, completed=state.global_step, loss="", speed="")
        self.start = (time.perf_counter(), int(state.num_input_tokens_seen))

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is None:
            return
        seconds = time.perf_counter() - self.start[0]
        tokens = int(state.num_input_tokens_seen) - self.start[1]
        speed = f"{tokens / seconds:,.0f} tokens/s" if seconds > 0 and tokens > 0 else ""
        self.bar.update(self.task, completed=state.global_step, speed=speed)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.bar is not None and logs and "loss" in logs:
            self.bar.update(self.task, loss=f"loss {float(logs['loss']):.3f}")

    def on_train_end(self, args, state, control, **kwargs):
        self.close()

    def close(self) -> None:
        """Stop drawing; also where training ends with an error, which `on_train_end` never sees."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

"""Fine-tuning: presets, the trainer, epoch checkpoints, memory probes, merging."""

"""Checkpoints generated for and scored: the stage that joins generation and scoring."""

"""Generating SQL with a checkpoint: engines and the generation cache."""

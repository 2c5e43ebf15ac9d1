"""Evaluation-centred benchmark harness for text-to-SQL fine-tuning."""

__version__ = "0.1.0"

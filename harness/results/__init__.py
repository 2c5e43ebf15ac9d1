"""Stored results read back: statistics, leaderboards, baselines and the gate."""

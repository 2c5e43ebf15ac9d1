"""Base models: where they come from, how they load, their identity and sanity."""

"""Errors that mean "the user gave us something we cannot use" (exit code 2)."""


class HarnessInputError(Exception):
    """Bad input or usage. The message names the file, line or field at fault."""

"""Shared test set-up: no test may reach the network; tiny models of several families, built once per session."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_UPDATE_CHECK", "1")  # the transformers CLI would ask PyPI for its latest version

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real data in ../shared/data; tests that use it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """`tiny_model(family="gemma3", template=True, seed=0)`: the folder of a tiny random model (`tiny_models.build`).

    Folders are built once per session and shared: copy one before changing it.
    """
    import tiny_models

    built = {}

    def folder(family: str = "gemma3", template: bool = True, seed: int = 0) -> Path:
        key = (family, template, seed)
        if key not in built:
            built[key] = tiny_models.build(tmp_path_factory.mktemp(f"{family}-{int(template)}-{seed}"), family, template, seed)
        return built[key]

    return folder


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A fresh `$HARNESS_CACHE` for the test (generations, file hashes, converted models)."""
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"

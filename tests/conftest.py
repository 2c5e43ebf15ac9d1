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
def browser():
    """Headless Chromium driven by Selenium (Debian's chromium and chromium-driver, which `make test`
    installs); skips only where they are absent. Selenium Manager is never asked: both paths are given."""
    import shutil
    import tempfile

    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        pytest.skip("no chromium and chromedriver on PATH (`make test` installs Debian's chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="harness-chromium-")
    # Headless as root, and no background requests: this machine may have no network at all.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


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

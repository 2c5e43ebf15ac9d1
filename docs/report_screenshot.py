"""Take the README's screenshot of a report: the sample browser on one sample, in headless Chromium.

    python docs/report_screenshot.py REPORT.html docs/report.png --reason row_mismatch --sample gretel-490

Needs Debian's chromium and chromium-driver (`make browser`) and Selenium (the dev extra). The
PNG is reduced to 64 colours (Pillow, which matplotlib brings) to keep the repository small.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--reason", help="show the samples of this reason code")
    parser.add_argument("--sample", help="open the sample with this id")
    parser.add_argument("--size", default="1280,960", help="window width,height in pixels")
    args = parser.parse_args()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={tempfile.mkdtemp()}", f"--window-size={args.size}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(args.report.resolve().as_uri())
        driver.find_element(By.ID, "tab-samples").click()
        if args.reason:
            Select(driver.find_element(By.ID, "filter-reason")).select_by_value(args.reason)
        for row in driver.find_elements(By.CSS_SELECTOR, "#sample-list tr"):
            if row.find_element(By.TAG_NAME, "td").text == args.sample:
                row.click()
        driver.save_screenshot(str(args.out))
    finally:
        driver.quit()
    image = Image.open(args.out).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(args.out, optimize=True)


if __name__ == "__main__":
    main()

"""The report in a real browser (headless Chromium): filter by reason, open a sample, switch to
the comparison and follow a flip, with no script error and record text shown as text."""

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import report_run
from harness.results import report


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    """The browser on the report of a 24-sample run, freshly loaded for each test."""
    root = tmp_path_factory.mktemp("report")
    path = report.write([report_run.make(root, n=24)], root / "report.html")

    def load():
        return open_report(browser, path)

    return load


def open_report(driver, path):
    """The browser on a report, once its script has drawn the page (the sample count is its last step)."""
    driver.get(path.as_uri())
    drawn = 'return document.getElementById("sample-count").textContent'
    WebDriverWait(driver, 60).until(lambda d: d.execute_script(drawn), message=f"not drawn: {driver.get_log('browser')}")
    return driver


def text(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).text


def listed_ids(driver) -> list[str]:
    return [row.find_element(By.CSS_SELECTOR, "td").text for row in driver.find_elements(By.CSS_SELECTOR, "#sample-list tr")]


def no_script_errors(driver) -> None:
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_overview_shows_the_leaderboard_plot_and_breakdowns(page):
    driver = page()
    rows = driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows] == ["epoch_1", "epoch_2"]
    assert "65.2%" in rows[1].text and "44.9% – 81.2%" in rows[1].text and "23 of 24" in rows[1].text
    assert driver.find_element(By.CSS_SELECTOR, "#leaderboard td.best").text.startswith("65.2%")
    assert driver.find_element(By.CSS_SELECTOR, "#plot svg").size["width"] > 300
    assert [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#breakdowns h3")] == \
           ["by complexity", "by task type", "by domain"]
    no_script_errors(driver)


def test_filter_by_reason_and_open_a_sample(page):
    driver = page()
    driver.find_element(By.ID, "tab-samples").click()
    assert text(driver, "sample-count") == "24 of 24 samples"
    assert Select(driver.find_element(By.ID, "filter-checkpoint")).first_selected_option.text == "epoch_2"
    Select(driver.find_element(By.ID, "filter-reason")).select_by_value("row_mismatch")
    assert text(driver, "sample-count") == "4 of 24 samples"
    assert listed_ids(driver) == ["q0001", "q0007", "q0013", "q0019"]
    driver.find_element(By.CSS_SELECTOR, '#sample-list tr[data-index="7"]').click()
    assert text(driver, "detail-question") == "Which fruit has id 7 in the agriculture store?"
    assert text(driver, "detail-schema").startswith("CREATE TABLE fruit (id INT, name TEXT")
    assert text(driver, "detail-gold") == "SELECT name FROM fruit WHERE id = 7;"
    assert text(driver, "detail-prediction") == "SELECT name FROM fruit WHERE id > 7;"
    assert text(driver, "detail-reason") == "row_mismatch the results hold different rows"
    assert text(driver, "detail-dialect") == "gold: duckdb, prediction: transpiled:mysql"
    detail = text(driver, "sample-detail")
    assert "only in gold\n\"pear\"" in detail and "only in the prediction\n\"fig\"\n\"kiwi\"" in detail
    no_script_errors(driver)


def test_filters_combine_with_free_text_and_fields(page):
    driver = page()
    driver.find_element(By.ID, "tab-samples").click()
    Select(driver.find_element(By.ID, "filter-checkpoint")).select_by_visible_text("epoch_1")
    Select(driver.find_element(By.ID, "filter-sql_complexity")).select_by_value("window functions")
    assert listed_ids(driver) == [f"q{i:04d}" for i in range(3, 24, 4)]
    Select(driver.find_element(By.ID, "filter-sql_task_type")).select_by_value("data manipulation")
    driver.find_element(By.ID, "filter-text").send_keys("SPACE store")  # every word, any case
    assert listed_ids(driver) == ["q0011", "q0023"]
    Select(driver.find_element(By.ID, "filter-reason")).select_by_value("pred_exec_error")
    assert text(driver, "sample-count") == "0 of 24 samples"


def test_record_text_is_shown_as_text_never_run(page):
    driver = page()
    driver.find_element(By.ID, "tab-samples").click()
    driver.find_element(By.ID, "filter-text").send_keys("q0002")
    driver.find_element(By.CSS_SELECTOR, "#sample-list tr").click()
    assert text(driver, "detail-prediction") == report_run.MARKUP
    assert text(driver, "detail-error") == 'Parser Error: syntax error at or near "SELEC"'
    assert driver.execute_script("return window.injected") is None


def test_comparison_shows_flips_and_the_gates_statistics(page):
    driver = page()
    driver.find_element(By.ID, "tab-compare").click()
    assert text(driver, "compare-decision") == "PASS"
    stats = text(driver, "compare-stats")
    assert "47.8% [29.2%, 67.0%]" in stats and "65.2% [44.9%, 81.2%]" in stats
    assert "11 / 23" in stats and "15 / 23" in stats and "newly failing / passing 4 / 8" in stats
    failing = driver.find_elements(By.CSS_SELECTOR, "#newly-failing li")
    assert [li.text.split()[0] for li in failing] == ["q0001", "q0007", "q0013", "q0019"]
    assert "match → row_mismatch" in failing[1].text
    failing[1].find_element(By.TAG_NAME, "a").click()  # opens the sample on the candidate
    assert driver.find_element(By.ID, "samples").is_displayed()
    assert text(driver, "detail-question") == "Which fruit has id 7 in the agriculture store?"
    driver.find_element(By.ID, "tab-compare").click()
    Select(driver.find_element(By.ID, "compare-candidate")).select_by_visible_text("epoch_1")
    assert "Pick two different checkpoints" in text(driver, "compare-result")
    no_script_errors(driver)


def test_a_reason_count_opens_those_samples(page):
    driver = page()
    driver.find_element(By.CSS_SELECTOR, '#reasons a[data-key="demo/epoch_1"][data-reason="order_mismatch"]').click()
    assert driver.find_element(By.ID, "samples").is_displayed()
    assert listed_ids(driver) == ["q0004", "q0010", "q0016", "q0022"]


def test_another_checkpoint_keeps_the_sample_shown(page):
    driver = page()
    driver.find_element(By.ID, "tab-samples").click()
    driver.find_element(By.CSS_SELECTOR, '#sample-list tr[data-index="4"]').click()
    assert text(driver, "detail-reason").startswith("match")
    Select(driver.find_element(By.ID, "filter-checkpoint")).select_by_visible_text("epoch_1")
    assert text(driver, "detail-question") == "Which fruit has id 4 in the agriculture store?"
    assert text(driver, "detail-reason").startswith("order_mismatch")


# Times each filter change in the page: the handler (filtering and redrawing the list) and the
# layout it causes, five times each way: to one reason and back, to three words of text and back.
MEASURE = """
const time = (element, value, kind) => {
  const start = performance.now();
  element.value = value;
  element.dispatchEvent(new Event(kind, {bubbles: true}));
  document.body.offsetHeight;  // the layout the change causes
  return performance.now() - start;
};
document.getElementById("tab-samples").click();
const reason = document.getElementById("filter-reason"), text = document.getElementById("filter-text");
const ms = {reason: [], text: []};
for (let k = 0; k < 5; k++) {
  ms.reason.push(time(reason, "row_mismatch", "change"), time(reason, "", "change"));
  ms.text.push(time(text, "space store 17", "input"), time(text, "", "input"));
}
return [ms, document.getElementById("sample-count").textContent];
"""


def test_filtering_3000_samples_stays_fast(browser, tmp_path):
    run = report_run.make(tmp_path, n=3000)
    started = time.perf_counter()
    path = report.write([run], tmp_path / "report.html")
    print(f"report of 3000 samples x 2 checkpoints: built in {time.perf_counter() - started:.1f} s, "
          f"{path.stat().st_size / 2**20:.1f} MiB")
    started = time.perf_counter()
    open_report(browser, path)
    print(f"opened and drawn in {time.perf_counter() - started:.1f} s")
    ms, count = browser.execute_script(MEASURE)
    assert count == "3000 of 3000 samples"
    for kind, times in ms.items():
        times.sort()
        print(f"filter by {kind}, 3000 samples: median {times[len(times) // 2]:.1f} ms, slowest {times[-1]:.1f} ms")
        assert times[len(times) // 2] < 200 and times[-1] < 1000  # bounds far above the figures, for a busy machine

"""The Dagster UI in a real browser: graph and checks, Materialize, a run, a model's report.

Drives Debian's chromium (`/usr/bin/chromium`, installed by `.ci/run`) through Playwright;
no downloaded browser. Screenshots go to test-artifacts/ for a person to look at.
"""

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright

from gata_assets_tests.integration.dagster_processes import DATA_ASSETS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
# Headless on a shared CI machine: no GPU, no sandbox (root in a container), and no
# background traffic to Google (the machine has no internet; retries would only cost CPU).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 1000}
# The UI waits on the webserver, which shares 2 busy cores with the run it launched.
UI_TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 240

DATA_SELECTION = "group:extraction or group:preparation"
# The extract's 3 checks, 2 on each group's split, and the low-volume sufficiency check.
DATA_CHECKS = 8
# Names short enough that the graph shows them in full (longer ones are elided with "…").
GRAPH_LABELS = [
    "ticket_extract",
    "general_group",
    "low_volume_group",
    "general_train_set",
    "general_test_set",
    "general_model",
    "low_volume_model",
    "routing_endpoint",
    "prod_endpoint",
    "batch_predictions",
]
# Each asset's checks: how many the Checks tab counts, and names it shows in full.
CHECKS = {
    "ticket_extract": (3, ["ticket_extract_unique_ids", "ticket_extract_category_drift"]),
    "general_model": (3, ["macro_f1_floor", "beats_tfidf_baseline", "champion_challenger"]),
}


@pytest.fixture
def page(tmp_path: Path, artifacts_dir: Path) -> Iterator[Page]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # fresh profile: no state from earlier runs
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            yield page
            # The page as the test left it: what to look at when a step timed out.
            with contextlib.suppress(PlaywrightError):
                page.screenshot(path=artifacts_dir / "ui-last-page.png")
        finally:
            context.close()


def show_whole_graph(page: Page, base_url: str, hide_navigation: bool = False) -> None:
    """Global lineage with every group expanded, zoomed out so every stage fits."""
    page.goto(f"{base_url}/asset-groups")
    if hide_navigation:  # more room for the graph; the browser remembers it for later pages
        page.get_by_role("button", name="Hide navigation").click()
    page.locator("#zoom-slider-container").get_by_role("button", name="settings").click()
    toggle = page.get_by_role("menuitem", name=re.compile(r"(Expand|Collapse) all groups"))
    if "Expand" in toggle.inner_text():  # the browser remembers an earlier expansion
        toggle.click()
    page.keyboard.press("Escape")
    # The graph fits itself to the viewport when it loads, not when groups expand.
    page.reload()
    expect(page.get_by_text("routing_endpoint", exact=True)).to_be_visible()
    # Hide the group sidebar: the graph gets the whole width.
    page.get_by_role("button", name="panel_show_right", exact=True).click()
    page.get_by_role("button", name="zoom_out", exact=True).click()
    page.wait_for_timeout(1500)  # let the zoom animation settle before a screenshot


def wait_for_run_outcome(page: Page) -> str:
    """The run page's status tag once it is final; the page updates itself live."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    outcomes = ("Success", "Failure", "Canceled")
    while time.monotonic() < deadline:
        for outcome in outcomes:
            if page.get_by_text(outcome, exact=True).first.is_visible():
                return outcome
        page.wait_for_timeout(2000)
    return f"still running after {RUN_TIMEOUT_S} s"


def test_ui_shows_assets_and_checks_and_materializes_data_assets(
    dagster_webserver, artifacts_dir: Path, page: Page
):
    base_url = dagster_webserver.url

    show_whole_graph(page, base_url)
    for label in GRAPH_LABELS:
        expect(page.get_by_text(label, exact=True)).to_be_visible()
    page.screenshot(path=artifacts_dir / "ui-asset-graph.png")

    for asset, (count, checks) in CHECKS.items():
        page.goto(f"{base_url}/assets/{asset}?view=checks")
        expect(page.get_by_text(f"Checks ({count})")).to_be_visible()
        for check in checks:
            expect(page.get_by_text(check, exact=True).first).to_be_visible()
    page.screenshot(path=artifacts_dir / "ui-general-model-checks.png")

    # Select the data assets the way a user does: a selection typed into the graph's filter.
    page.goto(f"{base_url}/asset-groups")
    page.locator(".CodeMirror").first.click()
    page.keyboard.type(DATA_SELECTION)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"group%3Aextraction%20or%20group%3Apreparation"))
    expect(page.get_by_text("training", exact=True)).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"Materialize all$")).click()

    expect(page.get_by_text(re.compile(r"Launched run [0-9a-f]{8}"))).to_be_visible()
    view = page.get_by_role("link", name="View", exact=True)  # the toast's link to the run
    run_id = view.get_attribute("href").rsplit("/", 1)[-1]
    view.click()
    expect(page).to_have_url(re.compile(rf"/runs/{run_id}"))

    outcome = wait_for_run_outcome(page)
    page.screenshot(path=artifacts_dir / "ui-run-succeeded.png", full_page=True)
    assert outcome == "Success", f"{outcome}\n{dagster_webserver.process.tail()}"
    expect(page.get_by_text(f"{len(DATA_ASSETS)} assets", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{DATA_CHECKS} checks", exact=True)).to_be_visible()

    # The asset's Checks tab shows the latest verdict of each of its checks.
    page.goto(f"{base_url}/assets/ticket_extract?view=checks")
    expect(page.get_by_text("Succeeded", exact=True)).to_have_count(3)
    page.screenshot(path=artifacts_dir / "ui-ticket-extract-checks.png")

    # The UI's verdict agrees with the instance: this run materialized every data asset
    # and all their checks passed.
    with dg.DagsterInstance.from_config(str(dagster_webserver.dagster_home)) as instance:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        for key in DATA_ASSETS:
            latest = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert latest is not None and latest.run_id == run_id, key
        checks = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        verdicts = [e.dagster_event.asset_check_evaluation_data.passed for e in checks]
        assert verdicts == [True] * DATA_CHECKS

    # The whole graph again, data assets now materialized: the picture docs/ is made from.
    show_whole_graph(page, base_url, hide_navigation=True)
    page.screenshot(path=artifacts_dir / "ui-asset-graph-after-run.png")


def test_model_page_shows_the_per_queue_report_and_chart(
    dagster_webserver, general_model_materialized, artifacts_dir: Path, page: Page
):
    page.goto(f"{dagster_webserver.url}/assets/general_model")
    # Five queues keep the report under the 1,000 characters Dagster shows inline. Its own
    # table, not the metadata table around it (with a `precision` row: fp32) nor the pairs'.
    per_queue = page.get_by_role("columnheader", name="Precision")
    report = page.locator("table:not(:has(table))").filter(has=per_queue)
    expect(report.get_by_role("columnheader", name="Support")).to_be_visible()
    expect(report.get_by_role("cell", name="billing", exact=True)).to_be_visible()
    report.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "ui-general-model-report.png")

    # The chart is too long to show inline: Dagster puts it behind a link to a dialog.
    page.get_by_role("row", name=re.compile(r"^report_chart")).get_by_text(
        "[Show Markdown]"
    ).click()
    chart = page.get_by_role("dialog").locator('img[src^="data:image/png;base64,"]')
    expect(chart).to_be_visible()
    assert chart.evaluate("image => image.naturalWidth") > 300  # decoded, not a broken icon
    page.screenshot(path=artifacts_dir / "ui-general-model-report-chart.png")

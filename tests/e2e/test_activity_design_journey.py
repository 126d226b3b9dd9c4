"""An organizer designs a community garden from its template, schedules weekly sessions, answers
the rubric while the scores update live, saves, and reads the radar chart and recommendations."""

from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in


def test_design_an_activity_from_a_template_and_see_its_scores(page):
    start = date.today() + timedelta(days=7)
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activities").click()
    expect(page.get_by_role("heading", name="Activities", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Cocina del Mundo — weekly cooking club")).to_be_visible()
    screenshot(page, "activities-list")

    # Start from the community garden template.
    page.get_by_role("link", name="New activity").click()
    page.get_by_role("link", name="Community garden").click()
    expect(page.get_by_label("Shared goal")).not_to_be_empty()
    page.get_by_label("Title").fill("Huerto del barrio")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("End date").fill((start + timedelta(weeks=20)).isoformat())
    page.get_by_label("Target number of migrants").fill("10")
    page.get_by_label("Target number of locals").fill("10")
    page.get_by_role("button", name="Create activity").click()
    expect(page.get_by_role("heading", name="Huerto del barrio", level=1)).to_be_visible()
    expect(page.get_by_text("Activity created.")).to_be_visible()

    # Schedule the template's weekly sessions (16 by default for a garden).
    page.get_by_role("link", name="Sessions (0)").click()
    expect(page.get_by_label("Number of sessions")).to_have_value("16")
    page.get_by_label("Weekday").select_option(label="Saturday")
    page.get_by_role("button", name="Schedule sessions").click()
    expect(page.get_by_text("Sessions scheduled: 16.")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(16)
    expect(page.locator("tbody tr").first).to_contain_text("Saturday")
    screenshot(page, "activity-sessions")

    # Answer the rubric: the scores change live, before anything is saved.
    page.get_by_role("link", name="Back to the activity").click()
    page.get_by_role("link", name="Assess the design").click()
    overall = page.get_by_test_id("overall-score")
    expect(overall).to_be_visible()
    expect(page.locator("#design-radar .main-svg").first).to_be_visible()
    before = overall.inner_text()
    shared = page.locator("#p-score-3")
    shared_before = shared.inner_text()
    for question in ("p3_design", "p3_organisation", "p3_running", "p3_evaluation"):
        page.locator(f'input[name="a.{question}"][value="yes"]').check()
    page.get_by_label("What share of participants commit to attending the whole series?").fill("90")
    expect(shared).to_have_text("100")
    expect(overall).not_to_have_text(before)
    assert int(overall.inner_text()) > int(before)
    assert int(shared.inner_text()) > int(shared_before)
    expect(page.get_by_text("Preview, not saved")).to_be_visible()
    screenshot(page, "activity-design-live")
    page.screenshot(path=str(ARTIFACTS / "activity-design-live-viewport.png"))

    # Save: the activity page shows the radar chart and the recommendations.
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Design assessment saved.")).to_be_visible()
    expect(page.locator("#design-radar .main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Where to improve")).to_be_visible()
    assert page.locator(".recommendations li").count() >= 2
    screenshot(page, "activity-page")

    page.get_by_role("link", name="Design history").click()
    expect(page.locator("tbody details")).to_have_count(1)


def fits_width(page, width: int) -> bool:  # type: ignore[no-untyped-def]
    """True once the page is no wider than the screen (plotly resizes its chart after drawing)."""
    try:
        page.wait_for_function(f"document.documentElement.scrollWidth <= {width}", timeout=8000)
    except Exception:  # noqa: BLE001 - a timeout means it still scrolls sideways
        return False
    return True


def test_the_activity_pages_fit_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page)
        page.goto("/activities")
        screenshot(page, "activities-list-390")
        page.get_by_role("link", name="Cocina del Mundo — weekly cooking club").click()
        expect(page.locator("#design-radar .main-svg").first).to_be_visible()
        assert fits_width(page, 390), "the activity page scrolls sideways"
        screenshot(page, "activity-page-390")
        page.get_by_role("link", name="Assess the design").click()
        expect(page.locator("#design-radar .main-svg").first).to_be_visible()
        assert fits_width(page, 390)
        screenshot(page, "activity-design-390")
        live = page.locator("#overall-live")
        expect(live).to_be_visible()  # the overall score stays in view on a phone
        before = live.inner_text()
        page.locator('input[name="a.p3_design"][value="no"]').check()
        expect(page.locator("#p-score-3")).not_to_have_text("75")
        expect(live).not_to_have_text(before)
        page.screenshot(path=str(ARTIFACTS / "activity-design-390-viewport.png"))
    finally:
        context.close()

"""The demo's government viewer opens the territory impact dashboard, narrows it with a filter
(htmx, no full reload), sees the forest plot and prints the report; the demo organizer opens the
outcomes of an activity. Screenshots land in test-artifacts/."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

VIEWER = "viewer@demo.encuentro.org"
ORGANIZER = "organizer@demo.encuentro.org"


def test_a_viewer_filters_and_prints_the_territory_dashboard(page):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, VIEWER, heading=None)
    page.get_by_role("link", name="Impact dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Impact of social-mixing")
    forest = page.locator("#forest .main-svg").first
    expect(forest).to_be_visible()
    # the demo NGOs that share with the municipality: 3 current and 7 completed activities
    expect(page.locator("#activities-table tbody tr")).to_have_count(10)
    screenshot(page, "dashboard-territory")

    page.evaluate("window.__marker = 'same page'")
    with page.expect_response(lambda r: "/dashboards/territory?" in r.url):
        page.get_by_label("Kind of activity").select_option("cooking")
    expect(page.locator("#activities-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"  # swapped by htmx, not reloaded
    assert "kind=cooking" in page.url  # the filtered view can be bookmarked and printed
    expect(page.locator("#forest .main-svg").first).to_be_visible()
    expect(page.locator("#activities-table")).not_to_contain_text("Villaverde Sports Day")
    screenshot(page, "dashboard-territory-filtered")

    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("#forest .main-svg").first).to_be_visible()
    screenshot(page, "dashboard-territory-print")


def test_an_organizer_reads_the_outcomes_of_an_activity(page):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, ORGANIZER)
    page.get_by_role("link", name="Outcomes").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes across your activities")
    expect(page.locator("#forest .main-svg").first).to_be_visible()
    screenshot(page, "outcomes-overview")

    page.locator("#activities-table").get_by_role("link", name="Cocina del Mundo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cocina del Mundo")
    expect(page.locator(".headline")).to_contain_text("Cohesion index improved by")
    expect(page.locator("#means .main-svg").first).to_be_visible()
    expect(page.locator("#change-table")).to_contain_text("Intergroup trust")
    screenshot(page, "outcomes-activity")

"""An organizer enrols people in the language café, forms mixed groups with the mixing tool,
moves someone by hand, and then takes attendance for today's cooking club on a phone."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in

PHONE = {"width": 390, "height": 844}


def open_activity(page, title: str) -> str:  # type: ignore[no-untyped-def]
    """Open a demo activity from the list; its URL."""
    page.goto("/activities")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    return re.sub(r"[?#].*$", "", page.url)


def test_enrol_form_groups_and_move_someone(page):
    sign_in(page)
    activity = open_activity(page, "Café de Idiomas — language café")
    # The activity page will link here ("Participants, groups and attendance").
    page.goto(f"{activity}/enrolment")
    expect(page.get_by_role("heading", name="Migrant / local balance")).to_be_visible()
    enrolled_heading = page.get_by_role("heading", name=re.compile(r"^Enrolled \(\d+\)$"))
    before = int(re.search(r"\((\d+)\)", enrolled_heading.inner_text()).group(1))

    # Live search (htmx): only not-yet-enrolled people matching the text are offered.
    candidates = page.locator("#candidates")
    page.get_by_label("Group", exact=True).select_option("host")
    expect(candidates.get_by_text("Host community").first).to_be_visible()
    expect(candidates.get_by_text("Migrant", exact=True)).to_have_count(0)
    first_two = candidates.locator('input[name="participant"]')
    first_two.nth(0).check()
    first_two.nth(1).check()
    screenshot(page, "roster-enrolment-search")
    candidates.get_by_role("button", name="Enrol the ticked people").click()
    expect(page.get_by_text("Enrolled: 2.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Enrolled ({before + 2})")).to_be_visible()
    screenshot(page, "roster-enrolment")

    # Removing asks first.
    page.locator('form[action$="/enrolment/remove"] input[name="participant"]').first.check()
    page.get_by_role("button", name="Remove the ticked people…").click()
    expect(page.get_by_role("heading", name=re.compile("Remove 1 person from"))).to_be_visible()
    page.get_by_role("button", name="Remove from the activity").click()
    expect(page.get_by_text("Removed from the activity: 1.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Enrolled ({before + 1})")).to_be_visible()

    # Propose groups of four, keeping two people together, then save.
    page.get_by_role("link", name="Mixed groups").click()
    expect(page.get_by_text("No groups saved yet.")).to_be_visible()
    page.get_by_label("People per group").fill("4")
    first_pair = page.locator('select[name="together_a"]').first
    first_pair.select_option(index=1)
    page.locator('select[name="together_b"]').first.select_option(index=2)
    page.get_by_role("button", name="Propose groups").click()
    proposal = page.locator("#proposal")
    expect(proposal.get_by_role("heading", name="Proposal (not saved)")).to_be_visible()
    expect(proposal.locator(".group-card")).to_have_count((before + 1) // 4)
    expect(proposal.get_by_text("Main language").first).to_be_visible()
    screenshot(page, "roster-groups-proposal")
    proposal.get_by_role("button", name="Save these groups").click()
    expect(page.get_by_text("Groups saved.")).to_be_visible()
    saved = page.locator("#groups")
    expect(saved.get_by_text("Formed with the mixing tool")).to_be_visible()

    # Move the first person of group 1 to group 2 (htmx): the make-up updates at once.
    first_card = saved.locator(".group-card").first
    size_before = first_card.locator(".members li").count()
    first_card.locator("select").first.select_option(label="Group 2")
    expect(saved.locator(".group-card").first.locator(".members li")).to_have_count(size_before - 1)
    expect(saved.locator(".flash.warning")).to_contain_text("uneven")
    expect(saved.get_by_text("Formed with the mixing tool")).to_be_visible()
    screenshot(page, "roster-groups-saved")


def test_take_attendance_on_a_phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page)
        activity = open_activity(page, "Cocina del Mundo — weekly cooking club")
        page.goto(f"{activity}/attendance")
        expect(
            page.get_by_role("heading", name="Sessions attended per participant")
        ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, "roster-attendance-390")
        page.get_by_role("link", name=re.compile("^Take attendance")).click()
        expect(page.get_by_role("heading", name=re.compile("^Attendance:"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        boxes = page.locator('.sheet-list input[type="checkbox"]')
        count = page.locator("#sheet-count")
        expect(count).to_contain_text("0 present")
        # A tap saves at once; the count and the row's status follow.
        boxes.nth(0).check()
        expect(count).to_contain_text("1 present")
        boxes.nth(1).check()
        expect(count).to_contain_text("2 present")
        boxes.nth(1).uncheck()
        expect(count).to_contain_text("1 present")
        expect(page.locator(".sheet-list li").nth(1)).to_contain_text("Absent")
        screenshot(page, "roster-sheet-390")
        page.screenshot(path=str(ARTIFACTS / "roster-sheet-390-viewport.png"))

        page.reload()
        expect(page.locator("#sheet-count")).to_contain_text("1 present")
        expect(page.locator('.sheet-list input[type="checkbox"]').nth(0)).to_be_checked()

        total = boxes.count()
        page.get_by_role("button", name="Mark everyone present").click()
        expect(page.locator("#sheet-count")).to_contain_text(f"{total} present")
        expect(page.locator('.sheet-list input[type="checkbox"]:checked')).to_have_count(total)
        screenshot(page, "roster-sheet-all-present-390")
    finally:
        context.close()

"""An org admin imports a participant list: the preview shows a row error, a corrected file passes,
the import is confirmed, and the new people appear in the registry - at desktop and phone width."""

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

HEADER = "name,group,birth_year,gender,languages,preferred_language\n"
ROWS = 'Zainab Journey,migrant,1991,woman,"ar, fr",ar\nRodrigo Journey,host,1985,man,es,es\n'
BAD_ROW = "Broken Journey,tourist,1890,man,es,es\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_a_participant_list_fix_an_error_and_confirm(page, tmp_path):
    sign_in(page, "admin@demo.encuentro.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Participants").click()
    expect(page.get_by_role("heading", name="Participants", level=1)).to_be_visible()
    expect(page.get_by_text("138 participants")).to_be_visible()  # the demo registry
    screenshot(page, "participants-list")

    page.get_by_role("link", name="Import from a file").click()
    expect(page.get_by_role("heading", name="Import participants", level=1)).to_be_visible()
    expect(page.get_by_text("How rows are matched to people already registered")).to_be_visible()

    # A file with a bad row: the preview (swapped in by htmx) shows the row and its errors.
    page.get_by_label("Participant file").set_input_files(
        write(tmp_path, "participants.csv", HEADER + ROWS + BAD_ROW)
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#import-preview")
    expect(preview.get_by_text("1 row with errors", exact=True)).to_be_visible()
    error_row = preview.locator("tr.row-error")
    expect(error_row).to_have_count(1)
    expect(error_row).to_contain_text("group 'tourist'")
    expect(error_row).to_contain_text("birth year 1890")
    expect(preview.get_by_role("button", name="Confirm the import")).to_have_count(0)
    assert "/participants/import/" in page.url  # the preview has its own address
    screenshot(page, "participants-import-errors")

    # The corrected file passes; nothing was written by the first attempt.
    page.get_by_label("Participant file").set_input_files(
        write(tmp_path, "participants-fixed.csv", HEADER + ROWS)
    )
    page.get_by_role("button", name="Preview").click()
    expect(preview.get_by_text("2 new", exact=True)).to_be_visible()
    expect(preview.locator("tr.row-error")).to_have_count(0)
    preview.get_by_label("Also enrol everyone in this file in (optional)").select_option(
        label="Cocina del Mundo — weekly cooking club"
    )
    screenshot(page, "participants-import-preview")
    preview.get_by_role("button", name="Confirm the import").click()

    expect(page.get_by_role("heading", name="Import complete")).to_be_visible()
    expect(page.get_by_text("2 registered")).to_be_visible()
    expect(page.get_by_text("2 people are enrolled in Cocina del Mundo")).to_be_visible()
    screenshot(page, "participants-import-summary")

    page.get_by_role("link", name="See the participants").click()
    expect(page.get_by_text("140 participants")).to_be_visible()
    page.get_by_label("Code or name").fill("journey")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#participant-results")
    expect(results.get_by_role("cell", name="Zainab Journey")).to_be_visible()
    expect(results.get_by_role("cell", name="Rodrigo Journey")).to_be_visible()
    expect(results.get_by_text("Broken Journey")).to_have_count(0)
    screenshot(page, "participants-list-after-import")

    # The participant page: consent missing, restricted note closed, rights actions.
    results.locator("a.code").first.click()
    expect(page.get_by_text("Consent for surveys is missing")).to_be_visible()
    expect(page.get_by_role("button", name="Download their data (JSON)")).to_be_visible()
    screenshot(page, "participant-detail")

    # Phone width: the list and the participant page stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "participant-detail-390")
    page.goto("/participants?q=journey")
    expect(page.locator("#participant-results").get_by_text("Zainab Journey")).to_be_visible()
    screenshot(page, "participants-list-390")
    page.goto("/participants/import")
    screenshot(page, "participants-import-390")

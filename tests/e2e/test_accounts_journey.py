"""A staff member signs in, switches the interface to Spanish, and signs out."""

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in


def test_sign_in_switch_to_spanish_and_sign_out(page):
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Puentes Comunitarios")
    screenshot(page, "home-en")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    nav = page.get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Personal")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    screenshot(page, "home-es")
    nav.get_by_role("link", name="Personal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal de")
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    page.goto("/")
    assert "/login" in page.url  # signed out: the home page asks to sign in again


def test_wrong_password_shows_the_error_next_to_the_form(page):
    page.goto("/login")
    page.get_by_label("E-mail").fill("organizer@demo.encuentro.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail or password")

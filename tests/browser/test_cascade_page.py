"""The cascade page in chromium, on the demo region: the municipal coordinator's list and form and
the regional table have no serious axe violation and no sideways scrolling at 375 px, and a
regional measure is passed on with the keyboard alone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Session, demo_app, serve
from tests.browser.test_accessibility import AXE_RUN, BLOCKING, OVERFLOW, axe_source  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Passing SelectField choices:DeprecationWarning"),
]


def _load_region() -> None:
    from roadmap.demo_region import load_demo_region

    load_demo_region(force=True)


@pytest.fixture(scope="module")
def region_server(chromium_path, tmp_path_factory):
    with serve(demo_app(tmp_path_factory.mktemp("cascade-instance"), prepare=_load_region)) as live:
        yield live


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("login", ["coordinator-sochi", "region"])
def test_the_cascade_page_is_accessible(browser, region_server, artifacts, axe_source, login, width):  # noqa: F811
    options = {"viewport": {"width": width, "height": 800}}
    if width == 375:
        options.update(is_mobile=True, has_touch=True)
    session = Session(browser, region_server, artifacts, {}, **options)
    session.context.add_init_script(script=axe_source)
    session.login(login)
    page = session.page
    page.goto("/cascade/")
    assert page.get_by_role("heading", name="Мероприятия региона").is_visible()
    violations = page.evaluate(AXE_RUN, [None, list(BLOCKING)])
    assert not violations, violations
    if width == 375:
        scroll, inner, client, wide = page.evaluate(OVERFLOW, width)
        assert scroll <= min(inner, client, width), wide
    session.close()


def test_a_measure_is_passed_on_with_the_keyboard(browser, region_server, artifacts):
    session = Session(browser, region_server, artifacts, {})
    page = session.login("coordinator-sochi")
    page.goto("/cascade/")
    card = page.locator("section.card", has_text="Совещание с руководителями")
    field = card.get_by_label("Кому в муниципалитете")
    assert field.input_value() == "Школы муниципалитета г. Сочи"
    field.focus()
    page.keyboard.press("Tab")  # to the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/roadmaps/" in page.url, page.locator(".invalid-feedback").all_inner_texts()
    assert "передано в организации муниципалитета" in page.content()
    page.goto("/cascade/")
    assert page.locator("section.card", has_text="Совещание с руководителями").get_by_text("передано").count() >= 1
    session.close()


def test_a_measure_of_ones_own_roadmap_is_linked_and_unlinked_with_the_keyboard(browser, region_server, artifacts):
    session = Session(browser, region_server, artifacts, {})
    page = session.login("coordinator-sochi")
    page.goto("/cascade/")
    card = page.locator("section.card", has_text="Шоу профессий")
    choice = card.get_by_label("Мероприятие своей дорожной карты")
    chosen = choice.locator("option:checked").inner_text().split(" ")[0]
    choice.focus()
    page.keyboard.press("Tab")  # past the hint, to the button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cascade/"), page.locator(".invalid-feedback").all_inner_texts()
    assert f"Мероприятие {chosen} карты" in page.content() and "связано с мероприятием 1.3" in page.content()
    card = page.locator("section.card", has_text="Шоу профессий")
    assert card.get_by_text("передано").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Отвязать").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "отвязано от мероприятия 1.3" in page.content()
    assert (
        page.locator("section.card", has_text="Шоу профессий").get_by_label("Мероприятие своей дорожной карты").count()
    )
    session.close()

"""The region's summary by keyboard alone: from the roadmap's page to «Муниципалитеты», then down to
a municipality's own dashboard, on a phone without sideways scrolling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

pytestmark = [pytest.mark.browser]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


def _published_roadmap(live_server) -> int:
    from roadmap.extensions import db
    from roadmap.models import Roadmap, RoadmapStatus

    with live_server.app.app_context():
        try:
            return db.session.scalar(
                select(Roadmap.id).where(Roadmap.status == RoadmapStatus.PUBLISHED).order_by(Roadmap.id).limit(1)
            )
        finally:
            db.session.remove()


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{selector} is not reached by Tab in {limit} presses")


@pytest.mark.parametrize("options", [{}, PHONE], ids=["desktop", "phone"])
def test_regional_staff_reach_a_municipality_by_keyboard(open_session, live_server, options):
    roadmap_id = _published_roadmap(live_server)
    session = open_session(**options)
    page = session.login("coordinator")  # the plain demo's coordinator is the region's
    page.goto(f"/roadmaps/{roadmap_id}")
    _tab_to(page, f'a.nav-link[href="/roadmaps/{roadmap_id}/municipalities"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/roadmaps/{roadmap_id}/municipalities")
    assert page.locator("h2", has_text="Рейтинг муниципалитетов").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    _tab_to(page, "#ranking tbody a")
    name = page.evaluate("document.activeElement.textContent").strip()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/roadmaps/{roadmap_id}/municipalities/*")
    assert page.locator("#municipality").inner_text().startswith(name)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
    # The way back to every municipality is a link too.
    _tab_to(page, "#municipality a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/roadmaps/{roadmap_id}/municipalities?year=*")

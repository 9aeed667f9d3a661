"""A task shows both axes of its state (roadmap.tasks.state) on its page and in «Мои задачи»."""

from __future__ import annotations

import lxml.html

from roadmap.extensions import db
from roadmap.models import Task, TaskStatus

from .test_usability import _returned, world  # noqa: F401  (the fixture)


def _badges(html: str, xpath: str) -> list[str]:
    node = lxml.html.fromstring(html).xpath(xpath)[0]
    return [" ".join(span.text_content().split()) for span in node.xpath('.//span[contains(@class, "badge")]')]


def test_a_returned_report_past_its_deadline_is_returned_and_overdue(client, auth, world):  # noqa: F811
    task = world["task"]  # September 2023: long past
    _returned(client, auth, task)
    assert db.session.get(Task, task.id).status == TaskStatus.RETURNED
    auth.login("school")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert _badges(page, '//*[@id="task-state"]') == ["возвращено на доработку", "просрочено"]
    tree = lxml.html.fromstring(page)
    assert tree.xpath('//*[@id="task-timeliness"]/@data-timeliness') == ["overdue"]
    listing = client.get("/tasks?year=2023").get_data(as_text=True)
    assert _badges(listing, f'//a[@href="/tasks/{task.id}"]') == ["возвращено на доработку", "просрочено"]


def test_a_report_on_review_is_never_overdue_and_says_when_it_came(client, auth, world):  # noqa: F811
    task = world["task"]
    auth.login("school")
    client.post(f"/tasks/{task.id}/submit", data={"version": str(task.version), "comment": "Проведено"})
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert _badges(page, '//*[@id="task-state"]') == ["на проверке"]
    # submitted today, after the September 2023 deadline
    assert lxml.html.fromstring(page).xpath('//*[@id="task-timeliness"]/text()') == ["с опозданием"]

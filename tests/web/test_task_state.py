"""A task shows both axes of its state (roadmap.tasks.state) on its page and in «Мои задачи»."""

from __future__ import annotations

import lxml.html

from roadmap.directory.territory import municipality_named
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


def test_my_tasks_say_which_roadmap_and_filter_by_it(client, auth, make_org, make_user, make_roadmap):
    from roadmap.models import OrgGroup, OrgKind

    school = make_org(kind=OrgKind.SCHOOL, municipality="г. Р", short_name="СОШ 7")
    make_user(organization=school, login="school7")
    first = make_roadmap([("1.1", "Классные часы", "сентябрь", [school])], title="План профориентации")
    second = make_roadmap([("1.1", "Классные часы", "сентябрь", [school])], title="План воспитательной работы")
    db.session.add(OrgGroup(name="ОО г. Р", kind=OrgKind.SCHOOL, municipality=municipality_named("г. Р")))
    db.session.flush()
    auth.login("school7")
    page = lxml.html.fromstring(client.get("/tasks?year=2023").get_data(as_text=True))
    assert sorted(page.xpath("//*[@data-roadmap]/text()")) == ["План воспитательной работы", "План профориентации"]
    options = page.xpath('//select[@id="roadmap"]/option/@value')
    assert options == ["", str(second.id), str(first.id)]
    only = lxml.html.fromstring(client.get(f"/tasks?year=2023&roadmap={first.id}").get_data(as_text=True))
    links = only.xpath('//a[starts-with(@href, "/tasks/")]/@href')
    assert len(links) == 1 and only.xpath("//*[@data-roadmap]") == []  # one roadmap: no need to say

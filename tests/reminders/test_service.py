"""Reminder digests sent to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from roadmap.extensions import db
from roadmap.models import Role, TaskStatus, Transition
from roadmap.models.reminder import ReminderLog, ReminderSetting
from roadmap.reminders.service import send_reminders

# Long enough for the headers to be folded: Python's folder mangles Cyrillic there.
LONG_NAME = "Константинопольская-Преображенская Ксения Александровна, методист МКУ КНМЦ"
TUESDAY = date(2023, 9, 5)
MONDAY = date(2023, 9, 4)


@pytest.fixture
def mail_app(app, smtp_server):
    port, mailbox = smtp_server
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USERNAME=None,
        MAIL_FROM="Методический центр <noreply@roadmap.example.ru>",
        MAIL_EHLO_NAME="localhost",
        BASE_URL="https://roadmap.example.ru",
    )
    return app, mailbox


@pytest.fixture
def world(make_org, make_user, make_roadmap):
    """Three schools with 2, 5 and 1 tasks needing attention on Tuesday 5 September 2023."""
    a = make_org(full_name="МБОУ СОШ № 1", short_name="СОШ № 1")
    b = make_org(full_name="МБОУ СОШ № 2", short_name="СОШ № 2")
    c = make_org(full_name="МБОУ СОШ № 3", short_name="СОШ № 3")
    quiet = make_org(full_name="МБОУ СОШ № 4", short_name="СОШ № 4")
    roadmap = make_roadmap(
        [
            ("1.1", "Родительские собрания по профориентации", "до 1 сентября", [a, b, c, quiet]),
            ("1.2", "Классные часы «Россия — мои горизонты»", "до 6 сентября", [a, b]),
            ("1.3", "Экскурсии на предприятия", "до 7 сентября", [b]),
            ("1.4", "Профпробы", "до 8 сентября", [b]),
            ("1.5", "Мониторинг", "до 4 сентября", [b]),
            ("1.6", "Итоговый отчёт", "до 20 декабря", [a, b, c, quiet]),
        ]
    )
    users = {
        "a": make_user(organization=a, email="a@school1.ru", full_name="Иванова Ирина Ивановна"),
        "b": make_user(organization=b, email="b@school2.ru", full_name="Петров Пётр"),
        "c": make_user(organization=c, email="c@school3.ru", full_name="Сидорова Анна"),
        "no_email": make_user(organization=a, full_name="Без почты"),
        "disabled": make_user(organization=a, email="off@school1.ru", full_name="Выключила"),
        "inactive": make_user(organization=a, email="gone@school1.ru", full_name="Уволен"),
        "coordinator": make_user(role=Role.COORDINATOR, email="kc@knmc.ru", full_name=LONG_NAME),
        "observer": make_user(role=Role.OBSERVER, email="obs@uo.ru", full_name="Наблюдатель"),
    }
    users["inactive"].is_active_account = False
    db.session.add(ReminderSetting(user_id=users["disabled"].id, is_enabled=False))
    # Quiet school: the 1 September task is done and accepted, nothing else is near.
    for task in roadmap_tasks(roadmap):
        if task.organization_id == quiet.id and task.due_effective_on < TUESDAY:
            task.status = TaskStatus.ACCEPTED
    db.session.add(make_user(organization=quiet, email="quiet@school4.ru"))
    db.session.flush()
    return {"roadmap": roadmap, "orgs": (a, b, c, quiet), **users}


def roadmap_tasks(roadmap):
    from roadmap.models import Task

    return db.session.scalars(select(Task).where(Task.roadmap_id == roadmap.id)).all()


def log_count() -> int:
    return db.session.scalar(select(func.count(ReminderLog.id)))


def test_daily_digests_arrive_well_formed(mail_app, world):
    app, mailbox = mail_app
    result = send_reminders(TUESDAY, kinds=["daily"])
    assert sorted(item.email for item in result.sent) == ["a@school1.ru", "b@school2.ru", "c@school3.ru"]
    assert len(mailbox.envelopes) == 3

    (message,) = mailbox.to("a@school1.ru")
    assert message["Subject"] == "Дорожная карта: 2 задачи требуют внимания"
    assert message["To"].addresses[0].display_name == "Иванова Ирина Ивановна"
    assert message["From"].addresses[0].display_name == "Методический центр"
    assert message["From"].addresses[0].addr_spec == "noreply@roadmap.example.ru"
    raw = mailbox.envelopes[0].content
    # On the wire every header is ASCII: Cyrillic only as RFC 2047 encoded words.
    headers = raw.split(b"\r\n\r\n", 1)[0]
    headers.decode("ascii")
    assert b"=?utf-8?" in headers.lower()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert "Здравствуйте, Иванова Ирина Ивановна!" in text
    assert "Просрочено — 1 задача:" in text
    assert "1.1 Родительские собрания по профориентации — срок 01.09.2023" in text
    assert "Срок в ближайшие 3 дня — 1 задача:" in text
    assert "Классные часы «Россия — мои горизонты» — срок 06.09.2023" in text
    assert "Итоговый отчёт" not in text  # December is far away
    assert "https://roadmap.example.ru/account/reminders" in text
    assert "<li>1.1 Родительские собрания" in html.get_content()

    (message,) = mailbox.to("b@school2.ru")
    assert message["Subject"] == "Дорожная карта: 5 задач требуют внимания"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Просрочено — 2 задачи:" in text
    assert "Срок в ближайшие 3 дня — 3 задачи:" in text
    (message,) = mailbox.to("c@school3.ru")
    assert message["Subject"] == "Дорожная карта: 1 задача требует внимания"


def test_nothing_is_sent_twice_the_same_day(mail_app, world, runner):
    app, mailbox = mail_app
    first = runner.invoke(args=["reminders", "send", "--today", "2023-09-05"])
    assert first.exit_code == 0, first.output
    assert "отправлено: ежедневная сводка → Иванова Ирина Ивановна <a@school1.ru>" in first.output
    assert "Итого отправлено: 3; уже отправлено ранее: 0; с ошибкой: 0." in first.output
    assert len(mailbox.envelopes) == 3
    assert log_count() == 3

    second = runner.invoke(args=["reminders", "send", "--today", "2023-09-05"])
    assert second.exit_code == 0, second.output
    assert "Итого отправлено: 0; уже отправлено ранее: 3" in second.output
    assert len(mailbox.envelopes) == 3

    # The next day is a new day.
    send_reminders(date(2023, 9, 6), kinds=["daily"])
    assert len(mailbox.envelopes) == 6


def test_a_slot_claimed_by_another_run_is_skipped(mail_app, world):
    app, mailbox = mail_app
    db.session.add(ReminderLog(user_id=world["a"].id, kind="daily", sent_on=TUESDAY))
    db.session.flush()
    result = send_reminders(TUESDAY, kinds=["daily"])
    assert [item.email for item in result.already_sent] == ["a@school1.ru"]
    assert mailbox.to("a@school1.ru") == []
    assert len(mailbox.envelopes) == 2


def test_disabled_inactive_and_addressless_users_get_nothing(mail_app, world):
    app, mailbox = mail_app
    send_reminders(TUESDAY, kinds=["daily"])
    recipients = {message["To"].addresses[0].addr_spec for message in mailbox.messages}
    assert recipients == {"a@school1.ru", "b@school2.ru", "c@school3.ru"}
    # Switching reminders off through the settings stops them the next day.
    from roadmap.reminders.service import save_reminder_setting

    save_reminder_setting(world["b"], is_enabled=False, days_before=3)
    send_reminders(date(2023, 9, 6), kinds=["daily"])
    assert len(mailbox.to("b@school2.ru")) == 1


def test_days_before_is_per_user(mail_app, world):
    app, mailbox = mail_app
    from roadmap.reminders.service import save_reminder_setting

    save_reminder_setting(world["b"], is_enabled=True, days_before=0)
    save_reminder_setting(world["c"], is_enabled=True, days_before=30)
    send_reminders(TUESDAY, kinds=["daily"])
    (message,) = mailbox.to("b@school2.ru")
    assert message["Subject"] == "Дорожная карта: 2 задачи требуют внимания"  # only the overdue ones
    (message,) = mailbox.to("c@school3.ru")
    assert message["Subject"] == "Дорожная карта: 1 задача требует внимания"


def test_returned_reports_are_listed_with_the_comment(mail_app, world):
    app, mailbox = mail_app
    a = world["orgs"][0]
    task = next(t for t in roadmap_tasks(world["roadmap"]) if t.organization_id == a.id and t.due_on.month == 12)
    task.status = TaskStatus.RETURNED
    db.session.add(Transition(task_id=task.id, from_status="submitted", to_status="returned", comment="Нет охвата"))
    db.session.flush()
    send_reminders(TUESDAY, kinds=["daily"])
    (message,) = mailbox.to("a@school1.ru")
    assert message["Subject"] == "Дорожная карта: 3 задачи требуют внимания"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Возвращено на доработку — 1 задача:" in text
    assert "комментарий координатора: «Нет охвата»" in text


def test_a_returned_report_past_its_deadline_says_it_is_overdue(mail_app, world):
    app, mailbox = mail_app
    a = world["orgs"][0]
    task = next(t for t in roadmap_tasks(world["roadmap"]) if t.organization_id == a.id and t.due_on.day == 1)
    task.status = TaskStatus.RETURNED  # due 1 September, returned: on the 5th it is both
    db.session.add(Transition(task_id=task.id, from_status="submitted", to_status="returned", comment="Нет охвата"))
    db.session.flush()
    send_reminders(TUESDAY, kinds=["daily"])
    (message,) = mailbox.to("a@school1.ru")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "1.1 Родительские собрания по профориентации — срок 01.09.2023 (просрочено)" in text


def test_the_coordinators_overdue_count_is_the_dashboards(mail_app, world):
    from roadmap.reminders.service import coordinator_digests
    from roadmap.reports.queries import Scope, monitoring_report

    tasks = roadmap_tasks(world["roadmap"])
    returned = next(t for t in tasks if t.organization_id == world["orgs"][0].id and t.due_on.day == 1)
    returned.status = TaskStatus.RETURNED
    db.session.flush()
    ((_recipient, digest),) = coordinator_digests(TUESDAY)
    report = monitoring_report(world["roadmap"], Scope(world["roadmap"].id, 2023, TUESDAY))
    assert sum(o.count for o in digest.overdue_by_org) == report.summary.overdue > 0


def test_weekly_coordinator_digest_on_monday(mail_app, world, runner):
    app, mailbox = mail_app
    tasks = roadmap_tasks(world["roadmap"])
    submitted = next(t for t in tasks if t.organization_id == world["orgs"][2].id and t.due_on.month == 12)
    submitted.status = TaskStatus.SUBMITTED
    db.session.flush()

    result = runner.invoke(args=["reminders", "send", "--today", "2023-09-04"])  # a Monday: daily + weekly
    assert result.exit_code == 0, result.output
    assert f"еженедельная сводка → {LONG_NAME} <kc@knmc.ru>" in result.output
    (message,) = mailbox.to("kc@knmc.ru")
    assert message["To"].addresses[0].display_name == LONG_NAME
    headers = mailbox.envelopes[-1].content.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) < 998 for line in headers.split(b"\r\n"))
    # Overdue on 4 September: 1.1 for three schools (the fourth accepted it).
    assert message["Subject"] == "Дорожная карта: сводка за неделю — 3 просроченные задачи, 1 отчёт на проверке"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Просрочено — 3 задачи в 3 организациях:" in text
    assert "СОШ № 2 — 1 задача, самый ранний срок 01.09.2023" in text
    assert "Ждут проверки — 1 отчёт:" in text
    assert "1.6 Итоговый отчёт — срок 20.12.2023, СОШ № 3" in text
    assert mailbox.to("obs@uo.ru") == []

    # Later the same week the weekly digest is not due (and would not repeat if forced).
    runner.invoke(args=["reminders", "send", "--today", "2023-09-05"])
    forced = runner.invoke(args=["reminders", "send", "--today", "2023-09-06", "--kind", "weekly"])
    assert "уже отправлено ранее: еженедельная сводка" in forced.output
    assert len(mailbox.to("kc@knmc.ru")) == 1


def test_dry_run_sends_nothing(mail_app, world, runner):
    app, mailbox = mail_app
    result = runner.invoke(args=["reminders", "send", "--dry-run", "--today", "2023-09-05"])
    assert result.exit_code == 0, result.output
    assert "будет отправлено: ежедневная сводка → Петров Пётр <b@school2.ru>: " in result.output
    assert "Дорожная карта: 5 задач требуют внимания" in result.output
    assert "Итого будет отправлено: 3" in result.output
    assert mailbox.envelopes == []
    assert log_count() == 0


def test_smtp_failure_is_one_russian_line_and_exit_2(app, world, runner):
    from tests.production.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_EHLO_NAME="localhost", MAIL_TIMEOUT=5)
    result = runner.invoke(args=["reminders", "send", "--today", "2023-09-05"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith(
        "Ошибка: напоминания не отправлены: не удалось подключиться к почтовому серверу 127.0.0.1:"
    )
    assert log_count() == 0  # nothing is marked sent


def test_bad_today_is_refused(app, runner):
    result = runner.invoke(args=["reminders", "send", "--today", "05.09.2023"])
    assert result.exit_code == 2
    assert "Ошибка: дата «05.09.2023» не в формате ГГГГ-ММ-ДД." in result.output


def test_weekly_digest_lists_dates_waiting_for_confirmation(mail_app, make_org, make_user, make_roadmap, runner):
    from roadmap.tasks.proposals import propose_dates

    app, mailbox = mail_app
    school = make_org(short_name="СОШ № 41")
    roadmap = make_roadmap([("2.3", "Дни открытых дверей", "по плану ОО", [school])])
    executor = make_user(organization=school)
    make_user(role=Role.COORDINATOR, email="dates@knmc.ru", full_name="Координатор")
    propose_dates(roadmap.measures[0], executor, [(date(2023, 10, 12), date(2023, 10, 13))])
    db.session.flush()

    result = runner.invoke(args=["reminders", "send", "--today", "2023-09-04", "--kind", "weekly"])
    assert result.exit_code == 0, result.output
    (message,) = mailbox.to("dates@knmc.ru")
    assert message["Subject"] == "Дорожная карта: сводка за неделю — 1 предложение дат"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Исполнители предложили даты — 1 предложение ждёт подтверждения:" in text
    assert "2.3 — СОШ № 41: 12–13 октября 2023" in text

"""The synthetic region: a migrated fresh database filled with bulk Core inserts.

At scale 1.0: 1,000 schools in 20 municipalities and 100 other organizations, one roadmap of 60
measures over three calendar years (25 measures for every school, 10 for the schools of a few
municipalities, 25 for departments, colleges, pre-schools and the centre), about 110,000 tasks
once published. One school's executor and the centre's coordinator have feed subscriptions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, select, text, update
from werkzeug.security import generate_password_hash

from roadmap.config import normalize_database_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "roadmap_bench"
PASSWORD = "bench-password-1"
SCHOOL_TOKEN = "bench-school-token-" + "s" * 24
COORDINATOR_TOKEN = "bench-coordinator-token-" + "c" * 19
UID_HOST = "roadmap.bench"

MUNICIPALITIES = (
    "г. Краснодар",
    "г. Сочи",
    "г. Новороссийск",
    "г. Армавир",
    "Абинский район",
    "Апшеронский район",
    "Белореченский район",
    "Брюховецкий район",
    "Выселковский район",
    "Гулькевичский район",
    "Динской район",
    "Ейский район",
    "Кавказский район",
    "Калининский район",
    "Каневской район",
    "Кореновский район",
    "Крымский район",
    "Курганинский район",
    "Лабинский район",
    "Тимашевский район",
)

# (deadline as written, occurrences over three calendar years): about 100 tasks per school.
ALL_SCHOOLS = (
    "ежеквартально",
    "1 раз в четверть",
    "до 5 числа месяца, следующего за отчётным кварталом",
    "1 раз в полугодие",
    "2 раза в год (октябрь, декабрь, май)",
    "март, ноябрь ежегодно",
    "сентябрь, ежегодно",
    "до 1 сентября, ежегодно",
    "май-август ежегодно",
    "ежегодно",
    "в течение года",
    "ноябрь-январь, ежегодно",
    "с 15 декабря по 15 января",
    "в течение учебного года",
    "в течение всего периода",
    "декабрь {y0}",
    "до 20 декабря {y1}",
    "апрель {y1}",
    "I полугодие {y1}",
    "октябрь, ежегодно",
    "до 25 мая, ежегодно",
    "февраль-март ежегодно",
    "в течение всего периода",
    "до 1 июня {y2}",
    "ноябрь {y2}",
)
# For the schools of the first municipality and one other: about 110 more tasks per such school.
MUNICIPAL = (
    "ежемесячно",
    "до 10 числа каждого месяца",
    "ежеквартально",
    "1 раз в четверть",
    "1 раз в полугодие",
    "сентябрь, ежегодно",
    "до 1 октября, ежегодно",
    "апрель-май ежегодно",
    "декабрь {y1}",
    "в течение всего периода",
)
OTHERS = (
    "ежемесячно",
    "до 25 числа каждого месяца",
    "ежеквартально",
    "по графику",
    "январь, ежегодно",
    "сентябрь, ежегодно",
    "до 1 июля, ежегодно",
    "1 раз в полугодие",
    "в течение года",
    "март {y0}",
    "до 30 ноября {y1}",
    "в течение всего периода",
    "май, ежегодно",
    "август-сентябрь ежегодно",
    "до 15 января, ежегодно",
    "ежеквартально",
    "2 раза в год (октябрь, декабрь, май)",
    "июнь {y2}",
    "ежегодно",
    "до 20 декабря, ежегодно",
    "февраль, ежегодно",
    "в течение учебного года",
    "октябрь {y1}",
    "март, ноябрь ежегодно",
    "до 1 марта, ежегодно",
)
SECTIONS = (
    "Нормативное и организационное обеспечение",
    "Методическое сопровождение педагогов",
    "Работа с обучающимися",
    "Работа с родителями",
    "Мониторинг и оценка качества",
    "Информационное сопровождение",
)


@dataclass(frozen=True)
class Region:
    """What the scenarios need to know about the built region."""

    url: str
    backend: str
    instance: Path
    roadmap_id: int
    school_id: int
    coordinator_login: str
    executors: int
    measures: int


def bench_database_url(backend: str, root: Path) -> str:
    """A fresh, empty database for the run: a file for SQLite, `roadmap_bench` on PostgreSQL.

    PostgreSQL gets its own database so that a bench never drops the schema a test run is using.
    """
    if backend == "sqlite":
        path = root / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    raw = os.environ.get("BENCH_DATABASE_URL")
    if not raw:
        raise SystemExit("BENCH_DATABASE_URL is not set: PostgreSQL cannot be benchmarked")
    url = make_url(normalize_database_url(raw))
    admin = url if url.database != BENCH_DATABASE else url.set(database="postgres")
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
    engine.dispose()
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def bench_config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "TESTING": False,
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "FEED_UID_HOST": UID_HOST,
        "UPLOAD_FOLDER": instance / "uploads",
        "INSTANCE_PATH": instance,
    }


def bench_environment(instance: Path) -> None:
    """Keep Config() from writing a secret key into the project's own instance folder."""
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    os.environ["ROADMAP_INSTANCE"] = str(instance)


def make_app(url: str, instance: Path):
    bench_environment(instance)
    from roadmap import create_app

    return create_app(bench_config(url, instance))


def period(today: date) -> tuple[date, date]:
    """Three calendar years with today in the middle one, so dashboards have a past and a future."""
    return date(today.year - 1, 1, 1), date(today.year + 1, 12, 31)


def build_region(app, scale: float, today: date) -> dict[str, int]:
    """Fill the migrated database of `app`; return the ids the scenarios use."""
    from flask_migrate import upgrade

    from roadmap.extensions import db
    from roadmap.feeds.options import parse_options
    from roadmap.feeds.service import create_subscription
    from roadmap.models import (
        Measure,
        MeasureParty,
        Municipality,
        Organization,
        OrgGroup,
        Roadmap,
        Role,
        Section,
        User,
    )
    from roadmap.models import Region as RegionRow  # not this module's Region (the bench's handle)
    from roadmap.schedule import parse

    with app.app_context():
        upgrade()
        start, end = period(today)
        years = {"y0": start.year, "y1": start.year + 1, "y2": start.year + 2}
        schools = max(2, round(1000 * scale))
        municipalities = MUNICIPALITIES[: max(2, min(len(MUNICIPALITIES), round(20 * scale)))]
        conn = db.session.connection()

        def bulk(model, rows: list[dict]) -> list[int]:
            table = model.__table__
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(conn.execute(stmt, rows).scalars())

        [region_id] = bulk(RegionRow, [{"name": "Краснодарский край"}])
        place = dict(
            zip(
                municipalities,
                bulk(Municipality, [{"region_id": region_id, "name": m} for m in municipalities]),
                strict=True,
            )
        )
        place[None] = None
        org_rows = [
            {
                "full_name": f"Муниципальное бюджетное общеобразовательное учреждение средняя общеобразовательная "
                f"школа № {n + 1} ({municipalities[n % len(municipalities)]})",
                "short_name": f"МБОУ СОШ № {n + 1} ({municipalities[n % len(municipalities)]})",
                "kind": "school",
                "municipality_id": place[municipalities[n % len(municipalities)]],
                "region_id": region_id,
                "student_count": 300 + (n * 37) % 900,
                "is_active": True,
            }
            for n in range(schools)
        ]
        others = [("centre", "Методический центр", None)]
        others += [("department", f"Управление образования ({m})", m) for m in municipalities]
        kinds = ("preschool", "additional", "college")
        names = {"preschool": "МБДОУ детский сад", "additional": "МБУ ДО ЦДТ", "college": "ГБПОУ колледж"}
        while len(others) < max(len(municipalities) + 4, round(100 * scale)):
            kind = kinds[len(others) % 3]
            municipality = municipalities[len(others) % len(municipalities)]
            others.append((kind, f"{names[kind]} № {len(others)} ({municipality})", municipality))
        org_rows += [
            {
                "full_name": name,
                "short_name": name[:200],
                "kind": kind,
                "municipality_id": place[m],
                "region_id": region_id,
                "student_count": None,
                "is_active": True,
            }
            for kind, name, m in others
        ]
        org_ids = bulk(Organization, org_rows)
        school_id, centre_id = org_ids[0], org_ids[schools]

        group_rows = [{"name": "Общеобразовательные организации", "kind": "school", "municipality_id": None}]
        group_rows += [{"name": f"Школы: {m}", "kind": "school", "municipality_id": place[m]} for m in municipalities]
        group_rows += [
            {"name": "Органы управления образованием", "kind": "department", "municipality_id": None},
            {"name": "Дошкольные организации", "kind": "preschool", "municipality_id": None},
            {"name": "Организации дополнительного образования", "kind": "additional", "municipality_id": None},
            {"name": "Организации СПО", "kind": "college", "municipality_id": None},
        ]
        group_ids = bulk(OrgGroup, group_rows)
        all_schools, municipal_groups = group_ids[0], group_ids[1 : 1 + len(municipalities)]
        other_groups = group_ids[1 + len(municipalities) :]

        roadmap_id = bulk(
            Roadmap,
            [
                {
                    "title": f"Дорожная карта по реализации мероприятий в сфере образования "
                    f"на {start.year}–{end.year} годы",
                    "owner_organization_id": centre_id,
                    "period_start": start,
                    "period_end": end,
                    "year_type": "calendar",
                    "shift_rule": "next",
                    "status": "draft",
                }
            ],
        )[0]
        section_ids = bulk(
            Section,
            [
                {"roadmap_id": roadmap_id, "number": str(n + 1), "title": title, "position": n}
                for n, title in enumerate(SECTIONS)
            ],
        )

        plan: list[tuple[str, list[tuple[str, int]]]] = []
        plan += [(d, [("Общеобразовательные организации", all_schools)]) for d in ALL_SCHOOLS]
        for n, deadline in enumerate(MUNICIPAL):
            other = 1 + n % (len(municipalities) - 1)
            plan.append(
                (
                    deadline,
                    [
                        (group_rows[1]["name"], municipal_groups[0]),
                        (group_rows[1 + other]["name"], municipal_groups[other]),
                    ],
                )
            )
        for n, deadline in enumerate(OTHERS):
            if n % 5 == 3:
                parties = [("Методический центр", -centre_id)]
            else:
                index = n % len(other_groups)
                parties = [(group_rows[1 + len(municipalities) + index]["name"], other_groups[index])]
            plan.append((deadline, parties))

        measure_rows, party_rows = [], []
        for position, (deadline, parties) in enumerate(plan):
            deadline = deadline.format(**years)
            schedule = parse(deadline)
            section = position * len(section_ids) // len(plan)
            number = f"{section + 1}.{position + 1}"
            manual = None
            if schedule.kind == "manual":
                manual = [
                    {"start": date(y, m, 10).isoformat(), "due": date(y, m, 20).isoformat()}
                    for y in range(start.year, end.year + 1)
                    for m in (3, 10)
                ]
            measure_rows.append(
                {
                    "roadmap_id": roadmap_id,
                    "section_id": section_ids[section],
                    "number": number,
                    "title": f"Мероприятие {number}: организация и проведение работы по направлению "
                    f"«{SECTIONS[section].lower()}» с участием педагогов и обучающихся",
                    "deadline_text": deadline,
                    "schedule": schedule.to_dict(),
                    "schedule_kind": schedule.kind,
                    "manual_dates": manual,
                    "responsible_text": ", ".join(name for name, _ in parties),
                    "position": position,
                }
            )
        measure_ids = bulk(Measure, measure_rows)
        for measure_id, (_deadline, parties) in zip(measure_ids, plan, strict=True):
            for index, (name, target) in enumerate(parties):
                party_rows.append(
                    {
                        "measure_id": measure_id,
                        "position": index,
                        "text": name,
                        "organization_id": -target if target < 0 else None,
                        "group_id": target if target > 0 else None,
                    }
                )
        bulk(MeasureParty, party_rows)

        password_hash = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        bulk(
            User,
            [
                {
                    "login": "coordinator",
                    "full_name": "Координатор",
                    "password_hash": password_hash,
                    "role": "coordinator",
                    "organization_id": centre_id,
                    "is_active_account": True,
                },
                {
                    "login": "school",
                    "full_name": "Исполнитель школы",
                    "password_hash": password_hash,
                    "role": "executor",
                    "organization_id": school_id,
                    "is_active_account": True,
                },
            ],
        )
        # Feeds over the whole three years, every status: "every event" of the issue.
        options = parse_options({"from": start.isoformat(), "to": end.isoformat(), "status": "all"})
        users = {u.login: u for u in db.session.scalars(select(User))}
        create_subscription(users["school"], name="Телефон", options=options, token=SCHOOL_TOKEN)
        create_subscription(users["coordinator"], name="Outlook", options=options, token=COORDINATOR_TOKEN)
        assert users["coordinator"].role == Role.COORDINATOR
        db.session.commit()
        return {
            "roadmap_id": roadmap_id,
            "school_id": school_id,
            "executors": len(org_rows),
            "measures": len(measure_rows),
        }


def age_tasks(app, roadmap_id: int, today: date) -> None:
    """Give the past a plausible history: most past tasks accepted, some submitted or returned."""
    from roadmap.extensions import db
    from roadmap.models import Task, utcnow
    from roadmap.models.task import bump_feed_versions

    table = Task.__table__
    past = [table.c.roadmap_id == roadmap_id, table.c.due_effective_on < today]
    with app.app_context():
        now = utcnow()
        bump = {"updated_at": now, "sequence": table.c.sequence + 1, "version": table.c.version + 1}
        for status, low, high in (("accepted", 0, 6), ("submitted", 6, 7), ("returned", 7, 8)):
            db.session.execute(
                update(table).where(*past, table.c.id % 10 >= low, table.c.id % 10 < high).values(status=status, **bump)
            )
        db.session.execute(
            update(table)
            .where(table.c.roadmap_id == roadmap_id, table.c.status == "planned", table.c.id % 10 == 9)
            .values(status="submitted", **bump)
        )
        # Core writes: advance the roadmap's feed counter as the application's writers do.
        bump_feed_versions(db.session.connection(), [roadmap_id])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh statistics, as autovacuum would have after such a change.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))


# The cold-feed scenarios (issue 18): one organization per size with exactly that many one-date
# tasks, spread over today-30 .. today+150 as in the comparison with Kanboard's feed.
FEED_SIZES = (200, 2000)


def feed_token(size: int) -> str:
    return f"bench-feed-{size}-token-".ljust(43, "f")


def build_sized_feeds(app, today: date, sizes: tuple[int, ...] = FEED_SIZES) -> dict[int, str]:
    """A published roadmap per size for one new organization and its executor's subscription
    (every status, the whole period); the feed paths by size."""
    from datetime import timedelta

    from roadmap.extensions import db
    from roadmap.feeds.options import parse_options
    from roadmap.feeds.service import create_subscription
    from roadmap.models import Measure, MeasureParty, Organization, Roadmap, Section, User
    from roadmap.plans.service import publish_roadmap
    from roadmap.schedule import MONTHS_GEN, parse

    start, end = period(today)
    paths = {}
    with app.app_context():

        def bulk(model, rows: list[dict]) -> list[int]:
            table = model.__table__
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(db.session.connection().execute(stmt, rows).scalars())

        for size in sizes:
            name = f"МБОУ СОШ № {size} (календарь)"
            [org_id] = bulk(
                Organization,
                [{"full_name": name, "short_name": name, "kind": "school", "municipality_id": None, "is_active": True}],
            )
            [roadmap_id] = bulk(
                Roadmap,
                [
                    {
                        "title": f"Профориентация: {size} мероприятий",
                        "owner_organization_id": org_id,
                        "period_start": start,
                        "period_end": end,
                        "year_type": "calendar",
                        "shift_rule": "next",
                        "status": "draft",
                    }
                ],
            )
            [section_id] = bulk(
                Section, [{"roadmap_id": roadmap_id, "number": "1", "title": "Профориентация", "position": 0}]
            )
            measures = []
            for i in range(size):
                due = today + timedelta(days=-30 + (i * 180) // size)
                deadline = f"до {due.day} {MONTHS_GEN[due.month]} {due.year}"
                schedule = parse(deadline)
                measures.append(
                    {
                        "roadmap_id": roadmap_id,
                        "section_id": section_id,
                        "number": f"1.{i + 1}",
                        "title": f"Мероприятие по профориентации № {i:04d}",
                        "deadline_text": deadline,
                        "schedule": schedule.to_dict(),
                        "schedule_kind": schedule.kind,
                        "manual_dates": None,
                        "responsible_text": name,
                        "position": i,
                    }
                )
            measure_ids = bulk(Measure, measures)
            bulk(
                MeasureParty,
                [
                    {"measure_id": m, "position": 0, "text": name, "organization_id": org_id, "group_id": None}
                    for m in measure_ids
                ],
            )
            [user_id] = bulk(
                User,
                [
                    {
                        "login": f"feed{size}",
                        "full_name": f"Исполнитель ({size})",
                        "password_hash": "-",
                        "role": "executor",
                        "organization_id": org_id,
                        "is_active_account": True,
                    }
                ],
            )
            publish_roadmap(db.session.get(Roadmap, roadmap_id), None)
            options = parse_options({"from": start.isoformat(), "to": end.isoformat(), "status": "all"})
            create_subscription(db.session.get(User, user_id), name="Телефон", options=options, token=feed_token(size))
            db.session.commit()
            paths[size] = f"/feeds/{feed_token(size)}.ics"
    return paths

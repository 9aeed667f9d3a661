"""The synthetic region: a migrated fresh database filled with bulk Core inserts.

At scale 1.0: 1,000 schools in 20 municipalities and 100 other organizations, one roadmap of 60
measures over three calendar years (25 measures for every school, 10 for the schools of a few
municipalities, 25 for departments, colleges, pre-schools and the centre), about 110,000 tasks
once published. At scale `region` (issue 20): Krasnodar Krai's 44 municipalities, 1,700 schools
(one in twelve in the capital) and 300 other organizations (the ministry, the regional institute,
universities and colleges without a municipality; a department and a methodological centre per
municipality; pre-schools and additional education), the regional roadmap's municipal measures
for the schools of 16 municipalities each. The region's 25 measures for every school go to the
municipal methodological centres and are cascaded: all but a few municipalities fan them out to
their schools in a municipal roadmap of their own (build_municipal_roadmaps), so the regional
dashboard rolls up their tasks: about 250,000 tasks in all. `region:K` is that K times over.

Either way the coordinator (`coordinator`) is regional; the first two municipalities have a
coordinator (`municipal1`, `municipal2`) and a published roadmap of their own
(build_municipal_roadmaps); one school's executor and every coordinator have feed subscriptions.
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
# BENCH_DATABASE_NAME: another name, so that two runs on one server do not drop each other's database.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE_NAME", "roadmap_bench")
PASSWORD = "bench-password-1"
SCHOOL_TOKEN = "bench-school-token-" + "s" * 24
COORDINATOR_TOKEN = "bench-coordinator-token-" + "c" * 19
UID_HOST = "roadmap.bench"

# The 44 municipalities of Krasnodar Krai (7 city districts, 37 districts) with OKTMO-like codes.
# The first 20 keep the order of the earlier 20-municipality region, so numeric scales build the
# same region as before.
MUNICIPALITIES = (
    ("г. Краснодар", "03701000"),
    ("г. Сочи", "03726000"),
    ("г. Новороссийск", "03720000"),
    ("г. Армавир", "03705000"),
    ("Абинский район", "03601000"),
    ("Апшеронский район", "03605000"),
    ("Белореченский район", "03608000"),
    ("Брюховецкий район", "03610000"),
    ("Выселковский район", "03612000"),
    ("Гулькевичский район", "03613000"),
    ("Динской район", "03614000"),
    ("Ейский район", "03616000"),
    ("Кавказский район", "03618000"),
    ("Калининский район", "03619000"),
    ("Каневской район", "03620000"),
    ("Кореновский район", "03621000"),
    ("Крымский район", "03625000"),
    ("Курганинский район", "03627000"),
    ("Лабинский район", "03630000"),
    ("Тимашевский район", "03653000"),
    ("г.-к. Анапа", "03703000"),
    ("г.-к. Геленджик", "03708000"),
    ("г. Горячий Ключ", "03709000"),
    ("Белоглинский район", "03606000"),
    ("Красноармейский район", "03623000"),
    ("Крыловский район", "03624000"),
    ("Кущёвский район", "03628000"),
    ("Ленинградский район", "03632000"),
    ("Мостовский район", "03633000"),
    ("Новокубанский район", "03634000"),
    ("Новопокровский район", "03635000"),
    ("Отрадненский район", "03637000"),
    ("Павловский район", "03639000"),
    ("Приморско-Ахтарский район", "03641000"),
    ("Северский район", "03643000"),
    ("Славянский район", "03645000"),
    ("Староминский район", "03647000"),
    ("Тбилисский район", "03649000"),
    ("Темрюкский район", "03651000"),
    ("Тихорецкий район", "03654000"),
    ("Туапсинский район", "03655000"),
    ("Успенский район", "03656000"),
    ("Усть-Лабинский район", "03657000"),
    ("Щербиновский район", "03659000"),
)


@dataclass(frozen=True)
class Profile:
    """The size and shape of the synthetic region.

    `municipal`: how many municipalities' schools get the municipal measures (10 measures each).
    `regional`: the issue's shape (issue 20) — a ministry owning the roadmap, a municipal
    methodological centre and department per municipality, regional colleges and universities
    without a municipality; otherwise the earlier shape (one centre, a department per municipality).
    """

    label: str
    schools: int
    municipalities: int
    others: int
    municipal: int = 2
    regional: bool = False


# The region: Krasnodar Krai, 44 municipalities, 1,700 schools, 300 other organizations,
# about 250,000 tasks once the regional roadmap is published.
REGION_SCHOOLS, REGION_OTHERS, REGION_MUNICIPAL = 1700, 300, 16


def profile_of(scale: str | float) -> Profile:
    """`1.0` (any positive number): 1,000 schools in 20 municipalities and 100 other organizations,
    scaled; `region`: the issue's region; `region:K` (K > 0): the issue's region K times over
    (municipalities repeat with a number once the 44 are used)."""
    text = str(scale).strip()
    if text == "region" or text.startswith("region:"):
        factor = float(text.partition(":")[2] or 1)
        if factor <= 0:
            raise ValueError(text)
        return Profile(
            label=text,
            schools=max(2, round(REGION_SCHOOLS * factor)),
            municipalities=max(2, round(len(MUNICIPALITIES) * factor)),
            others=max(8, round(REGION_OTHERS * factor)),
            municipal=max(1, round(REGION_MUNICIPAL * factor)),
            regional=True,
        )
    value = float(text)
    if value <= 0:
        raise ValueError(text)
    return Profile(
        label=f"{value:g}",
        schools=max(2, round(1000 * value)),
        municipalities=max(2, min(len(MUNICIPALITIES), round(20 * value))),
        others=round(100 * value),
    )


def municipality_names(count: int) -> list[tuple[str, str]]:
    """`count` municipalities: Krasnodar Krai's, then numbered copies (for scales over the region)."""
    names = []
    for n in range(count):
        name, oktmo = MUNICIPALITIES[n % len(MUNICIPALITIES)]
        copy = n // len(MUNICIPALITIES)
        names.append((name, oktmo) if not copy else (f"{name} ({copy + 1})", f"{oktmo[:5]}{copy:03d}"))
    return names


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
    # The municipal coordinators' own roadmaps: (login, roadmap id, measures), first the largest
    # municipality's.
    municipal: tuple[tuple[str, int, int], ...] = ()
    municipalities: int = 0


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


MUNICIPAL_COORDINATORS = 2  # the first municipalities (the largest): a coordinator and a roadmap each
MUNICIPAL_PASSWORD = PASSWORD


def municipal_token(n: int) -> str:
    return f"bench-municipal-{n}-token-".ljust(43, "m")


def build_region(app, scale: str | float, today: date) -> dict[str, Any]:
    """Fill the migrated database of `app`; return the ids the scenarios use."""
    from flask_migrate import upgrade

    from roadmap.extensions import db
    from roadmap.models import Municipality
    from roadmap.models import Region as RegionRow  # not this module's Region (the bench's handle)

    profile = profile_of(scale)
    with app.app_context():
        upgrade()
        start, end = period(today)
        conn = db.session.connection()

        def bulk(model, rows: list[dict]) -> list[int]:
            table = model.__table__
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(conn.execute(stmt, rows).scalars())

        [region_id] = bulk(RegionRow, [{"name": "Краснодарский край", "oktmo": "03000000"}])
        municipalities = municipality_names(profile.municipalities)
        place_ids = bulk(
            Municipality, [{"region_id": region_id, "name": m, "oktmo": code} for m, code in municipalities]
        )
        places = [(name, place_id) for (name, _code), place_id in zip(municipalities, place_ids, strict=True)]
        orgs = _organizations(bulk, profile, places, region_id)
        groups = _groups(bulk, profile, places)
        roadmap_id, measures = _regional_roadmap(bulk, profile, places, orgs, groups, start, end)
        _users(app, bulk, orgs, places)
        # Municipal roadmaps, published here: only the regional one is the generation scenarios'.
        municipal, cascaded = build_municipal_roadmaps(bulk, profile, orgs, places, groups, roadmap_id, start, end)
        _subscriptions(start, end)
        db.session.commit()
        _publish_municipal([*municipal, *cascaded])
    # The coordinated municipalities' roadmaps are aged with the regional one by the caller.
    if cascaded:
        age_tasks(app, [roadmap_id for _login, roadmap_id, _n in cascaded], today)
    return {
        "roadmap_id": roadmap_id,
        "school_id": orgs["schools"][0],
        "executors": len(orgs["schools"]) + len(orgs["others"]),
        "measures": measures,
        "municipal": tuple(municipal),
        "municipalities": len(places),
    }


def _organizations(bulk, profile: Profile, places: list[tuple[str, int]], region_id: int) -> dict[str, Any]:
    """Schools spread over the municipalities, then the other organizations of the profile's shape."""
    from roadmap.models import Organization

    def school(n: int) -> dict:
        municipality, place_id = places[_school_place(profile, n, len(places))]
        return {
            "full_name": f"Муниципальное бюджетное общеобразовательное учреждение средняя общеобразовательная "
            f"школа № {n + 1} ({municipality})",
            "short_name": f"МБОУ СОШ № {n + 1} ({municipality})",
            "kind": "school",
            "municipality_id": place_id,
            "region_id": region_id,
            "student_count": 300 + (n * 37) % 900,
            "is_active": True,
        }

    # (kind, name, municipality id or None: the region's own)
    others: list[tuple[str, str, int | None]] = []
    if profile.regional:
        others.append(("department", "Министерство образования и науки Краснодарского края", None))
        others.append(("centre", "ГБОУ ИРО Краснодарского края", None))
        others += [("university", f"Университет № {n + 1}", None) for n in range(max(1, profile.others // 100))]
        others += [("college", f"ГБПОУ КК колледж № {n + 1}", None) for n in range(max(1, profile.others // 15))]
        for m, place_id in places:
            others.append(("department", f"Управление образования ({m})", place_id))
            others.append(("centre", f"Методический центр ({m})", place_id))
        kinds = ("preschool", "additional")
    else:
        others.append(("centre", "Методический центр", None))
        others += [("department", f"Управление образования ({m})", place_id) for m, place_id in places]
        kinds = ("preschool", "additional", "college")
    names = {"preschool": "МБДОУ детский сад", "additional": "МБУ ДО ЦДТ", "college": "ГБПОУ колледж"}
    while len(others) < max(len(places) + 4, profile.others):
        kind = kinds[len(others) % len(kinds)]
        municipality, place_id = places[len(others) % len(places)]
        others.append((kind, f"{names[kind]} № {len(others)} ({municipality})", place_id))
    rows = [school(n) for n in range(profile.schools)]
    rows += [
        {
            "full_name": name,
            "short_name": name[:200],
            "kind": kind,
            "municipality_id": place_id,
            "region_id": region_id,
            "student_count": None,
            "is_active": True,
        }
        for kind, name, place_id in others
    ]
    ids = bulk(Organization, rows)
    schools, other_ids = ids[: profile.schools], ids[profile.schools :]
    by_name = {name: org_id for (_kind, name, _place), org_id in zip(others, other_ids, strict=True)}
    return {
        "schools": schools,
        "others": other_ids,
        # The regional roadmap's owner and the measures it keeps for itself.
        "owner": other_ids[0],
        "own": other_ids[1] if profile.regional else other_ids[0],
        "departments": {p: by_name[f"Управление образования ({m})"] for m, p in places},
        "centres": {p: by_name.get(f"Методический центр ({m})") for m, p in places},
    }


# In the regional shape the first municipality (the regional capital) has one school in twelve,
# about 140 of the region's 1,700 (Krasnodar has about that many), the others share the rest.
CAPITAL_SHARE = 12


def _school_place(profile: Profile, n: int, places: int) -> int:
    if not profile.regional:
        return n % places
    if n % CAPITAL_SHARE == 0:
        return 0
    return 1 + (n - 1 - n // CAPITAL_SHARE) % (places - 1)


def _groups(bulk, profile: Profile, places: list[tuple[str, int]]) -> dict[str, Any]:
    from roadmap.models import OrgGroup

    rows = [{"name": "Общеобразовательные организации", "kind": "school", "municipality_id": None}]
    rows += [{"name": f"Школы: {m}", "kind": "school", "municipality_id": p} for m, p in places]
    others = [
        {"name": "Органы управления образованием", "kind": "department", "municipality_id": None},
        {"name": "Дошкольные организации", "kind": "preschool", "municipality_id": None},
        {"name": "Организации дополнительного образования", "kind": "additional", "municipality_id": None},
        {"name": "Организации СПО", "kind": "college", "municipality_id": None},
    ]
    if profile.regional:
        others.append({"name": "Методические центры", "kind": "centre", "municipality_id": None})
    ids = bulk(OrgGroup, rows + others)
    made = {
        "all_schools": ("Общеобразовательные организации", ids[0]),
        "municipal": [(row["name"], gid) for row, gid in zip(rows[1:], ids[1 : len(rows)], strict=True)],
        "others": [(row["name"], gid) for row, gid in zip(others, ids[len(rows) :], strict=True)],
    }
    if profile.regional:
        made["centres"] = made["others"][-1]
    return made


def _measures(
    bulk,
    roadmap_id: int,
    plan: list[tuple[str, list[tuple[str, int]]]],
    start: date,
    end: date,
    *,
    sections: list[tuple[int, str]] | None = None,
    first: int = 0,
) -> int:
    """Sections and measures of `plan` (deadline, [(party text, group id or -organization id)]);
    into existing `sections` ((id, number)), numbered from position `first`, when given."""
    from roadmap.models import Measure, MeasureParty, Section
    from roadmap.schedule import parse

    years = {"y0": start.year, "y1": start.year + 1, "y2": start.year + 2}
    if sections is None:
        section_ids = bulk(
            Section,
            [
                {"roadmap_id": roadmap_id, "number": str(n + 1), "title": title, "position": n}
                for n, title in enumerate(SECTIONS)
            ],
        )
        sections = [(section_id, str(n + 1)) for n, section_id in enumerate(section_ids)]
    section_ids = [section_id for section_id, _number in sections]
    measure_rows, party_rows = [], []
    for index, (deadline, parties) in enumerate(plan):
        position = first + index
        deadline = deadline.format(**years)
        schedule = parse(deadline)
        section = index * len(section_ids) // len(plan)
        number = f"{sections[section][1]}.{position + 1}"
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
    return len(measure_rows)


def _roadmap_row(title: str, owner_id: int, municipality_id: int | None, start: date, end: date) -> dict:
    return {
        "title": title,
        "owner_organization_id": owner_id,
        "municipality_id": municipality_id,
        "period_start": start,
        "period_end": end,
        "year_type": "calendar",
        "shift_rule": "next",
        "status": "draft",
    }


def _regional_roadmap(bulk, profile: Profile, places, orgs, groups, start: date, end: date) -> tuple[int, int]:
    """The regional roadmap (no municipality), left a draft: 25 measures for every school of the
    region, 10 for the schools of `profile.municipal` municipalities each (the first and others in
    turn), 25 for departments, centres, pre-schools, colleges and the roadmap's owner."""
    from roadmap.models import Roadmap

    [roadmap_id] = bulk(
        Roadmap,
        [
            _roadmap_row(
                f"Дорожная карта по реализации мероприятий в сфере образования на {start.year}–{end.year} годы",
                orgs["owner"],
                None,
                start,
                end,
            )
        ],
    )
    municipal = groups["municipal"]
    # In the region's shape the measures for every school go to the municipal centres, which pass
    # them on to their schools (the cascade: build_municipal_roadmaps).
    every_school = groups["centres"] if profile.regional else groups["all_schools"]
    plan: list[tuple[str, list[tuple[str, int]]]] = [(d, [every_school]) for d in ALL_SCHOOLS]
    for n, deadline in enumerate(MUNICIPAL):
        targets = [municipal[0]]
        for k in range(profile.municipal - 1):
            targets.append(municipal[1 + (n * (profile.municipal - 1) + k) % (len(municipal) - 1)])
        plan.append((deadline, list(dict.fromkeys(targets))))
    own = ("Методический центр" if not profile.regional else "ГБОУ ИРО Краснодарского края", -orgs["own"])
    for n, deadline in enumerate(OTHERS):
        parties = [own] if n % 5 == 3 else [groups["others"][n % len(groups["others"])]]
        plan.append((deadline, parties))
    return roadmap_id, _measures(bulk, roadmap_id, plan, start, end)


# A coordinated municipality's roadmap in the earlier shape (numeric scales): the regional
# measures for schools again, for its own schools, and 3 for its centre (or department).
MUNICIPAL_PLAN = ALL_SCHOOLS + MUNICIPAL
MUNICIPAL_OWN = ("ежемесячно", "до 20 декабря, ежегодно", "1 раз в полугодие")
# In the region's shape every municipality but one in CASCADE_SKIPPED (its index modulo this)
# fans the regional measures for every school out; the coordinated ones always do.
CASCADE_SKIPPED = 11


def cascading(profile: Profile, index: int) -> bool:
    """Whether the municipality at `index` fanned the regional school measures out."""
    if not profile.regional:
        return False
    return index < MUNICIPAL_COORDINATORS or index % CASCADE_SKIPPED != CASCADE_SKIPPED - 1


def build_municipal_roadmaps(
    bulk, profile: Profile, orgs, places, groups, regional_id: int, start: date, end: date
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The municipal roadmaps, left drafts: the coordinated municipalities' (returned first) and
    the other cascading municipalities' (second), as (coordinator login or "", roadmap id,
    measures).

    The one place where municipal child roadmaps are made. In the region's shape each cascading
    municipality's roadmap holds a measure linked (Measure.parent_measure_id) to each regional
    measure for every school, for the municipality's schools, as roadmap.plans.cascade.fan_out
    makes it (same number, section, title and deadline); a coordinated municipality's has 3
    measures for its centre besides. In the earlier shape the coordinated municipalities'
    roadmaps stand alone (the school measures again, for its schools, and the 3).
    """
    from roadmap.models import Measure, Roadmap, Section

    regional_sections = {}
    parents = []
    if profile.regional:
        conn = _connection()
        regional_sections = dict(
            conn.execute(select(Section.id, Section.number).where(Section.roadmap_id == regional_id)).all()
        )
        parents = [
            row._mapping
            for row in conn.execute(
                select(Measure.__table__)
                .where(Measure.roadmap_id == regional_id, Measure.position < len(ALL_SCHOOLS))
                .order_by(Measure.position)
            )
        ]
    coordinated, others = [], []
    for n, (municipality, place_id) in enumerate(places):
        is_coordinated = n < MUNICIPAL_COORDINATORS
        if not is_coordinated and not cascading(profile, n):
            continue
        owner = orgs["centres"][place_id] or orgs["departments"][place_id]
        [roadmap_id] = bulk(
            Roadmap,
            [_roadmap_row(f"Муниципальная дорожная карта ({municipality})", owner, place_id, start, end)],
        )
        schools = groups["municipal"][n]
        own = [(d, [(municipality, -owner)]) for d in MUNICIPAL_OWN] if is_coordinated else []
        if parents:
            sections = _children(bulk, roadmap_id, parents, regional_sections, schools)
            measures = len(parents)
            if own:
                measures += _measures(bulk, roadmap_id, own, start, end, sections=sections[-1:], first=measures)
        else:
            plan = [(d, [schools]) for d in MUNICIPAL_PLAN] + own
            measures = _measures(bulk, roadmap_id, plan, start, end)
        made = (f"municipal{n + 1}" if is_coordinated else "", roadmap_id, measures)
        (coordinated if is_coordinated else others).append(made)
    return coordinated, others


def _connection():
    from roadmap.extensions import db

    return db.session.connection()


def _children(
    bulk, roadmap_id: int, parents, regional_sections: dict[int, str], schools: tuple[str, int]
) -> list[tuple[int, str]]:
    """The municipal roadmap's sections (as the regional ones) and a measure per regional parent,
    linked to it, for the municipality's schools (`schools`: the group's name and id); the
    sections as (id, number)."""
    from roadmap.models import Measure, MeasureParty, Section

    numbers = sorted({regional_sections[p["section_id"]] for p in parents}, key=int)
    section_ids = bulk(
        Section,
        [
            {"roadmap_id": roadmap_id, "number": number, "title": SECTIONS[int(number) - 1], "position": k}
            for k, number in enumerate(numbers)
        ],
    )
    section_of = dict(zip(numbers, section_ids, strict=True))
    name, group_id = schools
    copied = ("number", "title", "deadline_text", "schedule", "schedule_kind", "manual_dates", "position")
    measure_ids = bulk(
        Measure,
        [
            {
                **{key: parent[key] for key in copied},
                "roadmap_id": roadmap_id,
                "section_id": section_of[regional_sections[parent["section_id"]]],
                "responsible_text": name,
                "parent_measure_id": parent["id"],
            }
            for parent in parents
        ],
    )
    bulk(
        MeasureParty,
        [
            {"measure_id": m, "position": 0, "text": name, "organization_id": None, "group_id": group_id}
            for m in measure_ids
        ],
    )
    return list(zip(section_ids, numbers, strict=True))


def _users(app, bulk, orgs, places) -> None:
    """The regional coordinator (`coordinator`), a school's executor (`school`), and the municipal
    coordinators (`municipal1`, …) of the first municipalities."""
    from roadmap.models import User

    password_hash = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])

    def user(login: str, name: str, role: str, org_id: int, municipality_id: int | None = None) -> dict:
        return {
            "login": login,
            "full_name": name,
            "password_hash": password_hash,
            "role": role,
            "organization_id": org_id,
            "municipality_id": municipality_id,
            "is_active_account": True,
        }

    rows = [
        user("coordinator", "Региональный координатор", "coordinator", orgs["owner"]),
        user("school", "Исполнитель школы", "executor", orgs["schools"][0]),
    ]
    for n, (municipality, place_id) in enumerate(places[:MUNICIPAL_COORDINATORS]):
        org_id = orgs["centres"][place_id] or orgs["departments"][place_id]
        rows.append(user(f"municipal{n + 1}", f"Координатор ({municipality})", "coordinator", org_id, place_id))
    bulk(User, rows)


def _subscriptions(start: date, end: date) -> None:
    """Feeds over the whole three years, every status: "every event" of the issue."""
    from roadmap.extensions import db
    from roadmap.feeds.options import parse_options
    from roadmap.feeds.service import create_subscription
    from roadmap.models import Role, User

    options = parse_options({"from": start.isoformat(), "to": end.isoformat(), "status": "all"})
    users = {u.login: u for u in db.session.scalars(select(User))}
    create_subscription(users["school"], name="Телефон", options=options, token=SCHOOL_TOKEN)
    create_subscription(users["coordinator"], name="Outlook", options=options, token=COORDINATOR_TOKEN)
    for n in range(1, MUNICIPAL_COORDINATORS + 1):
        if f"municipal{n}" in users:
            create_subscription(users[f"municipal{n}"], name="Outlook", options=options, token=municipal_token(n))
    assert users["coordinator"].role == Role.COORDINATOR and users["coordinator"].municipality_id is None


def _publish_municipal(municipal: list[tuple[str, int, int]]) -> None:
    from roadmap.extensions import db
    from roadmap.models import Roadmap
    from roadmap.plans.service import publish_roadmap

    for _login, roadmap_id, _measures in municipal:
        publish_roadmap(db.session.get(Roadmap, roadmap_id), None)
    db.session.commit()


def age_tasks(app, roadmap_ids: int | list[int], today: date) -> None:
    """Give the past a plausible history: most past tasks accepted, some submitted or returned."""
    from roadmap.extensions import db
    from roadmap.models import Task, utcnow
    from roadmap.models.task import bump_feed_versions

    ids = [roadmap_ids] if isinstance(roadmap_ids, int) else list(roadmap_ids)
    table = Task.__table__
    past = [table.c.roadmap_id.in_(ids), table.c.due_effective_on < today]
    with app.app_context():
        now = utcnow()
        bump = {"updated_at": now, "sequence": table.c.sequence + 1, "version": table.c.version + 1}
        for status, low, high in (("accepted", 0, 6), ("submitted", 6, 7), ("returned", 7, 8)):
            db.session.execute(
                update(table).where(*past, table.c.id % 10 >= low, table.c.id % 10 < high).values(status=status, **bump)
            )
        db.session.execute(
            update(table)
            .where(table.c.roadmap_id.in_(ids), table.c.status == "planned", table.c.id % 10 == 9)
            .values(status="submitted", **bump)
        )
        # Core writes: advance the roadmaps' feed counters as the application's writers do.
        bump_feed_versions(db.session.connection(), ids)
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

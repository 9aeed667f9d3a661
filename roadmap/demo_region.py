"""The demo region: today's demo municipality (г. Краснодар) and two more, the region's ministry,
colleges and universities, and users of every scoped role. Loading it twice changes nothing.

The plain demo (roadmap.demo) is loaded first and then placed in the region: its coordinator and
observer become г. Краснодар's, its roadmap the city's. Each other municipality gets a small
roadmap of its own, imported and published by its coordinator. The ministry's regional roadmap is
cascaded into the municipal ones (roadmap.demo_cascade).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from roadmap.accounts.service import create_user, find_user
from roadmap.demo import DEMO_PASSWORD, MUNICIPALITY, DemoAccount, DemoRefused, load_demo
from roadmap.demo_cascade import load_demo_cascade, regional_title
from roadmap.directory.territory import municipality_named, place_organization, region_named
from roadmap.extensions import db
from roadmap.models import Organization, OrgGroup, OrgKind, Roadmap, Role, User

REGION = "Краснодарский край"
KRASNODAR_OKTMO = "03701000"
MINISTRY = ("МОН КК", "Министерство образования и науки Краснодарского края")


@dataclass(frozen=True)
class DemoMunicipality:
    name: str
    oktmo: str
    slug: str  # for logins
    centre: tuple[str, str]
    department: tuple[str, str]
    schools: int


OTHERS = (
    DemoMunicipality(
        "г. Сочи",
        "03726000",
        "sochi",
        ("МКУ СЦРО", "Муниципальное казённое учреждение «Сочинский центр развития образования»"),
        ("УОН г. Сочи", "Управление по образованию и науке администрации города Сочи"),
        5,
    ),
    DemoMunicipality(
        "Абинский район",
        "03601000",
        "abinsk",
        ("МКУ ЦРО Абинского района", "Муниципальное казённое учреждение «Центр развития образования» Абинского района"),
        ("УО Абинского района", "Управление образования администрации муниципального образования Абинский район"),
        4,
    ),
)

PLAN_TITLE = "Дорожная карта по профориентации на {year} год ({name})"
PLAN_MEASURES = (
    ("1", "Организационные мероприятия", "1.1", "Совещание с заместителями директоров", "сентябрь", "{schools}"),
    ("1", "Организационные мероприятия", "1.2", "Мониторинг профориентационной работы", "ежеквартально", "{schools}"),
    ("2", "Работа с обучающимися", "2.1", "Классные часы «Профессии моего города»", "ежемесячно", "{schools}"),
    ("2", "Работа с обучающимися", "2.2", "Сводный отчёт о проведённых мероприятиях", "до 20 декабря", "{centre}"),
)


def _schools(place: DemoMunicipality) -> list[tuple[str, str]]:
    where = place.name.replace("г. ", "города ")
    return [
        (f"СОШ № {n} ({place.name})", f"МБОУ средняя общеобразовательная школа № {n} {where}")
        for n in range(1, place.schools + 1)
    ]


def _accounts() -> list[tuple[str, str, Role, str | None, str | None]]:
    """(login, full name, role, organization short name, municipality name or None: the region)."""
    rows = [
        ("region", "Кравец Ольга Николаевна (министерство)", Role.COORDINATOR, MINISTRY[0], None),
        ("region-observer", "Белов Игорь Сергеевич (министерство)", Role.OBSERVER, MINISTRY[0], None),
        ("ministry", "Специалист министерства Лебедева Ирина Олеговна", Role.EXECUTOR, MINISTRY[0], None),
    ]
    for place in OTHERS:
        rows.append(
            (f"coordinator-{place.slug}", f"Методист, {place.centre[0]}", Role.COORDINATOR, place.centre[0], place.name)
        )
        rows.append(
            (f"{place.slug}-centre", f"Методист, {place.centre[0]}", Role.EXECUTOR, place.centre[0], place.name)
        )
        rows.append(
            (
                f"observer-{place.slug}",
                f"Специалист, {place.department[0]}",
                Role.OBSERVER,
                place.department[0],
                place.name,
            )
        )
        for number, (short, _full) in enumerate(_schools(place), start=1):
            rows.append(
                (f"{place.slug}-school{number}", f"Заместитель директора, {short}", Role.EXECUTOR, short, place.name)
            )
    return rows


def _region_directory() -> list[tuple[str, str, OrgKind, DemoMunicipality | None]]:
    rows = [(MINISTRY[0], MINISTRY[1], OrgKind.DEPARTMENT, None)]
    for place in OTHERS:
        rows.append((*place.centre, OrgKind.CENTRE, place))
        rows.append((*place.department, OrgKind.DEPARTMENT, place))
        rows += [(short, full, OrgKind.SCHOOL, place) for short, full in _schools(place)]
    return rows


def has_foreign_data() -> bool:
    """True when the database holds organizations or users that neither demo created."""
    from roadmap.demo import demo_accounts, demo_directory

    orgs = {full for _short, full, _kind in demo_directory()} | {full for _s, full, _k, _p in _region_directory()}
    logins = {login for login, *_rest in demo_accounts()} | {login for login, *_rest in _accounts()}
    return bool(
        set(db.session.scalars(select(Organization.full_name))) - orgs
        or set(db.session.scalars(select(User.login))) - logins
    )


def load_demo_region(*, force: bool = False) -> list[tuple[DemoAccount, str]]:
    """Create whatever part of the demo region is missing; return (account, territory) for every login."""
    if not force and has_foreign_data():
        raise DemoRefused(
            "в базе есть данные, не относящиеся к демонстрационным; демо не загружено "
            "(добавьте --force, чтобы всё равно дополнить базу демо-данными)."
        )
    region = region_named(REGION)
    krasnodar = municipality_named(MUNICIPALITY, oktmo=KRASNODAR_OKTMO, region=region)
    accounts = [(account, _territory_of(account.role, MUNICIPALITY)) for account in load_demo(force=True)]
    _place_plain_demo(krasnodar)
    places = {place.name: municipality_named(place.name, oktmo=place.oktmo, region=region) for place in OTHERS}
    existing = {org.full_name: org for org in db.session.scalars(select(Organization))}
    for index, (short, full, kind, place) in enumerate(_region_directory()):
        if full not in existing:
            org = Organization(
                full_name=full,
                short_name=short,
                kind=kind,
                is_active=True,
                student_count=400 + (index * 53) % 700 if kind == OrgKind.SCHOOL else None,
            )
            place_organization(org, places[place.name] if place else None, region)
            db.session.add(org)
            existing[full] = org
    for place in OTHERS:
        name = f"ОО {place.name}"
        if db.session.scalar(select(OrgGroup.id).where(OrgGroup.name == name)) is None:
            db.session.add(
                OrgGroup(
                    name=name,
                    kind=OrgKind.SCHOOL,
                    municipality=places[place.name],
                    description=f"Все общеобразовательные организации: {place.name}",
                )
            )
    db.session.flush()
    by_short = {org.short_name: org for org in existing.values()}
    for login, full_name, role, org_short, place_name in _accounts():
        if find_user(login) is None:
            create_user(
                login=login,
                full_name=full_name,
                password=DEMO_PASSWORD,
                role=role,
                organization=by_short[org_short],
                email=f"{login}@demo.invalid",
                municipality=places[place_name] if place_name and role != Role.EXECUTOR else None,
            )
        account = DemoAccount(login, DEMO_PASSWORD, role, org_short)
        accounts.append((account, _territory_of(role, place_name)))
    db.session.flush()
    for place in OTHERS:
        _load_municipal_plan(place)
    load_demo_cascade(region)
    return accounts


def _territory_of(role: Role, place_name: str | None) -> str:
    if role == Role.ADMIN:
        return "вся система"
    if role == Role.EXECUTOR:
        return "своя организация"
    return place_name or "весь регион"


def _place_plain_demo(krasnodar) -> None:
    """The plain demo in the region: colleges and universities are the region's own, the city's
    coordinator and observer and its roadmap belong to г. Краснодар."""
    for org in db.session.scalars(
        select(Organization).where(Organization.kind.in_([OrgKind.COLLEGE, OrgKind.UNIVERSITY]))
    ):
        if org.municipality_id == krasnodar.id:
            place_organization(org, None)
    for login in ("coordinator", "observer"):
        user = find_user(login)
        if user is not None and user.municipality_id is None:
            user.municipality = krasnodar
    regional = regional_title()
    for roadmap in db.session.scalars(select(Roadmap).where(Roadmap.municipality_id.is_(None))):
        if roadmap.title != regional:  # the ministry's own roadmap stays the region's
            roadmap.municipality = krasnodar
    db.session.flush()


def _load_municipal_plan(place: DemoMunicipality) -> None:
    from roadmap.clock import today_in
    from roadmap.importers.model import ParsedMeasure, ParsedRoadmap, ParsedSection
    from roadmap.plans.service import create_roadmap, publish_roadmap

    year = today_in().year
    title = PLAN_TITLE.format(year=year, name=place.name)
    if db.session.scalar(select(Roadmap.id).where(Roadmap.title == title)):
        return
    coordinator = find_user(f"coordinator-{place.slug}")
    sections, measures = {}, []
    for position, (section, section_title, number, measure, deadline, who) in enumerate(PLAN_MEASURES):
        sections.setdefault(section, ParsedSection(section, section_title, len(sections)))
        responsible = who.format(schools=f"ОО {place.name}", centre=place.centre[0])
        measures.append(ParsedMeasure(number, section, measure, deadline, responsible, position=position))
    from datetime import date

    parsed = ParsedRoadmap(
        title=title,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        sections=list(sections.values()),
        measures=measures,
    )
    roadmap = create_roadmap(parsed, user=coordinator, filename=f"{place.slug}.docx")
    publish_roadmap(roadmap, coordinator)

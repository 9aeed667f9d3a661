"""The demo municipality: a methodological centre, a department, schools, colleges, universities,
partner enterprises, and users of every role. Loading it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from roadmap.accounts.service import create_user, find_user
from roadmap.contingent import LEVELS
from roadmap.directory.service import set_contingent
from roadmap.directory.territory import municipality_named
from roadmap.extensions import db
from roadmap.models import Organization, OrgGroup, OrgKind, Role, User

MUNICIPALITY = "г. Краснодар"
DEMO_PASSWORD = "demo2026"

SCHOOL_NAMES = (
    [
        (
            f"МБОУ СОШ № {n}",
            f"Муниципальное бюджетное общеобразовательное учреждение муниципального образования "
            f"город Краснодар средняя общеобразовательная школа № {n}",
        )
        for n in range(1, 25)
    ]
    + [
        (
            f"МАОУ гимназия № {n}",
            f"Муниципальное автономное общеобразовательное учреждение муниципального "
            f"образования город Краснодар гимназия № {n}",
        )
        for n in (3, 12, 18, 23)
    ]
    + [
        (
            f"МБОУ лицей № {n}",
            f"Муниципальное бюджетное общеобразовательное учреждение муниципального "
            f"образования город Краснодар лицей № {n}",
        )
        for n in (4, 48, 64, 90)
    ]
)
COLLEGES = [
    (
        "ГБПОУ КК ККИТ",
        "Государственное бюджетное профессиональное образовательное учреждение Краснодарского края «Краснодарский колледж информационных технологий»",
    ),
    (
        "ГБПОУ КК КТК",
        "Государственное бюджетное профессиональное образовательное учреждение Краснодарского края «Краснодарский технический колледж»",
    ),
    (
        "ГБПОУ КК КМТ",
        "Государственное бюджетное профессиональное образовательное учреждение Краснодарского края «Краснодарский монтажный техникум»",
    ),
]
UNIVERSITIES = [
    (
        "КубГУ",
        "Федеральное государственное бюджетное образовательное учреждение высшего образования «Кубанский государственный университет»",
    ),
    (
        "КубГТУ",
        "Федеральное государственное бюджетное образовательное учреждение высшего образования «Кубанский государственный технологический университет»",
    ),
]
ENTERPRISES = [
    ("АО «Краснодарский ЗИП»", "Акционерное общество «Краснодарский завод измерительных приборов»"),
    ("ООО «Кубань-Агро»", "Общество с ограниченной ответственностью «Кубань-Агро»"),
    ("АО «Краснодаргазстрой»", "Акционерное общество «Краснодаргазстрой»"),
    ("ПАО «Кубаньэнерго»", "Публичное акционерное общество «Кубаньэнерго»"),
]
CENTRE = (
    "МКУ КНМЦ",
    "Муниципальное казённое учреждение муниципального образования город Краснодар «Краснодарский научно-методический центр»",
)
DEPARTMENT = ("ДО АМУ г. Краснодар", "Департамент образования администрации муниципального образования город Краснодар")

GROUPS = [
    ("ОО МО г. Краснодар", OrgKind.SCHOOL, MUNICIPALITY, "Все общеобразовательные организации города"),
    ("ДОУ МО г. Краснодар", OrgKind.PRESCHOOL, MUNICIPALITY, "Все дошкольные организации города"),
    ("УДО МО г. Краснодар", OrgKind.ADDITIONAL, MUNICIPALITY, "Все организации дополнительного образования"),
    ("СПО", OrgKind.COLLEGE, None, "Профессиональные образовательные организации"),
    ("ВО", OrgKind.UNIVERSITY, None, "Организации высшего образования"),
    ("предприятия-партнеры", None, None, "Предприятия — партнёры профориентационной работы"),
]


@dataclass
class DemoAccount:
    login: str
    password: str
    role: Role
    organization: str | None


class DemoRefused(RuntimeError):
    pass


def demo_directory() -> list[tuple[str, str, OrgKind]]:
    rows = [(CENTRE[0], CENTRE[1], OrgKind.CENTRE), (DEPARTMENT[0], DEPARTMENT[1], OrgKind.DEPARTMENT)]
    rows += [(short, full, OrgKind.SCHOOL) for short, full in SCHOOL_NAMES]
    rows += [(short, full, OrgKind.COLLEGE) for short, full in COLLEGES]
    rows += [(short, full, OrgKind.UNIVERSITY) for short, full in UNIVERSITIES]
    rows += [(short, full, OrgKind.ENTERPRISE) for short, full in ENTERPRISES]
    return rows


def demo_accounts() -> list[tuple[str, str, Role, str | None]]:
    accounts = [
        ("admin", "Администратор системы", Role.ADMIN, None),
        ("coordinator", "Иванова Мария Петровна (КНМЦ)", Role.COORDINATOR, CENTRE[0]),
        ("observer", "Сидоров Павел Андреевич (департамент)", Role.OBSERVER, DEPARTMENT[0]),
        ("knmc", "Методист КНМЦ Петрова Анна Ивановна", Role.EXECUTOR, CENTRE[0]),
        ("department", "Специалист департамента Орлова Елена Викторовна", Role.EXECUTOR, DEPARTMENT[0]),
    ]
    for number, (short, _full) in enumerate(SCHOOL_NAMES, start=1):
        accounts.append((f"school{number}", f"Заместитель директора, {short}", Role.EXECUTOR, short))
    for number, (short, _full) in enumerate(COLLEGES, start=1):
        accounts.append((f"college{number}", f"Ответственный за профориентацию, {short}", Role.EXECUTOR, short))
    for number, (short, _full) in enumerate(UNIVERSITIES, start=1):
        accounts.append((f"university{number}", f"Ответственный за профориентацию, {short}", Role.EXECUTOR, short))
    for number, (short, _full) in enumerate(ENTERPRISES, start=1):
        accounts.append((f"enterprise{number}", f"Наставник, {short}", Role.EXECUTOR, short))
    return accounts


def has_foreign_data() -> bool:
    """True when the database holds organizations or users that the demo did not create."""
    demo_orgs = {full for _short, full, _kind in demo_directory()}
    demo_logins = {login for login, *_rest in demo_accounts()}
    org_names = set(db.session.scalars(select(Organization.full_name)))
    logins = set(db.session.scalars(select(User.login)))
    return bool(org_names - demo_orgs or logins - demo_logins)


def demo_grades(students: int) -> dict[int, int]:
    """A school's students by grade: fuller junior classes, fewer in the senior ones (after the
    9th grade many leave for colleges); the total stays close to `students`."""
    weights = {grade: (1.15 if grade <= 4 else 1.0 if grade <= 9 else 0.55) for grade in range(1, 12)}
    scale = students / sum(weights.values())
    return {grade: round(weight * scale) for grade, weight in weights.items()}


# The demo's school that knows its primary and senior students only as level totals (its grades
# 5–9 are given): the reports' «всего по уровню» note is seen on the СОО target of 6.7.
LEVEL_TOTALS_SCHOOL = "МАОУ гимназия № 23"
LEVEL_TOTALS = ("НОО", "СОО")


def demo_contingent(short_name: str, students: int) -> tuple[dict[int, int], dict[str, int]]:
    """(grades, level totals) of a demo school: by grade, except LEVEL_TOTALS_SCHOOL's НОО and СОО."""
    grades = demo_grades(students)
    if short_name != LEVEL_TOTALS_SCHOOL:
        return grades, {}
    levels = {level.code: level for level in LEVELS if level.code in LEVEL_TOTALS}
    totals = {code: sum(grades[g] for g in level.band.grades) for code, level in levels.items()}
    return {g: n for g, n in grades.items() if not any(g in level.band.grades for level in levels.values())}, totals


def load_demo(*, force: bool = False) -> list[DemoAccount]:
    """Create whatever part of the demo is missing; return the demo accounts."""
    if not force and has_foreign_data():
        raise DemoRefused(
            "в базе есть данные, не относящиеся к демонстрационным; демо не загружено "
            "(добавьте --force, чтобы всё равно дополнить базу демо-данными)."
        )
    existing = {org.full_name: org for org in db.session.scalars(select(Organization))}
    city = municipality_named(MUNICIPALITY)
    for index, (short, full, kind) in enumerate(demo_directory()):
        if full not in existing:
            students = 600 + (index * 37) % 900 if kind == OrgKind.SCHOOL else None
            org = Organization(
                full_name=full,
                short_name=short,
                kind=kind,
                municipality=city,
                student_count=students,
                is_active=True,
            )
            db.session.add(org)
            existing[full] = org
    db.session.flush()
    for org in existing.values():
        if org.kind == OrgKind.SCHOOL and org.student_count and not (org.grades or org.levels):
            grades, levels = demo_contingent(org.short_name, org.student_count)
            set_contingent(org, grades, levels=levels, user=None)
    by_short = {org.short_name: org for org in existing.values()}
    for name, kind, municipality, description in GROUPS:
        group = db.session.scalar(select(OrgGroup).where(OrgGroup.name == name))
        if group is None:
            place = municipality_named(municipality) if municipality else None
            group = OrgGroup(name=name, kind=kind, municipality=place, description=description)
            db.session.add(group)
        if kind is None and not group.members:
            group.members = [by_short[short] for short, _full in ENTERPRISES]
    accounts = []
    for login, full_name, role, org_short in demo_accounts():
        if find_user(login) is None:
            create_user(
                login=login,
                full_name=full_name,
                password=DEMO_PASSWORD,
                role=role,
                organization=by_short.get(org_short) if org_short else None,
                email=f"{login}@demo.invalid",
            )
        accounts.append(DemoAccount(login, DEMO_PASSWORD, role, org_short))
    db.session.flush()
    _load_demo_plans()
    return accounts


def _load_demo_plans() -> None:
    """The demo roadmap with a half-year of history."""
    from roadmap.demo_plan import load_demo_plan

    load_demo_plan()


def is_empty() -> bool:
    return not db.session.scalar(select(func.count(User.id)))

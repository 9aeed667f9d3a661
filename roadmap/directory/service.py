"""The organization directory: organizations, groups, aliases, and import from CSV/XLSX."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, or_, select

from roadmap import audit
from roadmap.contingent import GRADES, LEVEL_BY_CODE, LEVELS, Contingent
from roadmap.directory.territory import (
    OKTMO,
    TerritoryError,
    clean_name,
    find_municipality,
    municipality_named,
    place_organization,
    the_region,
)
from roadmap.extensions import db
from roadmap.models import Alias, GradeCount, LevelCount, Municipality, Organization, OrgGroup, OrgKind, Region, User
from roadmap.models.organization import group_members as membership
from roadmap.singleline import has_control

# Russian words a table may use for the kind column, mapped to kinds.
KIND_WORDS: dict[str, OrgKind] = {
    "методический центр": OrgKind.CENTRE,
    "центр": OrgKind.CENTRE,
    "мц": OrgKind.CENTRE,
    "управление образования": OrgKind.DEPARTMENT,
    "орган управления образованием": OrgKind.DEPARTMENT,
    "департамент": OrgKind.DEPARTMENT,
    "отдел образования": OrgKind.DEPARTMENT,
    "управление": OrgKind.DEPARTMENT,
    "школа": OrgKind.SCHOOL,
    "оо": OrgKind.SCHOOL,
    "общеобразовательная организация": OrgKind.SCHOOL,
    "сош": OrgKind.SCHOOL,
    "гимназия": OrgKind.SCHOOL,
    "лицей": OrgKind.SCHOOL,
    "доу": OrgKind.PRESCHOOL,
    "детский сад": OrgKind.PRESCHOOL,
    "дошкольная организация": OrgKind.PRESCHOOL,
    "удо": OrgKind.ADDITIONAL,
    "одо": OrgKind.ADDITIONAL,
    "дополнительное образование": OrgKind.ADDITIONAL,
    "организация дополнительного образования": OrgKind.ADDITIONAL,
    "спо": OrgKind.COLLEGE,
    "колледж": OrgKind.COLLEGE,
    "техникум": OrgKind.COLLEGE,
    "поо": OrgKind.COLLEGE,
    "организация спо": OrgKind.COLLEGE,
    "во": OrgKind.UNIVERSITY,
    "вуз": OrgKind.UNIVERSITY,
    "университет": OrgKind.UNIVERSITY,
    "организация высшего образования": OrgKind.UNIVERSITY,
    "предприятие": OrgKind.ENTERPRISE,
    "работодатель": OrgKind.ENTERPRISE,
    "другое": OrgKind.OTHER,
}

HEADER_WORDS = {
    "full_name": ("полное наименование", "наименование", "полное название", "название", "full_name", "name"),
    "short_name": ("краткое наименование", "сокращенное наименование", "краткое название", "short_name", "short"),
    "kind": ("тип", "вид", "вид организации", "тип организации", "kind"),
    "municipality": ("муниципалитет", "муниципальное образование", "мо", "municipality", "город"),
    "oktmo": ("октмо", "код октмо", "октмо муниципалитета", "oktmo"),
    "student_count": ("число обучающихся", "количество обучающихся", "обучающихся", "students", "student_count"),
}


# «1 класс», «1 кл.», «1-й класс», «класс 1», «1»: the contingent by grade (roadmap.contingent).
_GRADE_HEADER = re.compile(r"^(?:класс\s*)?(\d{1,2})(?:\s*-?й)?(?:\s*(?:класс|кл\.?|классы|классов))?$")


def grade_of_header(text: str) -> int | None:
    """The grade a header cell names («9 класс» → 9), or None."""
    match = _GRADE_HEADER.match(" ".join(text.strip().lower().split()))
    if match and int(match[1]) in GRADES:
        return int(match[1])
    return None


# «НОО», «ООО (5–9 классы)», «5-9 классы», «основное общее образование»: a level's total when its
# grades are not known (roadmap.contingent.LEVELS).
_BAND_HEADER = re.compile(r"^(\d{1,2})\s*[-–—]\s*(\d{1,2})(?:\s*(?:класс\w*|кл\.?))?$")


def level_of_header(text: str) -> str | None:
    """The education level a header cell names («ООО», «5–9 классы») as its code, or None."""
    value = " ".join(text.strip().lower().replace("ё", "е").split())
    for level in LEVELS:
        if value == level.code.lower() or value.startswith(level.code.lower() + " ") or value == level.name:
            return level.code
    band = _BAND_HEADER.match(value)
    if band:
        return next((lv.code for lv in LEVELS if (lv.band.first, lv.band.last) == (int(band[1]), int(band[2]))), None)
    return None


def has_contingent(org: Organization) -> bool:
    """Whether the organization's students are given by grade or by level."""
    return bool(org.grades or org.levels)


def given_total(org: Organization) -> int:
    """The sum of its grades and level totals: student_count whenever either is given."""
    return sum(g.students for g in org.grades) + sum(level.students for level in org.levels)


def parse_kind(text: str) -> OrgKind | None:
    value = text.strip().lower().replace("ё", "е")
    if not value:
        return None
    try:
        return OrgKind(value)
    except ValueError:
        pass
    if value in KIND_WORDS:
        return KIND_WORDS[value]
    for label_kind, label in ((k, k.label.lower()) for k in OrgKind):
        if value == label:
            return label_kind
    return None


@dataclass
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"Строка {self.row}: {self.message}"


@dataclass
class OrgImportResult:
    created: int = 0
    updated: int = 0
    contingents: int = 0  # organizations whose students by grade the file gave
    municipalities_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)


class DirectoryImportError(ValueError):
    """The whole file cannot be imported; carries per-row problems."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


MAX_ROWS = 20_000  # a region has a few thousand organizations
MAX_CELL = 2_000


def _read_table(data: bytes, filename: str) -> list[list[str]]:
    """Rows of the first sheet of an XLSX, or of a CSV; with the roadmap importer's guards
    (zip bombs, broken packages, a sheet that expands to millions of rows, huge cells)."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if b"\x00" in data[:4096]:
        raise DirectoryImportError("Файл не похож на таблицу CSV или XLSX.")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes nearly anything
        raise DirectoryImportError("Не удалось определить кодировку файла.")
    sample = text[:4096]
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(_cells(row, len(rows) + 1))
    except csv.Error as exc:  # a cell beyond the csv module's limit, a stray NUL
        raise DirectoryImportError(f"Строка {len(rows) + 1}: ячейка слишком длинная или повреждена.") from exc
    return rows


def _cells(row, number: int) -> list[str]:
    if number > MAX_ROWS:
        raise DirectoryImportError(f"В файле больше {MAX_ROWS} строк: разделите его на части.")
    cells = ["" if value is None else str(value).strip() for value in row]
    if any(len(cell) > MAX_CELL for cell in cells):
        raise DirectoryImportError(f"Строка {number}: ячейка длиннее {MAX_CELL} знаков — это не наименование.")
    return cells


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    from roadmap.importers.model import ImportFailed
    from roadmap.importers.zipsafe import open_zip

    try:
        open_zip(data, "Файл Excel повреждён или имеет неверный формат.").close()
    except ImportFailed as exc:
        raise DirectoryImportError(exc.message) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to TypeError on a broken package
        raise DirectoryImportError("Файл Excel повреждён или имеет неверный формат.") from exc
    try:
        if not workbook.worksheets:
            raise DirectoryImportError("В книге Excel нет ни одного листа.")
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(_cells(row, len(rows) + 1))
        return rows
    except DirectoryImportError:
        raise
    except Exception as exc:  # a sheet broken inside the package
        raise DirectoryImportError("Лист Excel повреждён: сохраните файл заново и загрузите ещё раз.") from exc
    finally:
        workbook.close()


def _map_header(header: list[str]) -> dict[str, int]:
    """Column key → index; a grade column's key is «grade:9»."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        value = cell.strip().lower().replace("ё", "е")
        for key, words in HEADER_WORDS.items():
            if key not in mapping and value in words:
                mapping[key] = index
                break
        else:
            grade = grade_of_header(value)
            if grade is not None and f"grade:{grade}" not in mapping:
                mapping[f"grade:{grade}"] = index
            level = level_of_header(value) if grade is None else None
            if level is not None and f"level:{level}" not in mapping:
                mapping[f"level:{level}"] = index
    return mapping


def _count(text: str) -> int | None:
    """A count of students as a table writes it («640», «1 200», «640.0»); ValueError otherwise."""
    value = text.replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    if re.fullmatch(r"\d+(?:[.,]0+)?", value):
        return int(value.split(".")[0].split(",")[0])
    if re.fullmatch(r"[-−–]\d+(?:[.,]\d+)?", value):
        raise _Negative(value)
    raise ValueError(value)


class _Negative(ValueError):
    """A count written with a minus."""


def _row_contingent(cell) -> tuple[int | None, dict[int, int], dict[str, int]] | str:
    """(total, students by grade, level totals without grades) of one directory row, or what is
    wrong with them (Russian, for «Строка N: …»)."""

    def count(key: str, column: str) -> int | None:
        try:
            return _count(cell(key))
        except _Negative as exc:
            raise ValueError(f"в столбце «{column}» «{exc}» — отрицательное число обучающихся.") from None
        except ValueError as exc:
            raise ValueError(f"в столбце «{column}» «{exc}» — не число обучающихся.") from None

    try:
        try:
            students = _count(cell("student_count"))
        except _Negative as exc:
            return f"число обучающихся «{exc}» — отрицательное число."
        except ValueError as exc:
            return f"число обучающихся «{exc}» не является числом."
        grades = {grade: value for grade in GRADES if (value := count(f"grade:{grade}", f"{grade} класс")) is not None}
        levels = {lv.code: value for lv in LEVELS if (value := count(f"level:{lv.code}", lv.code)) is not None}
    except ValueError as exc:
        return str(exc)
    levels, contradiction = reconcile_levels(grades, levels)
    if contradiction:
        return contradiction
    given = sum(grades.values()) + sum(levels.values())
    if (grades or levels) and students is not None and students != given:
        what = (
            "сумме по классам" if not levels else ("сумме по уровням" if not grades else "сумме по классам и уровням")
        )
        return (
            f"число обучающихся ({students}) не равно {what} ({given}): "
            "исправьте одно из них или оставьте столбец «Число обучающихся» пустым."
        )
    return students, grades, levels


def import_organizations(data: bytes, filename: str = "", region: Region | None = None) -> OrgImportResult:
    """Import organizations of `region` (the installation's one by default) from a CSV/XLSX table;
    all rows or none.

    Columns are recognised by their header (Russian or English). An organization with the same
    full name is updated rather than duplicated, so a corrected file can be imported again. The
    municipality is named by its name and, optionally, its OKTMO code; a municipality not yet
    known is created; an empty cell means the organization belongs to the region itself.
    """
    region = region or the_region()
    rows = [row for row in _read_table(data, filename) if any(cell for cell in row)]
    if not rows:
        raise DirectoryImportError("Файл пуст.")
    mapping = _map_header(rows[0])
    if "full_name" not in mapping or "kind" not in mapping:
        raise DirectoryImportError(
            "В первой строке нужны заголовки столбцов: «Полное наименование», «Краткое наименование», "
            "«Тип», «Муниципалитет» (необязательно «ОКТМО», «Число обучающихся», по классам «1 класс» … «11 класс» "
            "или по уровням «НОО», «ООО», «СОО»)."
        )
    problems: list[RowProblem] = []
    parsed: list[dict] = []
    seen: set[str] = set()
    places = _Places(region)
    for number, row in enumerate(rows[1:], start=2):

        def cell(key: str, row=row) -> str:
            index = mapping.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        full_name = re.sub(r"\s+", " ", cell("full_name"))
        short_name = re.sub(r"\s+", " ", cell("short_name")) or full_name
        kind = parse_kind(cell("kind"))
        if not full_name:
            problems.append(RowProblem(number, "не указано полное наименование."))
            continue
        if len(full_name) > 500 or len(short_name) > 200:
            problems.append(RowProblem(number, "наименование слишком длинное."))
            continue
        if has_control(full_name) or has_control(short_name):
            problems.append(RowProblem(number, "в наименовании управляющие символы: оставьте одну строку текста."))
            continue
        if kind is None:
            problems.append(RowProblem(number, f"неизвестный тип организации «{cell('kind')}»."))
            continue
        contingent = _row_contingent(cell)
        if isinstance(contingent, str):
            problems.append(RowProblem(number, contingent))
            continue
        students, grades, levels = contingent
        try:
            place = places.resolve(cell("municipality"), cell("oktmo"))
        except TerritoryError as exc:
            problems.append(RowProblem(number, str(exc)))
            continue
        key = full_name.lower()
        if key in seen:
            problems.append(RowProblem(number, f"организация «{full_name}» повторяется в файле."))
            continue
        seen.add(key)
        parsed.append(
            {
                "full_name": full_name,
                "short_name": short_name,
                "kind": kind,
                "place": place,
                "student_count": students,
                "grades": grades,
                "levels": levels,
            }
        )
    if problems:
        raise DirectoryImportError("Файл не загружен: исправьте ошибки и загрузите снова.", problems)
    result = OrgImportResult()
    existing = {org.full_name.lower(): org for org in db.session.scalars(select(Organization))}
    for values in parsed:
        grades, levels = values.pop("grades"), values.pop("levels")
        municipality = places.create(values.pop("place"))
        org = existing.get(values["full_name"].lower())
        if org is None:
            org = Organization(**values, is_active=True)
            db.session.add(org)
            result.created += 1
        else:
            if not grades and not levels and has_contingent(org):
                # A total alone would contradict the grades or levels kept: they stay and the
                # total stays their sum (one truth), unless the file gives grades or levels itself.
                values["student_count"] = given_total(org)
            for name, value in values.items():
                setattr(org, name, value)
            result.updated += 1
        if grades or levels:
            _replace_contingent(org, grades, levels)
            result.contingents += 1
        place_organization(org, municipality, region)
    db.session.flush()
    result.municipalities_created = places.created
    return result


def _replace_contingent(org: Organization, grades: dict[int, int], levels: dict[str, int]) -> None:
    """Keep exactly `grades` and `levels` (checked by contingent_errors), the total their sum."""
    kept = {g.grade: g for g in org.grades}
    for grade, count in kept.items():
        if grade not in grades:
            org.grades.remove(count)
    for grade, students in sorted(grades.items()):
        if grade in kept:
            kept[grade].students = students
        else:
            org.grades.append(GradeCount(grade=grade, students=students))
    kept_levels = {level.level: level for level in org.levels}
    for code, count in kept_levels.items():
        if code not in levels:
            org.levels.remove(count)
    for code, students in levels.items():
        if code in kept_levels:
            kept_levels[code].students = students
        else:
            org.levels.append(LevelCount(level=code, students=students))
    if grades or levels:
        org.student_count = sum(grades.values()) + sum(levels.values())


class ContingentError(ValueError):
    """A contingent that cannot be saved; the message is Russian."""


MAX_STUDENTS_IN_GRADE = 10_000
MAX_STUDENTS_IN_LEVEL = 50_000


def reconcile_levels(grades: dict[int, int], levels: dict[str, int]) -> tuple[dict[str, int], str | None]:
    """The level totals to keep beside `grades`: a level with grades keeps its grades (a total
    equal to their sum says nothing more); (levels, Russian message) when a level total
    contradicts the grades given for it."""
    kept: dict[str, int] = {}
    for code, students in levels.items():
        given = {grade: grades[grade] for grade in LEVEL_BY_CODE[code].band.grades if grade in grades}
        if not given:
            kept[code] = students
        elif sum(given.values()) != students:
            band = LEVEL_BY_CODE[code].band
            return kept, (
                f"{code}: указано {students} обучающихся, а по классам {band.first}–{band.last} — "
                f"{sum(given.values())}; оставьте одно из двух или исправьте число."
            )
    return kept, None


def set_contingent(
    organization: Organization,
    grades: dict[int, int | None],
    *,
    levels: dict[str, int | None] | None = None,
    user: User | None,
) -> Organization:
    """Save the organization's students by grade (1–11) and, for levels whose grades are not
    known, by level (НОО, ООО, СОО); None or missing: not given. Audited. `student_count`
    becomes their sum — the one total every report reads. With nothing given at all, grades and
    levels are cleared and the total is kept as it was."""
    cleaned: dict[int, int] = {}
    for grade, value in grades.items():
        if grade not in GRADES:
            raise ContingentError(f"Класса {grade} нет: классы с 1 по 11.")
        if value is None:
            continue
        if not 0 <= value <= MAX_STUDENTS_IN_GRADE:
            raise ContingentError(f"{grade} класс: число обучающихся от 0 до {MAX_STUDENTS_IN_GRADE}.")
        cleaned[grade] = value
    by_level: dict[str, int] = {}
    for code, value in (levels or {}).items():
        if code not in LEVEL_BY_CODE:
            raise ContingentError(f"Уровня «{code}» нет: уровни НОО, ООО, СОО.")
        if value is None:
            continue
        if not 0 <= value <= MAX_STUDENTS_IN_LEVEL:
            raise ContingentError(f"{code}: число обучающихся от 0 до {MAX_STUDENTS_IN_LEVEL}.")
        by_level[code] = value
    by_level, contradiction = reconcile_levels(cleaned, by_level)
    if contradiction:
        raise ContingentError(contradiction)
    before = {g.grade: g.students for g in organization.grades}
    before_levels = {level.level: level.students for level in organization.levels}
    _replace_contingent(organization, cleaned, by_level)
    db.session.flush()
    audit.record(
        "contingent_saved",
        user=user,
        obj=organization,
        summary=f"Контингент: {organization.short_name} — {organization.student_count or 0} обучающихся",
        details={
            "before": {str(k): v for k, v in before.items()},
            "after": {str(k): v for k, v in cleaned.items()},
            "levels_before": before_levels,
            "levels_after": by_level,
        },
    )
    return organization


def contingent_of(organization_ids) -> dict[int, Contingent]:
    """organization id → its contingent (students by grade, by level only, the total), in three
    queries."""
    ids = list(organization_ids)
    if not ids:
        return {}
    by_grade: dict[int, dict[int, int]] = {i: {} for i in ids}
    for org_id, grade, students in db.session.execute(
        select(GradeCount.organization_id, GradeCount.grade, GradeCount.students).where(
            GradeCount.organization_id.in_(ids)
        )
    ):
        by_grade[org_id][grade] = students
    by_level: dict[int, dict[str, int]] = {i: {} for i in ids}
    for org_id, level, students in db.session.execute(
        select(LevelCount.organization_id, LevelCount.level, LevelCount.students).where(
            LevelCount.organization_id.in_(ids)
        )
    ):
        by_level[org_id][level] = students
    totals = dict(
        db.session.execute(select(Organization.id, Organization.student_count).where(Organization.id.in_(ids))).all()
    )
    return {i: Contingent(by_grade[i], totals.get(i), by_level[i]) for i in ids}


class _Places:
    """Municipality cells of one import: checked for every row first, created only when the whole
    file is good (all rows or none)."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.known = {
            m.name.casefold(): m
            for m in db.session.scalars(select(Municipality).where(Municipality.region_id == region.id))
        }
        self.codes = {
            m.oktmo: m.name for m in db.session.scalars(select(Municipality).where(Municipality.oktmo.is_not(None)))
        }
        self.new: dict[str, tuple[str, str | None]] = {}  # lower name → (name, OKTMO) to create
        self.created = 0

    def resolve(self, name_cell: str, oktmo_cell: str) -> str | None:
        """The key of the row's municipality (None: the region itself); TerritoryError in Russian."""
        name = clean_name(name_cell)
        oktmo = oktmo_cell.replace(" ", "") or None
        if oktmo and not OKTMO.fullmatch(oktmo):
            raise TerritoryError(f"код ОКТМО «{oktmo}» должен состоять из 8 или 11 цифр.")
        if not name:
            if oktmo is None:
                return None
            if oktmo in self.codes:
                return self.codes[oktmo].casefold()
            raise TerritoryError(f"муниципалитет с кодом ОКТМО {oktmo} не найден: укажите его название.")
        if len(name) > 200:
            raise TerritoryError("название муниципалитета длиннее 200 знаков.")
        key = name.casefold()
        known = self.known.get(key)
        owner = self.codes.get(oktmo) if oktmo else None
        if owner is not None and owner.casefold() != key:
            raise TerritoryError(f"код ОКТМО {oktmo} уже принадлежит муниципалитету «{owner}».")
        if known is not None:
            if oktmo and known.oktmo and known.oktmo != oktmo:
                raise TerritoryError(f"у муниципалитета «{known.name}» другой код ОКТМО: {known.oktmo}.")
            if oktmo and known.oktmo is None:
                self.new[key] = (known.name, oktmo)
                self.codes[oktmo] = known.name
            return key
        planned = self.new.get(key)
        if planned is not None and oktmo and planned[1] and planned[1] != oktmo:
            raise TerritoryError(f"у муниципалитета «{planned[0]}» в файле два кода ОКТМО: {planned[1]} и {oktmo}.")
        if planned is None or (oktmo and not planned[1]):
            self.new[key] = (planned[0] if planned else name, oktmo)
        if oktmo:
            self.codes[oktmo] = self.new[key][0]
        return key

    def create(self, key: str | None) -> Municipality | None:
        if key is None:
            return None
        if key in self.new:
            name, oktmo = self.new.pop(key)
            if key not in self.known:
                self.known[key] = Municipality(region=self.region, name=name, oktmo=oktmo)
                db.session.add(self.known[key])
                self.created += 1
            else:
                self.known[key].oktmo = oktmo
        return self.known[key]


class OrganizationError(ValueError):
    """An organization the directory form cannot save; the message is Russian, `field` the form
    field it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def namesake(org: Organization | None, short_name: str, municipality: str | None) -> Organization | None:
    """Another organization of the same municipality under the same short name: matching would confuse them."""
    place = find_municipality(municipality) if clean_name(municipality) else None
    if clean_name(municipality) and place is None:
        return None  # a new municipality has no organizations yet
    name = " ".join((short_name or "").split()).casefold()
    query = select(Organization).where(
        Organization.municipality_id.is_(None) if place is None else Organization.municipality_id == place.id
    )
    if org is not None and org.id is not None:
        query = query.where(Organization.id != org.id)
    # Compared in Python: SQLite's lower() leaves Cyrillic as it is.
    return next((o for o in db.session.scalars(query) if " ".join(o.short_name.split()).casefold() == name), None)


def edit_organization(
    organization: Organization | None,
    *,
    full_name: str,
    short_name: str,
    kind: OrgKind | str,
    municipality_name: str | None,
    student_count: int | None,
    is_active: bool,
) -> Organization:
    """The directory form's save (the administrator's): the municipality named so (created when
    new; empty: the region itself), refused when another organization of it has the same short
    name; audited. OrganizationError names the field."""
    twin = namesake(organization, short_name, municipality_name)
    place = None
    if clean_name(municipality_name):
        try:
            place = municipality_named(municipality_name)
        except TerritoryError as exc:
            raise OrganizationError(f"Муниципалитет: {exc}", "municipality_name") from None
    if twin is not None:
        raise OrganizationError(
            f"Организация «{twin.short_name}» уже есть в справочнике ({twin.full_name}). "
            "Откройте её из списка или уточните краткое наименование.",
            "short_name",
        )
    organization = save_organization(
        organization,
        full_name=full_name,
        short_name=short_name,
        kind=kind,
        municipality=place,
        student_count=student_count,
        is_active=is_active,
    )
    audit.record("organization_saved", obj=organization, summary=f"Организация: {organization.short_name}")
    return organization


def save_organization(
    organization: Organization | None,
    *,
    full_name: str,
    short_name: str,
    kind: OrgKind | str,
    municipality: Municipality | None,
    student_count: int | None,
    is_active: bool,
) -> Organization:
    """Create (when `organization` is None) or change an organization of the directory;
    `municipality` None: the organization belongs to the region itself."""
    if organization is None:
        organization = Organization(is_active=True)
        db.session.add(organization)
    organization.full_name = full_name.strip()
    organization.short_name = short_name.strip()
    organization.kind = OrgKind(kind)
    place_organization(organization, municipality)
    # With grades or levels given, the total is their sum (set_contingent); the form's total is
    # for organizations without them.
    organization.student_count = given_total(organization) if has_contingent(organization) else student_count
    organization.is_active = is_active
    db.session.flush()
    return organization


def is_member():
    """SQL: ``Organization`` belongs to ``OrgGroup`` — the one rule of group membership.

    A group with a kind holds every organization of that kind (of its municipality, when it
    names one; of any municipality, not the region's own, when it is municipal only), so a school added later joins by itself; any group also holds the organizations
    listed in org_group_member ("предприятия-партнеры"). Whether the organization is active is
    the caller's concern.
    """
    by_kind = and_(
        OrgGroup.kind.is_not(None),
        OrgGroup.kind == Organization.kind,
        or_(OrgGroup.municipality_id.is_(None), OrgGroup.municipality_id == Organization.municipality_id),
        or_(OrgGroup.is_municipal_only.is_(False), Organization.municipality_id.is_not(None)),
    )
    listed = exists().where(membership.c.group_id == OrgGroup.id, membership.c.organization_id == Organization.id)
    return or_(by_kind, listed)


def group_members(group_ids: set[int]) -> dict[int, set[int]]:
    """group id → ids of its active members (see is_member); one query."""
    result: dict[int, set[int]] = {group_id: set() for group_id in group_ids}
    if not group_ids:
        return result
    rows = db.session.execute(
        select(OrgGroup.id, Organization.id).where(
            OrgGroup.id.in_(group_ids), Organization.is_active.is_(True), is_member()
        )
    )
    for group_id, organization_id in rows:
        result[group_id].add(organization_id)
    return result


def groups_of(organization: Organization) -> set[int]:
    """The ids of the groups `organization` belongs to (see is_member); one query."""
    return set(db.session.scalars(select(OrgGroup.id).where(Organization.id == organization.id, is_member())))


def search_organizations(query: str | None = None, kind: OrgKind | None = None):
    stmt = select(Organization).order_by(Organization.sort_key, Organization.id)  # natural order, in SQL: paginated
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Organization.full_name.ilike(like), Organization.short_name.ilike(like)))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    return stmt


def remember_alias(text: str, *, organization_id: int | None = None, group_id: int | None = None) -> Alias:
    """Remember that `text` means this organization or group; the latest choice wins."""
    from roadmap.importers import normalize_party

    normalized = normalize_party(text)
    alias = db.session.scalar(select(Alias).where(Alias.normalized == normalized))
    if alias is None:
        alias = Alias(text=text.strip(), normalized=normalized)
        db.session.add(alias)
    alias.organization_id = organization_id
    alias.group_id = group_id
    db.session.flush()
    return alias

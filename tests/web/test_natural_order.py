"""Every surface that lists organizations (or logins) puts СОШ № 2 before СОШ № 10: pages,
dropdowns, exports, the admin's paginated lists (sorted in SQL by the stored sort key)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import select, text

from roadmap.accounts.sessions import make_token
from roadmap.extensions import db
from roadmap.models import MeasureParty, Organization, OrgKind, Role, User
from roadmap.russian import natural_key

# Created in this order so that neither the ids nor plain text order («1, 10, 2») is natural.
NUMBERS = (10, 1, 2)
NATURAL = [1, 2, 10]
_NAME = re.compile(r"СОШ\W+№\W+(\d+)(?!\d)")


def _sequence(text: str) -> list[int]:
    """The school numbers as they appear, repeats in a row merged (a row may name its school twice)."""
    found = [int(n) for n in _NAME.findall(text)]
    return [n for i, n in enumerate(found) if i == 0 or found[i - 1] != n]


def assert_natural(text: str, where: str) -> None:
    """Every list of the three schools in `text` is in natural order: 1, 2, 10 (repeated)."""
    seq = _sequence(text)
    assert seq, f"{where}: no school listed"
    assert len(seq) % 3 == 0 and seq == NATURAL * (len(seq) // 3), f"{where}: {seq}"


def _login(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = make_token(user)
        session["_fresh"] = True


@pytest.fixture
def world(app, make_org, make_user, make_roadmap):
    schools = [
        make_org(kind=OrgKind.SCHOOL, short_name=f"СОШ № {n}", full_name=f"Средняя школа № {n}") for n in NUMBERS
    ]
    by_number = dict(zip(NUMBERS, schools, strict=True))
    in_document_order = [by_number[n] for n in NATURAL]
    roadmap = make_roadmap(
        [
            ("1.1", "Классные часы", "сентябрь", in_document_order),
            ("1.2", "Родительские собрания", "октябрь", in_document_order),
        ]
    )
    users = {
        "coordinator": make_user(role=Role.COORDINATOR, login="coord-natural"),
        "admin": make_user(role=Role.ADMIN, login="admin-natural"),
    }
    for n in NUMBERS:
        users[n] = make_user(role=Role.EXECUTOR, organization=by_number[n], login=f"school{n}", full_name=f"Школа {n}")
    return roadmap, schools, users


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    return match.group(0)


def test_the_stored_key_is_natural_key_and_follows_a_rename(app, world):
    _roadmap, schools, users = world
    for org in schools:
        assert org.sort_key == natural_key(org.short_name)
    renamed = schools[0]
    renamed.short_name = "СОШ № 3"
    db.session.flush()
    stored = db.session.scalar(select(Organization.sort_key).where(Organization.id == renamed.id))
    assert stored == natural_key("СОШ № 3")
    assert db.session.scalar(select(User.sort_key).where(User.id == users[10].id)) == natural_key("school10")
    # A Core insert without the key (as the bench's bulk loader does) gets it from the name.
    db.session.execute(
        Organization.__table__.insert().values(full_name="Школа № 7", short_name="Школа № 7", kind="school")
    )
    core = db.session.scalar(select(Organization.sort_key).where(Organization.short_name == "Школа № 7"))
    assert core == natural_key("Школа № 7")


def test_the_database_orders_the_key_as_python_does(app):
    # "C" collation on PostgreSQL, bytes on SQLite: the column's order is code-point order.
    names = ["СОШ № 10", "сош № 2", "Лицей «Ёлка»", "ЛИЦЕЙ № 1", "school10", "school2", "Школа-1", "Школа 1а"]
    dialect = db.session.get_bind().dialect.name
    cast = 'CAST(:k{i} AS TEXT) COLLATE "C"' if dialect == "postgresql" else "CAST(:k{i} AS TEXT)"
    union = " UNION ALL ".join(f"SELECT {cast.format(i=i)} AS k, :n{i} AS n" for i in range(len(names)))
    params = {f"k{i}": natural_key(n) for i, n in enumerate(names)} | {f"n{i}": n for i, n in enumerate(names)}
    in_sql = [row.n for row in db.session.execute(text(f"SELECT k, n FROM ({union}) AS t ORDER BY k"), params)]
    assert in_sql == sorted(names, key=natural_key)


def test_every_page_lists_the_schools_in_natural_order(app, client, world):
    roadmap, _schools, users = world
    _login(client, users["coordinator"])
    for path in (f"/roadmaps/{roadmap.id}", f"/roadmaps/{roadmap.id}/matrix", f"/roadmaps/{roadmap.id}/report"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_natural(response.get_data(as_text=True), path)
    # The calendar page's organization choice.
    feeds = client.get("/feeds/").get_data(as_text=True)
    assert_natural(_select(feeds, "organization_id"), "/feeds/ organization")


def test_the_review_screen_maps_to_schools_in_natural_order(app, client, world):
    roadmap, _schools, users = world
    measure = roadmap.measures[0]
    measure.parties.append(MeasureParty(position=9, text="Классные руководители"))
    db.session.flush()
    _login(client, users["coordinator"])
    page = client.get(f"/roadmaps/{roadmap.id}/review").get_data(as_text=True)
    match = re.search(r'<datalist id="mapping-targets">.*?</datalist>', page, re.S)
    assert match, "no mapping list"
    assert_natural(match.group(0), "review: mapping list")


def test_every_export_lists_the_schools_in_natural_order(app, client, world):
    roadmap, _schools, users = world
    _login(client, users["coordinator"])
    csv = client.get(f"/roadmaps/{roadmap.id}/export.csv")
    assert csv.status_code == 200
    assert_natural(csv.get_data(as_text=True), "CSV")
    xlsx = client.get(f"/roadmaps/{roadmap.id}/export.xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    listed = 0
    for sheet in book.worksheets:
        cells = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
        if _sequence(cells):
            assert_natural(cells, f"XLSX «{sheet.title}»")
            listed += 1
    assert listed >= 3  # the tasks of a section, the executors, the matrix
    docx = client.get(f"/roadmaps/{roadmap.id}/export.docx")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode()
    assert_natural(re.sub(r"<[^>]+>", "", re.sub(r"</w:p>", "\n", xml)), "DOCX")


def test_the_admin_lists_are_natural_across_pages(app, client, world, make_org):
    _roadmap, _schools, users = world
    _login(client, users["admin"])
    orgs = client.get("/admin/organizations?q=СОШ").get_data(as_text=True)
    assert_natural(orgs, "admin organizations")
    # Sorted in SQL, not page by page: 55 more schools over two pages of 50.
    for n in range(55, 0, -1):
        make_org(kind=OrgKind.SCHOOL, short_name=f"Гимназия № {n}", full_name=f"Гимназия номер {n}")
    first = client.get("/admin/organizations?q=Гимназия").get_data(as_text=True)
    second = client.get("/admin/organizations?q=Гимназия&page=2").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r"<td>Гимназия № (\d+)</td>", first + second)]
    assert numbers == list(range(1, 56))
    logins = client.get("/admin/users?q=school").get_data(as_text=True)
    assert re.findall(r"\bschool(\d+)\b", logins)[:1] and _dedupe(re.findall(r"\bschool(\d+)\b", logins)) == [
        "1",
        "2",
        "10",
    ]
    new_user = client.get("/admin/users/new").get_data(as_text=True)
    assert_natural(_select(new_user, "organization_id"), "user form: organization")


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def test_the_cli_lists_users_in_natural_order(app, runner, world):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    assert _dedupe(re.findall(r"\bschool(\d+)\b", result.output)) == ["1", "2", "10"]


def test_my_tasks_picks_roadmaps_in_natural_order(app, client, make_org, make_user, make_roadmap):
    school = make_org(short_name="СОШ № 5")
    for title in ("Дорожная карта № 10", "Дорожная карта № 2"):
        make_roadmap([("1.1", "Классные часы", "сентябрь", [school])], title=title)
    user = make_user(role=Role.EXECUTOR, organization=school, login="school5")
    _login(client, user)
    page = client.get("/tasks").get_data(as_text=True)
    picker = _select(page, "roadmap")
    assert picker.index("Дорожная карта № 2") < picker.index("Дорожная карта № 10")

"""Responsible cells: splitting into parties and matching them to the directory."""

from __future__ import annotations

import pytest

from roadmap.importers import Directory, DirectoryEntry, PartyMatch, match_parties, normalize_party, split_parties
from tests.importers.fixtures import MEASURES

KNMC, DEPARTMENT, SCHOOL5, LYCEUM = 1, 2, 3, 4
SCHOOLS, COLLEGES, UNIVERSITIES, PARTNERS = 10, 11, 12, 13

DIRECTORY = Directory(
    [
        DirectoryEntry(
            "organization",
            KNMC,
            [
                "Муниципальное казённое учреждение муниципального образования город Краснодар "
                "«Краснодарский научно-методический центр»",
                "МКУ КНМЦ",
                "КНМЦ",
            ],
        ),
        DirectoryEntry(
            "organization",
            DEPARTMENT,
            [
                "Департамент образования администрации муниципального образования город Краснодар",
                "ДО АМУ г. Краснодар",
                "ДО МО г. Краснодар",
            ],
        ),
        DirectoryEntry("organization", SCHOOL5, ["МБОУ СОШ № 5", "Средняя школа № 5"]),
        DirectoryEntry("organization", LYCEUM, ["МАОУ лицей № 48"]),
        DirectoryEntry("group", SCHOOLS, ["ОО МО г. Краснодар", "общеобразовательные организации", "ОО"]),
        DirectoryEntry("group", COLLEGES, ["СПО", "ПОО"]),
        DirectoryEntry("group", UNIVERSITIES, ["ВО", "вузы"]),
        DirectoryEntry("group", PARTNERS, ["предприятия-партнеры"]),
    ]
)

# Every responsible cell of the Krasnodar roadmap, split as a coordinator reads it.
KRASNODAR_SPLITS = {
    "МКУ КНМЦ": ["МКУ КНМЦ"],
    "ОО МО г. Краснодар": ["ОО МО г. Краснодар"],
    "ОО МО г. Краснодара": ["ОО МО г. Краснодара"],
    "ДО МО г.Краснодар": ["ДО МО г.Краснодар"],
    "ДО АМУ г.Краснодар": ["ДО АМУ г.Краснодар"],
    "ОО МО г. Краснодара, СПО,ВО, предприятия-партнеры": ["ОО МО г. Краснодара", "СПО", "ВО", "предприятия-партнеры"],
    "ОО МО г. Краснодар СПО/ВО": ["ОО МО г. Краснодар", "СПО", "ВО"],
    "ДО АМУ г.Краснодар ОО МО г. Краснодара": ["ДО АМУ г.Краснодар", "ОО МО г. Краснодара"],
    "ОО МО г. Краснодара ВО, СПО": ["ОО МО г. Краснодара", "ВО", "СПО"],
    "": [],
}
KRASNODAR_MATCHES = {
    "МКУ КНМЦ": [KNMC],
    "ОО МО г. Краснодар": [SCHOOLS],
    "ОО МО г. Краснодара": [SCHOOLS],
    "ДО МО г.Краснодар": [DEPARTMENT],
    "ДО АМУ г.Краснодар": [DEPARTMENT],
    "ОО МО г. Краснодара, СПО,ВО, предприятия-партнеры": [SCHOOLS, COLLEGES, UNIVERSITIES, PARTNERS],
    "ОО МО г. Краснодар СПО/ВО": [SCHOOLS, COLLEGES, UNIVERSITIES],
    "ДО АМУ г.Краснодар ОО МО г. Краснодара": [DEPARTMENT, SCHOOLS],
    "ОО МО г. Краснодара ВО, СПО": [SCHOOLS, UNIVERSITIES, COLLEGES],
    "": [],
}


def test_the_table_covers_every_krasnodar_cell():
    assert {responsible for *_, responsible in MEASURES} == set(KRASNODAR_SPLITS)


@pytest.mark.parametrize(("cell", "parties"), KRASNODAR_SPLITS.items())
def test_split_krasnodar_cells(cell, parties):
    assert split_parties(cell) == parties


@pytest.mark.parametrize(("cell", "ids"), KRASNODAR_MATCHES.items())
def test_match_krasnodar_cells(cell, ids):
    matches = match_parties(cell, DIRECTORY)
    assert [match.id for match in matches] == ids
    assert [match.text for match in matches] == KRASNODAR_SPLITS[cell]
    assert all(match.kind for match in matches)


def test_match_reports_kind_and_matched_name():
    (match,) = match_parties("ДО АМУ г.Краснодар", DIRECTORY)
    assert match == PartyMatch("ДО АМУ г.Краснодар", "organization", DEPARTMENT, "ДО АМУ г. Краснодар")
    assert match.is_matched


def test_empty_cell_gives_no_parties():
    assert match_parties("", DIRECTORY) == []
    assert match_parties("  \n ", DIRECTORY) == []
    assert match_parties(None, DIRECTORY) == []  # type: ignore[arg-type]


def test_unmatched_parties_are_reported_not_dropped():
    matches = match_parties("МКУ КНМЦ, Краевой центр профориентации, ОО", DIRECTORY)
    assert [(m.text, m.id) for m in matches] == [
        ("МКУ КНМЦ", KNMC),
        ("Краевой центр профориентации", None),
        ("ОО", SCHOOLS),
    ]
    assert matches[1].kind is None and matches[1].matched_name is None


def test_group_abbreviation_is_not_found_inside_a_word():
    matches = match_parties("МБОУ СОШ № 5", DIRECTORY)
    assert [m.id for m in matches] == [SCHOOL5]
    assert match_parties("МБОУ", DIRECTORY) == [PartyMatch("МБОУ")]
    assert [m.id for m in match_parties("СООО", DIRECTORY)] == [None]


@pytest.mark.parametrize(
    "spelling",
    [
        "МБОУ СОШ №5",
        "МБОУ СОШ N 5",
        "мбоу сош № 5",
        "МБОУ «СОШ № 5»",
        "MБOУ COШ №5",
        "Средней школы № 5",
        "средней школе №5",
    ],
)
def test_spellings_of_one_school(spelling):
    assert [m.id for m in match_parties(spelling, DIRECTORY)] == [SCHOOL5]


@pytest.mark.parametrize(
    "spelling",
    [
        "ОО МО г. Краснодар",
        "ОО МО г.Краснодар",
        "ОО МО г. Краснодара",
        "ОО МО города Краснодара",
        "оо мо  г. краснодаре",
    ],
)
def test_spellings_of_a_group(spelling):
    assert [m.id for m in match_parties(spelling, DIRECTORY)] == [SCHOOLS]


def test_declined_full_name():
    text = "Департаменту образования администрации муниципального образования город Краснодар"
    assert [m.id for m in match_parties(text, DIRECTORY)] == [DEPARTMENT]
    assert [m.id for m in match_parties("общеобразовательных организаций", DIRECTORY)] == [SCHOOLS]


def test_separators():
    text = "МКУ КНМЦ; ОО\nСПО и ВО / предприятия - партнеры"
    assert [m.id for m in match_parties(text, DIRECTORY)] == [KNMC, SCHOOLS, COLLEGES, UNIVERSITIES, PARTNERS]


def test_a_name_containing_and():
    directory = Directory([DirectoryEntry("organization", 7, ["Управление образования и науки"])])
    (match,) = match_parties("Управлению образования и науки, ОО", directory)[:1]
    assert match.id == 7


def test_legal_form_before_a_short_name_and_place_after_it():
    matches = match_parties("МКУ КНМЦ г. Краснодара", Directory([DirectoryEntry("organization", 1, ["КНМЦ"])]))
    assert [(m.text, m.id) for m in matches] == [("МКУ КНМЦ г. Краснодара", 1)]


def test_a_party_matched_twice_is_reported_once():
    assert [m.id for m in match_parties("ОО, ОО МО г. Краснодар", DIRECTORY)] == [SCHOOLS]


def test_noise_is_dropped():
    assert split_parties("МКУ КНМЦ (по согласованию)") == ["МКУ КНМЦ"]


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("МБОУ СОШ № 5 МБОУ СОШ №7", ["МБОУ СОШ № 5", "МБОУ СОШ №7"]),
        ("МКУ КНМЦ ОО МО г. Краснодар", ["МКУ КНМЦ", "ОО МО г. Краснодар"]),
        ("ОО ВО", ["ОО ВО"]),
        ("Администрация МО г. Краснодар", ["Администрация МО г. Краснодар"]),
        ("ДОУ, УДО", ["ДОУ", "УДО"]),
    ],
)
def test_split_without_separators(text, parties):
    assert split_parties(text) == parties


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("г.Краснодар", "г. Краснодар"),
        ("г. Краснодара", "г. Краснодар"),
        ("Краснодаре", "Краснодару"),
        ("ЁЛКА", "елка"),
        ("«Кванториум»", '"Кванториум"'),
        ("№ 5", "N5"),
        ("предприятия-партнеры", "предприятия партнёры"),
        ("МКУ  КНМЦ", "мку кнмц"),
        ("MKУ KHMЦ", "МКУ КНМЦ"),
        ("город Краснодар", "г. Краснодар"),
        ("муниципального образования", "МО"),
    ],
)
def test_normalize_party_equal(a, b):
    assert normalize_party(a) == normalize_party(b)


@pytest.mark.parametrize(("a", "b"), [("ОО", "МБОУ"), ("СОШ № 5", "СОШ № 50"), ("ВО", "ДО"), ("IT-куб", "ИТ-куб")])
def test_normalize_party_different(a, b):
    assert normalize_party(a) != normalize_party(b)


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        # people one after another without separators: never split at an initial «И.»
        ("И.И. Иванов А.П. Петрова", ["И.И. Иванов", "А.П. Петрова"]),
        ("А.И. Сидоров И.В. Кузнецова Е.И. Смирнов", ["А.И. Сидоров", "И.В. Кузнецова", "Е.И. Смирнов"]),
        # surname first: the last initial keeps its full stop, at the end of the cell too
        ("Иванова И.А., Петров И.П.", ["Иванова И.А.", "Петров И.П."]),
        ("Петрова И.", ["Петрова И."]),
        ("Иванов-Петров А.А. и Сидорова Е.Е.", ["Иванов-Петров А.А.", "Сидорова Е.Е."]),
        # a body and a person: «Краснодара И.П.» is not a surname with initials
        ("ОО МО г. Краснодара И.П. Иванов", ["ОО МО г. Краснодара", "И.П. Иванов"]),
        # no people: the conjunction still separates
        ("МКУ КНМЦ и ОО", ["МКУ КНМЦ", "ОО"]),
    ],
)
def test_people_with_initials_are_whole_parties(text, parties):
    assert split_parties(text) == parties

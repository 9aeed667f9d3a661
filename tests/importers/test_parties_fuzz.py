"""The responsible-party splitter and matcher under fuzzing: no exception, nothing dropped silently."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.importers import Directory, DirectoryEntry, match_parties, normalize_party, split_parties

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DIRECTORY = Directory(
    [
        DirectoryEntry("organization", 1, ["МКУ КНМЦ", "КНМЦ", "Краснодарский научно-методический центр"]),
        DirectoryEntry("organization", 2, ["ДО АМУ г.Краснодар", "департамент образования"]),
        DirectoryEntry("group", 3, ["ОО МО г. Краснодар", "ОО", "общеобразовательные организации"]),
        DirectoryEntry("group", 4, ["СПО", "ПОО"]),
        DirectoryEntry("group", 5, ["ВО", "ОО ВО", "вузы"]),
        DirectoryEntry("organization", 6, ["МБОУ СОШ № 5", "СОШ № 5"]),
        DirectoryEntry("organization", 7, ["", " ", ",", "№"]),  # junk names must not break matching
    ]
)
PIECES = [
    "МКУ КНМЦ", "КНМЦ", "ДО АМУ г.Краснодар", "ДО АМУ г. Краснодара", "ОО МО г. Краснодара", "ОО", "СПО",
    "ВО", "ОО ВО", "вузы", "предприятия-партнеры", "МБОУ СОШ № 5", "СОШ №5", "ООО Ромашка", "и", ",", "/",
    ";", "\n", "(по согласованию)", "др.", "совместно с", "№", "г.", "МО", "  ", "«", "»", "-", "ё",
]  # fmt: skip
cells = st.lists(st.sampled_from(PIECES), max_size=10).map(" ".join)
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@FUZZ
@given(st.one_of(cells, st.text(max_size=300)))
def test_split_never_raises_and_keeps_text(text):
    parts = split_parties(text)
    assert all(isinstance(part, str) and part.strip() and part in text for part in parts)
    assert isinstance(normalize_party(text), str)


@FUZZ
@given(st.one_of(cells, st.text(max_size=300)))
def test_match_never_raises_and_flags_instead_of_dropping(text):
    matches = match_parties(text, DIRECTORY)
    for match in matches:
        assert match.text.strip() and match.text in text
        assert (match.kind is None) == (match.id is None)
        if match.is_matched:
            assert match.id in {1, 2, 3, 4, 5, 6}
    ids = [m.id for m in matches if m.is_matched]
    assert len(ids) == len(set(ids)), "a party matched twice is reported once"


@FUZZ
@given(
    st.lists(st.sampled_from(["МКУ КНМЦ", "ДО АМУ г.Краснодар", "ОО МО г. Краснодара", "СПО"]), min_size=1, max_size=4)
)
def test_known_parties_are_all_found_whatever_the_separator(names):
    for separator in (", ", " / ", " и ", "\n", " "):
        found = {m.id for m in match_parties(separator.join(names), DIRECTORY)}
        expected = {
            1 if n == "МКУ КНМЦ" else 2 if n.startswith("ДО") else 3 if n.startswith("ОО") else 4 for n in names
        }
        assert found >= expected, (separator, names, found)


@FUZZ
@given(cells)
def test_unknown_body_is_flagged_not_dropped(cell):
    text = f"{cell}, ООО Ромашка" if cell.strip() else "ООО Ромашка"
    matches = match_parties(text, DIRECTORY)
    assert any(not m.is_matched and "Ромашка" in m.text for m in matches), matches

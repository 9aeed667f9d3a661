"""The contingent form: students in each grade 1–11, or of a whole level (НОО, ООО, СОО) when
its grades are not known (roadmap.contingent)."""

from __future__ import annotations

from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

from roadmap.contingent import GRADES, LEVELS
from roadmap.directory.service import MAX_STUDENTS_IN_GRADE, MAX_STUDENTS_IN_LEVEL
from roadmap.web.forms import RussianForm

# Field names in ASCII: НОО → level_noo.
_LEVEL_FIELDS = {"НОО": "level_noo", "ООО": "level_ooo", "СОО": "level_soo"}


def grade_field(grade: int) -> str:
    return f"grade_{grade}"


def level_field(code: str) -> str:
    return _LEVEL_FIELDS[code]


class ContingentForm(RussianForm):
    submit = SubmitField("Сохранить")

    def grades(self) -> dict[int, int | None]:
        return {grade: self[grade_field(grade)].data for grade in GRADES}

    def levels(self) -> dict[str, int | None]:
        return {level.code: self[level_field(level.code)].data for level in LEVELS}

    def fill(self, organization) -> None:
        """The organization's figures as kept, for the first view of the page."""
        for count in organization.grades:
            self[grade_field(count.grade)].data = count.students
        for count in organization.levels:
            self[level_field(count.level)].data = count.students


for _grade in GRADES:
    setattr(
        ContingentForm,
        grade_field(_grade),
        IntegerField(
            f"{_grade} класс",
            validators=[Optional(), NumberRange(min=0, max=MAX_STUDENTS_IN_GRADE, message="От 0 до 10 000.")],
        ),
    )
for _level in LEVELS:
    setattr(
        ContingentForm,
        level_field(_level.code),
        IntegerField(
            f"Всего {_level.code}, если по классам неизвестно",
            validators=[Optional(), NumberRange(min=0, max=MAX_STUDENTS_IN_LEVEL, message="От 0 до 50 000.")],
        ),
    )

"""The contingent form: students in each grade 1–11 (roadmap.contingent)."""

from __future__ import annotations

from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

from roadmap.contingent import GRADES
from roadmap.directory.service import MAX_STUDENTS_IN_GRADE
from roadmap.web.forms import RussianForm


def grade_field(grade: int) -> str:
    return f"grade_{grade}"


class ContingentForm(RussianForm):
    submit = SubmitField("Сохранить")

    def grades(self) -> dict[int, int | None]:
        return {grade: self[grade_field(grade)].data for grade in GRADES}


for _grade in GRADES:
    setattr(
        ContingentForm,
        grade_field(_grade),
        IntegerField(
            f"{_grade} класс",
            validators=[Optional(), NumberRange(min=0, max=MAX_STUDENTS_IN_GRADE, message="От 0 до 10 000.")],
        ),
    )

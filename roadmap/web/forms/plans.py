from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from roadmap.schedule import ShiftRule, YearType
from roadmap.web.forms import RussianForm

YEAR_TYPES = [("", "определить по названию")] + [(kind.value, kind.label) for kind in YearType]
SHIFTS = [(rule.value, rule.label) for rule in ShiftRule]


class ImportRoadmapForm(RussianForm):
    file = FileField("Файл дорожной карты (DOCX, XLSX, CSV)")
    text = TextAreaField("…или вставьте таблицу, скопированную из Word", validators=[Optional()])
    period_start = DateField("Начало периода", validators=[Optional()])
    period_end = DateField("Конец периода", validators=[Optional()])
    year_type = SelectField("Тип года", choices=YEAR_TYPES, validators=[Optional()])
    submit = SubmitField("Загрузить и проверить")


class ReimportForm(RussianForm):
    file = FileField("Исправленный документ (DOCX, XLSX, CSV)")
    text = TextAreaField("…или вставьте таблицу", validators=[Optional()])
    submit = SubmitField("Сравнить")


class SettingsForm(RussianForm):
    title = StringField("Название", validators=[DataRequired("Укажите название."), Length(max=2000)])
    period_start = DateField("Начало периода", validators=[DataRequired("Укажите начало периода.")])
    period_end = DateField("Конец периода", validators=[DataRequired("Укажите конец периода.")])
    year_type = SelectField("Тип года", choices=YEAR_TYPES[1:])
    shift_rule = SelectField("Срок, выпавший на выходной, переносится", choices=SHIFTS)
    submit = SubmitField("Сохранить настройки")


class DeadlineForm(RussianForm):
    deadline = StringField("Срок", validators=[Length(max=1000)])
    submit = SubmitField("Применить")


class DatesForm(RussianForm):
    dates = TextAreaField(
        "Даты вручную",
        description="По одной дате или диапазону в строке. Пусто — снять ручные даты.",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Задать даты")


class NoTasksForm(RussianForm):
    reason = StringField("Причина", validators=[Length(max=500)])
    submit = SubmitField("Без задач")


class ResponsibleForm(RussianForm):
    responsible = StringField("Ответственный", validators=[Length(max=2000)])
    submit = SubmitField("Применить")


class MapPartyForm(RussianForm):
    # A name typed or picked from the page's one shared list (a datalist): a select per party
    # would repeat every organization for each unmatched party.
    target = StringField("Это", validators=[Length(max=1000)])
    remember = BooleanField("Запомнить для следующих загрузок", default=True)
    submit = SubmitField("Сопоставить")


class PublishForm(RussianForm):
    """«Опубликовать»; when most deadlines are past, what to do with them (choices from the service)."""

    past = RadioField("Сроки, которые уже прошли", choices=[], default="keep", validators=[Optional()])
    submit = SubmitField("Опубликовать")


class TargetForm(RussianForm):
    """A measure's target (roadmap.plans.targets.set_target); the numbers are checked there."""

    plan_year = StringField("Год", validators=[Length(max=4)])
    kind = StringField("Что считается", validators=[Length(max=20)])
    planned = StringField("Плановое значение", validators=[Length(max=20)])
    grade_from = StringField("С класса", validators=[Length(max=2)])
    grade_to = StringField("По класс", validators=[Length(max=2)])
    submit = SubmitField("Сохранить показатель")

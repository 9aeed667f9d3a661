from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from roadmap.tasks import coverage
from roadmap.tasks.workflow import RETURN_REASONS
from roadmap.web.forms import RussianForm


def _coverage_range(form, field) -> None:
    # Only a parsed number is checked: "1e3" already has its "not a whole number" message.
    if field.data is not None and not 0 <= field.data <= 10_000_000:
        raise ValidationError("Введите целое число от 0 до 10 000 000.")


COVERAGE = [Optional(), _coverage_range]


class ReportForm(RussianForm):
    version = HiddenField()
    held_on = DateField("Дата проведения", validators=[Optional()])
    comment = TextAreaField("Что сделано", validators=[Optional(), Length(max=5000)])
    links = TextAreaField("Ссылки (по одной в строке)", validators=[Optional(), Length(max=3000)])
    files = MultipleFileField("Файлы (PDF, DOC, DOCX, XLS, XLSX, JPG, PNG)")
    confirm_coverage = BooleanField("Цифры охвата проверены, всё верно")
    submit = SubmitField("Отправить отчёт")


# One field per coverage category (roadmap.tasks.coverage), named like the report's columns.
for _category in coverage.CATEGORIES:
    setattr(ReportForm, coverage.column(_category.name), IntegerField(_category.form_label, validators=COVERAGE))


class NotApplicableForm(RussianForm):
    version = HiddenField()
    reason = TextAreaField("Причина", validators=[DataRequired("Укажите причину."), Length(max=2000)])
    submit = SubmitField("Отметить «не применимо»")


class ReviewForm(RussianForm):
    version = HiddenField()
    reason = SelectField(
        "Причина возврата", choices=[("", "— выберите —")] + list(RETURN_REASONS.items()), validators=[Optional()]
    )
    comment = TextAreaField("Комментарий", validators=[Optional(), Length(max=2000)])
    accept = SubmitField("Принять")
    send_back = SubmitField("Вернуть на доработку")

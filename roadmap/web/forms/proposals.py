from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from roadmap.tasks.dates import example_dates
from roadmap.web.forms import RussianForm

CORRECTABLE = " Можно исправить перед подтверждением."


def dates_help(period_start=None, period_end=None) -> str:
    """The dates field's hint, its example inside the roadmap's period."""
    return f"По одной дате или диапазону в строке: {example_dates(period_start, period_end)}."


class ProposeDatesForm(RussianForm):
    dates = TextAreaField(
        "Когда вы проведёте мероприятие",
        description=dates_help(),  # the view puts the roadmap's period in
        validators=[DataRequired("Укажите хотя бы одну дату."), Length(max=3000)],
    )
    comment = TextAreaField("Комментарий для координатора", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Отправить координатору")


class DecideProposalForm(RussianForm):
    dates = TextAreaField(
        "Даты",
        description=dates_help() + CORRECTABLE,  # the view puts the roadmap's period in
        validators=[Optional(), Length(max=3000)],
    )
    comment = TextAreaField("Комментарий (при отклонении обязателен)", validators=[Optional(), Length(max=2000)])
    confirm = SubmitField("Подтвердить даты")
    reject = SubmitField("Отклонить")


class BulkDecisionForm(RussianForm):
    comment = TextAreaField("Комментарий (при отклонении обязателен)", validators=[Optional(), Length(max=2000)])
    confirm = SubmitField("Подтвердить отмеченные")
    reject = SubmitField("Отклонить отмеченные")

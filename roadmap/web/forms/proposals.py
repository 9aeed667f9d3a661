from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from roadmap.web.forms import RussianForm

DATES_HELP = "По одной дате или диапазону в строке: «15.10.2026» или «12.10.2026 – 16.10.2026»."


class ProposeDatesForm(RussianForm):
    dates = TextAreaField(
        "Когда вы проведёте мероприятие",
        description=DATES_HELP,
        validators=[DataRequired("Укажите хотя бы одну дату."), Length(max=3000)],
    )
    comment = TextAreaField("Комментарий для координатора", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Отправить координатору")


class DecideProposalForm(RussianForm):
    dates = TextAreaField(
        "Даты",
        description=DATES_HELP + " Можно исправить перед подтверждением.",
        validators=[Optional(), Length(max=3000)],
    )
    comment = TextAreaField("Комментарий (при отклонении обязателен)", validators=[Optional(), Length(max=2000)])
    confirm = SubmitField("Подтвердить даты")
    reject = SubmitField("Отклонить")


class BulkDecisionForm(RussianForm):
    comment = TextAreaField("Комментарий (при отклонении обязателен)", validators=[Optional(), Length(max=2000)])
    confirm = SubmitField("Подтвердить отмеченные")
    reject = SubmitField("Отклонить отмеченные")

"""Forms of the analysis pages: conclusions, the order draft, the predecessor roadmap."""

from wtforms import DateField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from roadmap.reports.conclusions import MAX_LENGTH
from roadmap.web.forms import RussianForm


class InstructionForm(RussianForm):
    """One point of the order, repeated in OrderForm's list: the order's own token covers it."""

    class Meta:
        csrf = False

    body = StringField("Кому", validators=[Length(max=500, message="Не длиннее 500 знаков.")])
    text = TextAreaField(
        "Что поручить (по одному поручению в строке)",
        validators=[Length(max=5000, message="Не длиннее 5000 знаков.")],
        render_kw={"rows": 4},
    )


class OrderForm(RussianForm):
    authority = StringField("Орган, издающий приказ", validators=[Length(max=500)])
    city = StringField("Место издания", validators=[Length(max=200)])
    order_date = DateField("Дата приказа", validators=[Optional()], description="Пусто — дата вписывается от руки.")
    number = StringField("Номер", validators=[Length(max=30, message="Номер — не длиннее 30 знаков.")])
    title = TextAreaField("Заголовок", validators=[Length(max=1000)])
    preamble = TextAreaField("Вводная часть", validators=[Length(max=MAX_LENGTH)])
    results = TextAreaField("Итоги мониторинга (по абзацу в строке)", validators=[Length(max=MAX_LENGTH)])
    instructions = FieldList(FormField(InstructionForm), min_entries=0, max_entries=40)
    signer_position = StringField("Должность подписывающего", validators=[Length(max=200)])
    signer_name = StringField("Инициалы и фамилия", validators=[Length(max=200)])
    download = SubmitField("Скачать проект приказа (DOCX)")
    add = SubmitField("Добавить пункт")


class PredecessorForm(RussianForm):
    predecessor = SelectField("Предыдущая дорожная карта (для сравнения по годам)", coerce=str, validate_choice=False)
    submit = SubmitField("Сохранить")

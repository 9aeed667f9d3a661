from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from roadmap.web.forms import RussianForm


class FanOutForm(RussianForm):
    roadmap = SelectField("Куда добавить мероприятие", coerce=int, validate_choice=True)
    responsible = StringField(
        "Кому в муниципалитете",
        validators=[DataRequired("Укажите, кому в муниципалитете передать мероприятие."), Length(max=2000)],
        description="Как в графе «Ответственный»: «Школы муниципалитета …», номера школ, ДОУ и т. п.",
    )
    submit = SubmitField("Передать в организации муниципалитета")


class LinkForm(RussianForm):
    # The service refuses a measure that may not be linked, with its reason (validate_choice off).
    measure = SelectField(
        "Мероприятие своей дорожной карты",
        coerce=int,
        validate_choice=False,
        description="Если мероприятие уже есть в карте муниципалитета: его итоги войдут в отчёт региона.",
    )
    submit = SubmitField("Связать с мероприятием региона")

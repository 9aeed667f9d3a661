from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from roadmap.web.forms import RussianForm


class LoginForm(RussianForm):
    login = StringField("Логин", validators=[DataRequired("Введите логин."), Length(max=100)])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
    remember = BooleanField("Запомнить меня на этом устройстве")
    submit = SubmitField("Войти")


class ChangePasswordForm(RussianForm):
    current = PasswordField("Текущий пароль", validators=[DataRequired("Введите текущий пароль.")])
    new = PasswordField("Новый пароль", validators=[DataRequired("Введите новый пароль.")])
    repeat = PasswordField(
        "Новый пароль ещё раз",
        validators=[DataRequired("Повторите новый пароль."), EqualTo("new", "Пароли не совпадают.")],
    )
    submit = SubmitField("Сменить пароль")

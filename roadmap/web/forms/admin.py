from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from roadmap.models import OrgKind, Role
from roadmap.web.forms import RussianForm


class OrganizationForm(RussianForm):
    full_name = StringField(
        "Полное наименование", validators=[DataRequired("Укажите полное наименование."), Length(max=500)]
    )
    short_name = StringField(
        "Краткое наименование", validators=[DataRequired("Укажите краткое наименование."), Length(max=200)]
    )
    kind = SelectField("Тип", choices=[(k.value, k.label) for k in OrgKind], default=OrgKind.SCHOOL.value)
    municipality_name = StringField(
        "Муниципалитет",
        validators=[Optional(), Length(max=200)],
        description="Пусто — организация самого региона (министерство, региональные колледжи и вузы). "
        "Новое название добавит муниципалитет в справочник.",
    )
    student_count = IntegerField("Число обучающихся", validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    is_active = BooleanField("Действует", default=True)
    submit = SubmitField("Сохранить")


class UserForm(RussianForm):
    login = StringField("Логин", validators=[DataRequired("Укажите логин."), Length(max=100)])
    full_name = StringField("ФИО", validators=[DataRequired("Укажите ФИО."), Length(max=300)])
    email = EmailField("Эл. почта", validators=[Optional(), Length(max=254)])
    # Most accounts are for schools and colleges; an administrator is never created by default.
    role = SelectField("Роль", choices=[(r.value, r.label) for r in Role], default=Role.EXECUTOR.value)
    organization_id = SelectField("Организация", coerce=int, choices=[])
    municipality_id = SelectField(
        "Территория",
        coerce=int,
        choices=[],
        description="Для координатора и наблюдателя: муниципалитет, дорожные карты и организации которого "
        "они видят. «Весь регион» — региональный координатор или наблюдатель.",
    )
    password = PasswordField(
        "Пароль",
        validators=[Optional()],
        description="Не короче 8 символов, буквы и цифры. При редактировании оставьте пустым, чтобы не менять.",
    )
    is_active = BooleanField("Учётная запись активна", default=True)
    submit = SubmitField("Сохранить")

    def fill(self, user) -> None:
        """The account as kept, for the first view of its page (0: none, the whole region)."""
        self.role.data = user.role.value
        self.organization_id.data = user.organization_id or 0
        self.municipality_id.data = user.municipality_id or 0
        self.is_active.data = user.is_active_account

    def validate_email(self, field) -> None:
        from roadmap.accounts.service import email_problem

        if field.data and (problem := email_problem(field.data.strip())):
            raise ValidationError(problem)


class ImportForm(RussianForm):
    file = FileField("Файл CSV или XLSX", validators=[FileRequired("Выберите файл.")])
    submit = SubmitField("Загрузить")


class ConfirmForm(RussianForm):
    """An empty form that carries the CSRF token for POST buttons."""

    submit = SubmitField("Подтвердить")

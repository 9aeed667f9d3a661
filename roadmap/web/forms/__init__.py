"""Forms of the web pages. Their built-in messages ("Not a valid integer value.") come in Russian."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.i18n import get_translations

from roadmap.singleline import CONTROL_MESSAGE, has_control


class RussianForm(FlaskForm):
    """A FlaskForm whose WTForms messages are Russian, without Flask-Babel.

    Every one-line text field (StringField and its kin, not a text area or a password) refuses
    control characters: one rule for all forms instead of a validator on each field."""

    class Meta:
        def get_translations(self, form):
            return get_translations(["ru"])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if is_single_line(field) and isinstance(field.data, str) and has_control(field.data):
                field.errors = [*field.errors, CONTROL_MESSAGE]
                valid = False
        return valid


def is_single_line(field) -> bool:
    return isinstance(field, StringField) and not isinstance(field, TextAreaField | PasswordField)

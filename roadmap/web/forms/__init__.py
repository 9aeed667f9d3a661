"""Forms of the web pages. Their built-in messages ("Not a valid integer value.") come in Russian."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.i18n import get_translations


class RussianForm(FlaskForm):
    """A FlaskForm whose WTForms messages are Russian, without Flask-Babel."""

    class Meta:
        def get_translations(self, form):
            return get_translations(["ru"])

"""Every form of the web pages derives from the one Russian base form, and says what is wrong
in Russian whatever is typed into it."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms import fields

import roadmap.web
from roadmap.web.forms import RussianForm

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _form_classes() -> list[type]:
    for info in pkgutil.walk_packages(roadmap.web.__path__, "roadmap.web."):
        importlib.import_module(info.name)
    found, todo = set(), [wtforms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return sorted(
        (cls for cls in found if cls.__module__.startswith("roadmap.") and cls is not RussianForm),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


FORMS = _form_classes()


def test_the_web_has_forms_and_all_derive_from_the_russian_form():
    assert len(FORMS) >= 15, [cls.__name__ for cls in FORMS]
    strays = [f"{cls.__module__}.{cls.__qualname__}" for cls in FORMS if not issubclass(cls, RussianForm)]
    assert not strays, f"derive these from roadmap.web.forms.RussianForm: {strays}"


def _invalid(field) -> str | None:
    """A value the field must refuse, by its type; None where any value is acceptable."""
    if isinstance(field, fields.IntegerField | fields.DecimalField | fields.FloatField):
        return "двенадцать"
    if isinstance(field, fields.DateField):
        return "31.02.2024"
    if isinstance(field, fields.SelectField | fields.SelectMultipleField):
        return "нет-такого-варианта"
    if isinstance(field, fields.StringField) and not isinstance(field, fields.HiddenField):
        return "я" * 20_000
    return None


def _messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def _validate(app, cls, data: MultiDict) -> list[str]:
    with app.test_request_context(method="POST", data=data):
        form = cls()
        for field in form:
            if isinstance(field, fields.SelectField | fields.SelectMultipleField) and not field.choices:
                field.choices = [("1", "один")]
        form.validate()
        return _messages(form.errors)


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_validation_messages_are_russian(app, cls):
    with app.test_request_context():
        names = {field.name: _invalid(field) for field in cls()}
    invalid = MultiDict({name: value for name, value in names.items() if value is not None})
    messages = _validate(app, cls, MultiDict()) + _validate(app, cls, invalid)
    english = [m for m in messages if not CYRILLIC.search(m)]
    assert not english, f"{cls.__name__}: {english}"


def test_wtforms_own_messages_come_in_russian(app):
    from roadmap.web.forms.plans import SettingsForm
    from roadmap.web.forms.tasks import ReportForm

    report = _validate(app, ReportForm, MultiDict({"coverage_total": "двенадцать", "held_on": "31.02.2024"}))
    settings = _validate(app, SettingsForm, MultiDict({"title": "я" * 3000, "year_type": "нет"}))
    assert len(report) == 2 and len(settings) >= 4, (report, settings)
    assert all(CYRILLIC.search(m) for m in report + settings), (report, settings)

"""API errors as RFC 9457 problem details (application/problem+json), in Russian, never a trace.

Every error raised under /api/ — an abort, a validation failure, a refused action, a route that
does not exist, a crash — leaves through `problem_response`; pages keep their own error pages.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

API_PREFIX = "/api/"
PROBLEM_TYPE = "about:blank"
PROBLEM_JSON = "application/problem+json"

# The titles of the statuses the API answers with, in Russian.
TITLES = {
    400: "Неверный запрос",
    401: "Нужен ключ API",
    403: "Недостаточно прав",
    404: "Не найдено",
    405: "Метод не поддерживается",
    406: "Формат ответа не поддерживается",
    409: "Конфликт изменений",
    413: "Слишком большой запрос",
    415: "Неподдерживаемый формат тела запроса",
    422: "Запрос не выполнен",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка",
    503: "Сервис занят, повторите запрос",
}
DETAILS = {
    400: "Запрос составлен неверно.",
    401: "Передайте ключ API в заголовке «Authorization: Bearer <ключ>».",
    403: "Недостаточно прав для этого действия.",
    404: "Такого адреса или объекта нет (или он вам недоступен).",
    405: "Этот метод для этого адреса не поддерживается.",
    406: "Ответ бывает только в формате JSON.",
    413: "Запрос слишком большой.",
    415: "Тело запроса должно быть JSON или multipart/form-data.",
    429: "Слишком много запросов с этим ключом. Подождите минуту и повторите.",
    500: "Внутренняя ошибка. Мы уже знаем о ней; попробуйте позже.",
}

# marshmallow's and webargs' own messages, said in Russian.
FIELD_MESSAGES = {
    "Missing data for required field.": "Обязательное поле.",
    "Unknown field.": "Неизвестное поле.",
    "Not a valid integer.": "Нужно целое число.",
    "Not a valid string.": "Нужна строка.",
    "Not a valid boolean.": "Нужно true или false.",
    "Not a valid date.": "Нужна дата в формате ГГГГ-ММ-ДД.",
    "Not a valid datetime.": "Нужны дата и время в формате ISO 8601.",
    "Not a valid list.": "Нужен список.",
    "Not a valid mapping type.": "Нужен объект.",
    "Invalid input type.": "Неверный тип значения.",
    "Field may not be null.": "Значение не может быть пустым (null).",
    "Invalid value.": "Недопустимое значение.",
    "Invalid input.": "Недопустимое значение.",
    "Not a valid number.": "Нужно число.",
    "Number too large.": "Слишком большое число.",
    "Not a valid email address.": "Неверный адрес электронной почты.",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _russian(message: str) -> str:
    if message in FIELD_MESSAGES:
        return FIELD_MESSAGES[message]
    for start, russian in (
        ("Must be one of:", "Допустимые значения: " + message.partition(":")[2].strip()),
        ("Must be greater than or equal to", "Значение меньше допустимого: не меньше" + message.rpartition("to")[2]),
        ("Must be less than or equal to", "Значение больше допустимого: не больше" + message.rpartition("to")[2]),
        ("Must be greater than", "Значение меньше допустимого."),
        ("Must be less than", "Значение больше допустимого."),
        ("Longer than maximum length", "Слишком длинное значение: не больше" + message.rpartition("length")[2]),
        ("Shorter than minimum length", "Слишком короткое значение: не меньше" + message.rpartition("length")[2]),
        ("Length must be between", "Недопустимая длина значения."),
    ):
        if message.startswith(start):
            return russian.rstrip(".") + "."
    if any("а" <= ch <= "я" or "А" <= ch <= "Я" for ch in message):
        return message  # already ours
    return "Недопустимое значение."


def flatten_errors(messages: Any, path: str = "") -> list[dict[str, str]]:
    """marshmallow's nested {location: {field: [messages]}} as [{field, detail}] in Russian."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if not path and name in ("json", "query", "form", "files", "headers", "path", "view_args", "json_or_form"):
                out += flatten_errors(value, "")
            else:
                out += flatten_errors(value, f"{path}.{name}" if path else name)
    elif isinstance(messages, list | tuple):
        if all(isinstance(item, str) for item in messages):
            for item in messages:
                out.append({"field": path or "body", "detail": _russian(item)})
        else:
            for item in messages:
                out += flatten_errors(item, path)
    else:
        out.append({"field": path or "body", "detail": _russian(str(messages))})
    return out


def problem(status: int, detail: str | None = None, *, field: str | None = None, errors=None, headers=None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": TITLES.get(status, "Ошибка"),
        "status": status,
        "detail": detail or DETAILS.get(status, "Запрос не выполнен."),
        "instance": request.path,
    }
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
        body.setdefault("field", errors[0]["field"])
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="roadmap"')
    for name, value in headers.items():
        response.headers[name] = value
    return response


def problem_response(error: Exception) -> Response:
    """The problem for any error raised while answering an API request."""
    if not isinstance(error, HTTPException):
        current_app.logger.exception("API request failed: %s %s", request.method, request.path)
        error = InternalServerError()
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers.setdefault("Allow", ", ".join(error.valid_methods))
    messages = data.get("messages") or data.get("errors")
    if messages:
        errors = flatten_errors(messages)
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors)[:1000]
        return problem(
            400 if status in (400, 422) else status,
            f"Проверьте поля запроса — {detail}",
            errors=errors,
            headers=headers,
        )
    detail = data.get("message")
    if detail is None and status not in DETAILS and error.description:
        detail = error.description
    return problem(status, detail, field=data.get("field"), headers=headers)

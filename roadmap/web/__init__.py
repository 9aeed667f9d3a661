"""Blueprints: one per web area, each defined in its routes module."""

from __future__ import annotations

from functools import wraps

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


def register_blueprints(app: Flask) -> None:
    from roadmap.web import (
        account,
        admin,
        analysis,
        auth,
        cascade,
        contingent,
        feeds,
        main,
        ops,
        plans,
        proposals,
        region,
        reports,
        tasks,
    )

    blueprints = (
        auth,
        main,
        admin,
        plans,
        tasks,
        feeds,
        reports,
        analysis,
        account,
        ops,
        proposals,
        contingent,
        region,
        cascade,
    )
    for module in blueprints:
        app.register_blueprint(module.bp)

    from roadmap.russian import agree, plural, quoted, truncate
    from roadmap.tasks import coverage
    from roadmap.tasks.dates import format_date_lines, stored_ranges

    # The coverage categories (roadmap.tasks.coverage) for the report form and report pages.
    app.jinja_env.globals["coverage"] = coverage

    @app.template_filter("plural")
    def plural_filter(n: int, one: str, few: str, many: str) -> str:
        """{{ n|plural('задача', 'задачи', 'задач') }}: the Russian form for the number."""
        return plural(n, one, few, many)

    @app.template_filter("shorten")
    def shorten_filter(text: str | None, limit: int) -> str:
        """{{ title|shorten(80) }}: cut at a word, ending with «…» (roadmap.russian.truncate)."""
        return truncate(text, limit)

    @app.template_filter("quoted")
    def quoted_filter(text: str | None) -> str:
        """{{ comment|quoted }}: «text» ending a sentence, one period at most (roadmap.russian.quoted)."""
        return quoted(text)

    @app.template_filter("agree")
    def agree_filter(phrase: str | None, masculine: str, feminine: str, neuter: str, plural_form: str) -> str:
        """{{ name|agree('сопоставлен', 'сопоставлена', 'сопоставлено', 'сопоставлены') }}."""
        return agree(phrase, masculine, feminine, neuter, plural_form)

    @app.template_filter("date_lines")
    def date_lines_filter(stored: list[dict[str, str]] | None) -> str:
        """Stored date ranges as the date fields expect them typed, one per line."""
        return format_date_lines(stored_ranges(stored))

    @app.context_processor
    def navigation():
        return {"nav_endpoints": nav_items}

    install_error_pages(app)


def install_error_pages(app: Flask) -> None:
    """The error pages of the site; under /api/ the same errors leave as problem details."""
    from roadmap.api.problems import is_api_request, problem_response

    def errorhandler(code_or_exception):
        def decorator(page):
            @wraps(page)
            def handler(error):
                return problem_response(error) if is_api_request() else page(error)

            app.register_error_handler(code_or_exception, handler)
            return handler

        return decorator

    @errorhandler(HTTPException)
    def other_http_error(error):
        return error  # Werkzeug's own answer, as before

    @errorhandler(400)
    def bad_request(error):
        return render_template(
            "errors/error.html", code=400, message=getattr(error, "description", "Неверный запрос.")
        ), 400

    @errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", code=403, message="Недостаточно прав для этой страницы."), 403

    @errorhandler(404)
    def not_found(error):
        return render_template("errors/error.html", code=404, message="Страница не найдена."), 404

    @errorhandler(413)
    def too_large(error):
        if request.endpoint == "tasks.submit":  # the report form says it beside its file field
            from roadmap.web.tasks import report_too_large

            return report_too_large()
        limit = app.config["MAX_UPLOAD_MB"]
        return render_template(
            "errors/error.html", code=413, message=f"Файл слишком большой: не более {limit} МБ."
        ), 413

    @errorhandler(429)
    def too_many(error):
        return render_template(
            "errors/error.html", code=429, message="Слишком много попыток. Подождите минуту и попробуйте снова."
        ), 429

    @errorhandler(500)
    def server_error(error):
        return render_template(
            "errors/error.html", code=500, message="Внутренняя ошибка. Мы уже знаем о ней; попробуйте позже."
        ), 500

    from flask_wtf.csrf import CSRFError

    @errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "errors/error.html",
            code=400,
            message="Форма устарела или отправлена не с этой страницы. Обновите страницу и повторите.",
        ), 400


# (endpoint, label, roles that see it)
NAV = [
    ("tasks.my", "Мои задачи", {"executor"}),
    ("reports.my_reports", "Мои отчёты", {"executor"}),
    ("plans.index", "Дорожные карты", {"coordinator", "observer", "admin"}),
    ("tasks.review_queue", "На проверке", {"coordinator"}),
    ("proposals.index", "Предложенные даты", {"coordinator", "observer"}),
    ("cascade.index", "Каскад", {"coordinator", "observer"}),
    ("contingent.mine", "Контингент", {"executor"}),
    ("feeds.subscriptions", "Календарь", {"coordinator", "executor", "observer"}),
    ("tasks.notices", "Уведомления", {"coordinator", "executor", "observer"}),
    ("admin.organizations", "Администрирование", {"admin"}),
]


def nav_items() -> list[tuple[str, str]]:
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    role = current_user.role.value
    return [(endpoint, label) for endpoint, label, roles in NAV if role in roles]

"""The REST API, /api/v1/: JSON for regional information systems and the schools' own tools.

flask-smorest (marshmallow schemas, apispec) generates the OpenAPI 3.1 document from the code at
/api/v1/openapi.json, and the reference page at /api/v1/docs is rendered from that document by
the app itself. Every request carries a personal token (Authorization: Bearer) and acts with its
user's rights through the same services and access rules as the pages.
"""

from __future__ import annotations

import hashlib
import http

import flask_smorest
from apispec import BasePlugin
from flask import Flask, g, request
from flask_smorest import Api
from webargs.flaskparser import FlaskParser

from roadmap.api.problems import PROBLEM_JSON, is_api_request, problem, problem_response

API_VERSION = "v1"
URL_PREFIX = f"/api/{API_VERSION}"
RATE_LIMIT_DEFAULT = "600 per minute"
MAX_PAGE_SIZE = 200
# The schemes the reference page and the document list; only this one is used.
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "description": "Персональный ключ API"}}


class StrictParser(FlaskParser):
    """Unknown query parameters are refused (400) like unknown body fields: the schemas say
    RAISE, and webargs would otherwise drop a misspelt filter silently and answer everything."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, reading arguments strictly."""

    ARGUMENTS_PARSER = StrictParser()


class OperationIds(BasePlugin):
    """Every operation gets an operationId — its view's name — which client generators name
    their methods after (flask-smorest gives none)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view = rule.endpoint.rsplit(".", 1)[-1]
        for method, operation in operations.items():
            operation.setdefault("operationId", view if len(operations) == 1 else f"{view}_{method}")


class RoadmapApi(Api):
    """flask-smorest's Api without its app-wide JSON error handler: pages keep their HTML error
    pages, and API errors leave as problem+json (roadmap.api.problems)."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        """The documented error responses are problem details (application/problem+json)."""
        from flask_smorest.utils import prepare_response

        from roadmap.api.schemas import ProblemSchema

        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemSchema
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Ошибка: подробности в поле detail", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def _token_key() -> str:
    """Rate limits count per token (its hash), or per address without one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "api-address:" + (request.remote_addr or "?")


def init_api(app: Flask) -> RoadmapApi:
    """The API of `app`: its own OpenAPI document (app.extensions["roadmap_api"]) and routes."""
    from roadmap.api import docs, resources

    app.config.setdefault("API_TITLE", "Дорожная карта: API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", URL_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", RATE_LIMIT_DEFAULT)
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Дорожные карты, мероприятия, задачи организаций, отчёты и их проверка, "
                "показатели мониторинга. Ключ API создаётся на странице «Ключи API» или командой "
                "`flask --app wsgi api token --user LOGIN`.",
            },
            "servers": [{"url": "/", "description": "это приложение"}],
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "security": [{"bearer": []}],
        },
    )
    app.json.ensure_ascii = False  # Russian as Russian, in the API's answers too
    api = RoadmapApi(app, spec_kwargs={"extra_plugins": [OperationIds()]})
    app.extensions["roadmap_api"] = api
    for blueprint in resources.BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.bp)
    return api


def guard(blueprint: Blueprint) -> Blueprint:
    """Every route of `blueprint` asks for a token, counts against its rate limit and needs no
    CSRF token (a bearer token is not sent by a browser on its own). Done once, at import."""
    from flask import current_app

    from roadmap.extensions import csrf, limiter

    csrf.exempt(blueprint)
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_token_key)(blueprint)
    blueprint.before_request(authenticate)
    return blueprint


def authenticate():
    """Every API request names its token; the token's user becomes the request's user."""
    from roadmap.accounts.api_tokens import token_from_header
    from roadmap.extensions import db
    from roadmap.transient import commit_unless_busy

    token = token_from_header(request.headers.get("Authorization"))
    if token is None:
        return problem(401, "Нужен действующий ключ API в заголовке «Authorization: Bearer <ключ>».")
    if token.is_read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
        return problem(403, "Ключ API только для чтения: изменять данные им нельзя.")
    if db.session.is_modified(token):
        commit_unless_busy()  # the last-used time, before the request's own work
    g.api_token = token
    g._login_user = token.user  # Flask-Login's current_user for services, audit and access rules


__all__ = ["MAX_PAGE_SIZE", "URL_PREFIX", "Blueprint", "guard", "init_api", "is_api_request", "problem_response"]

"""The API's reference page, rendered by the app from its own OpenAPI document: no script from
elsewhere, readable with a keyboard and on a phone, in Russian."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict) -> list[dict]:
    """Every operation of the document, by tag, with its parameters, body and answers."""
    result = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            result.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["—"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [*item.get("parameters", []), *operation.get("parameters", [])],
                    "body": [(kind, _schema_name(content.get("schema", {}))) for kind, content in body.items()],
                    "responses": [
                        (
                            code,
                            answer.get("description", "")
                            if "$ref" not in answer
                            else answer["$ref"].rsplit("/", 1)[-1],
                        )
                        for code, answer in operation.get("responses", {}).items()
                    ],
                }
            )
    return result


def _schema_name(schema: dict) -> str:
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")


@bp.route("/docs")
def reference():
    spec = current_app.extensions["roadmap_api"].spec.to_dict()
    tags = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    return render_template(
        "api/docs.html",
        spec=spec,
        tags=tags,
        operations=operations(spec),
        schemas=spec.get("components", {}).get("schemas", {}),
    )

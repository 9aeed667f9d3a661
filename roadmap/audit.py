"""Writing the audit log. The caller commits."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from roadmap.extensions import db
from roadmap.models import AuditEvent, User


def record(
    action: str,
    *,
    user: User | None = None,
    obj: Any = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add an audit event; when called during a request, the user and IP default to the request's."""
    if (user is None or ip is None) and has_request_context():
        if user is None and current_user and current_user.is_authenticated:
            user = current_user._get_current_object()
        if ip is None:
            ip = request.remote_addr
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        details=details,
        ip=ip,
    )
    db.session.add(event)
    return event

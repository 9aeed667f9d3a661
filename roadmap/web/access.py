"""Access rules in one place: who may open which page and see which object."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from roadmap.models import Role


def roles_required(*roles: Role):
    """Only logged-in users with one of `roles` pass; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = roles_required(Role.ADMIN)
coordinator_required = roles_required(Role.COORDINATOR, Role.ADMIN)
staff_required = roles_required(Role.COORDINATOR, Role.ADMIN, Role.OBSERVER)


def roadmap_manager_required(view):
    """Importing, editing, publishing and deleting roadmaps: whoever `can_manage_roadmap` allows
    (the coordinator). The same rule at the door of every such page, so that nobody may start
    what they then may not finish (an admin importing a roadmap it cannot publish)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        from roadmap.tasks.access import can_manage_roadmap

        if not can_manage_roadmap(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped

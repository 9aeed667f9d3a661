"""An API world: two schools with tasks on one published roadmap, a coordinator, an observer,
an admin and a personal token for each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from roadmap.accounts.api_tokens import create_api_token
from roadmap.extensions import db
from roadmap.models import OrgKind, Role, Task


@dataclass
class ApiWorld:
    roadmap: object
    school_a: object
    school_b: object
    users: dict
    tokens: dict
    tasks_a: list
    tasks_b: list

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api_world(make_org, make_user, make_roadmap):
    school_a = make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 1")
    school_b = make_org(kind=OrgKind.SCHOOL, short_name="СОШ № 2")
    roadmap = make_roadmap(
        [("1.1", "Классный час", "сентябрь", [school_a, school_b]), ("1.2", "Семинар", "ежеквартально", [school_a])]
    )
    users = {
        "coordinator": make_user(role=Role.COORDINATOR, login="api-coord"),
        "observer": make_user(role=Role.OBSERVER, login="api-obs"),
        "admin": make_user(role=Role.ADMIN, login="api-admin"),
        "executor_a": make_user(role=Role.EXECUTOR, organization=school_a, login="api-a"),
        "executor_b": make_user(role=Role.EXECUTOR, organization=school_b, login="api-b"),
    }
    tokens = {who: create_api_token(user, f"тест {who}").secret for who, user in users.items()}
    db.session.flush()
    tasks = db.session.query(Task).filter(Task.roadmap_id == roadmap.id).order_by(Task.id).all()
    return ApiWorld(
        roadmap=roadmap,
        school_a=school_a,
        school_b=school_b,
        users=users,
        tokens=tokens,
        tasks_a=[t for t in tasks if t.organization_id == school_a.id],
        tasks_b=[t for t in tasks if t.organization_id == school_b.id],
    )

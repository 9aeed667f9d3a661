"""Typed entities, one module per aggregate. Importing this package registers them all."""

from roadmap.models.audit import AuditEvent
from roadmap.models.base import Base, utcnow
from roadmap.models.organization import Alias, OrgGroup, OrgKind, Organization
from roadmap.models.user import Role, User

__all__ = ["Alias", "AuditEvent", "Base", "OrgGroup", "OrgKind", "Organization", "Role", "User", "utcnow"]

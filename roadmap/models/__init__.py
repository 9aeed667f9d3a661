"""Typed entities, one module per aggregate. Importing this package registers them all."""

from roadmap.models.audit import AuditEvent
from roadmap.models.base import Base, utcnow
from roadmap.models.feed import Subscription
from roadmap.models.organization import Alias, Organization, OrgGroup, OrgKind
from roadmap.models.plan import Measure, MeasureParty, Roadmap, RoadmapStatus, Section
from roadmap.models.proposal import DateProposal, ProposalStatus
from roadmap.models.reminder import ReminderLog, ReminderSetting  # noqa: F401
from roadmap.models.session import LoginThrottle, RevokedSession
from roadmap.models.task import Attachment, Notice, Report, Task, TaskStatus, Transition
from roadmap.models.user import Role, User

__all__ = [
    "Alias",
    "Attachment",
    "AuditEvent",
    "Base",
    "DateProposal",
    "LoginThrottle",
    "Measure",
    "MeasureParty",
    "Notice",
    "OrgGroup",
    "OrgKind",
    "Organization",
    "ProposalStatus",
    "Report",
    "RevokedSession",
    "Role",
    "Roadmap",
    "RoadmapStatus",
    "Section",
    "Subscription",
    "Task",
    "TaskStatus",
    "Transition",
    "User",
    "utcnow",
]

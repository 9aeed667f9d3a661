"""Typed entities, one module per aggregate. Importing this package registers them all."""

from roadmap.models.api_token import ApiToken
from roadmap.models.audit import AuditEvent
from roadmap.models.base import Base, utcnow
from roadmap.models.conclusion import Conclusion
from roadmap.models.feed import Subscription, SubscriptionKind
from roadmap.models.organization import Alias, GradeCount, LevelCount, Organization, OrgGroup, OrgKind
from roadmap.models.plan import Measure, MeasureParty, MeasureTarget, Roadmap, RoadmapStatus, Section
from roadmap.models.proposal import DateProposal, ProposalStatus
from roadmap.models.reminder import ReminderKind, ReminderLog, ReminderSetting  # noqa: F401
from roadmap.models.session import LoginThrottle, RevokedSession
from roadmap.models.task import (
    Attachment,
    FeedChange,
    Notice,
    NoticeKind,
    OccurrenceTally,
    Report,
    ReturnReason,
    Task,
    TaskStatus,
    Transition,
)
from roadmap.models.territory import Municipality, Region
from roadmap.models.user import Role, User

__all__ = [
    "Alias",
    "ApiToken",
    "Attachment",
    "FeedChange",
    "AuditEvent",
    "Base",
    "Conclusion",
    "DateProposal",
    "GradeCount",
    "LevelCount",
    "LoginThrottle",
    "Measure",
    "Municipality",
    "MeasureParty",
    "MeasureTarget",
    "Notice",
    "NoticeKind",
    "OccurrenceTally",
    "OrgGroup",
    "OrgKind",
    "Organization",
    "ProposalStatus",
    "ReminderKind",
    "Region",
    "Report",
    "ReturnReason",
    "RevokedSession",
    "Role",
    "Roadmap",
    "RoadmapStatus",
    "Section",
    "Subscription",
    "SubscriptionKind",
    "Task",
    "TaskStatus",
    "Transition",
    "User",
    "utcnow",
]

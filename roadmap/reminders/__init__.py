"""Reminder digests as plain values and Russian text. PURE: no Flask, no database.

The service (roadmap.reminders.service) collects digests and sends them; everything here is
tested with plain values.
"""

from roadmap.reminders.text import (
    CoordinatorDigest,
    ExecutorDigest,
    Letter,
    OrgOverdue,
    TaskLine,
    coordinator_letter,
    executor_letter,
    plural,
    quantity,
)

__all__ = [
    "CoordinatorDigest",
    "ExecutorDigest",
    "Letter",
    "OrgOverdue",
    "TaskLine",
    "coordinator_letter",
    "executor_letter",
    "plural",
    "quantity",
]

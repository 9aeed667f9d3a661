"""PURE iCalendar builder: feed records in, ``text/calendar`` bytes out.

No Flask and no database here; the feed views query, compose texts and serve bytes.
"""

from roadmap.ical.builder import (
    EVENT_STATUSES,
    FeedCalendar,
    FeedEvent,
    assemble_calendar,
    assembled_size,
    build_calendar,
    calendar_head,
    feed_etag,
    order_events,
    render_event,
    render_events,
    size_at_least,
    size_floor,
    todo_status,
)

__all__ = [
    "EVENT_STATUSES",
    "FeedCalendar",
    "FeedEvent",
    "assemble_calendar",
    "assembled_size",
    "build_calendar",
    "calendar_head",
    "feed_etag",
    "order_events",
    "render_event",
    "render_events",
    "size_at_least",
    "size_floor",
    "todo_status",
]

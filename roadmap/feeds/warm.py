"""Aggregated feeds read before the first request asks for them.

A coordinator's feed over a whole region reads the occurrence tallies near today of all its
roadmaps the first time a process renders it (feeds.query.nearby_occurrences; a smaller feed
every tally of its roadmaps, feeds.query.aggregate_occurrences); afterwards each render reads
only the roadmaps (or measures) that changed. Under gunicorn the master
runs :func:`warm_up` before forking (gunicorn.conf.py), so every worker starts with the rows of
the feeds used most recently, as the chart renderer is warmed up there too.
"""

from __future__ import annotations

from time import monotonic

from flask import current_app
from sqlalchemy import select

from roadmap.clock import app_zone
from roadmap.extensions import db
from roadmap.feeds.options import OptionsError, stored_options
from roadmap.feeds.query import lookup_subscription, scope_of
from roadmap.feeds.render import read_occurrences
from roadmap.feeds.site import feed_max_bytes, feed_today
from roadmap.models import Subscription

__all__ = ["WARM_FEEDS", "WARM_SECONDS", "warm_up"]

# The most recently used aggregated feeds, within a time budget: a start must stay quick.
WARM_FEEDS = 50
WARM_SECONDS = 10.0


def warm_up(*, feeds: int = WARM_FEEDS, seconds: float = WARM_SECONDS) -> int:
    """Read the rows of the most recently used aggregated feeds (coordinators', observers')
    into the application's occurrence cache, as their renders would, in an application
    context; how many were."""
    connection = db.session.connection()
    hashes = connection.execute(
        select(Subscription.token_hash)
        .where(Subscription.revoked_at.is_(None))
        .order_by(Subscription.last_used_at.desc().nulls_last(), Subscription.id.desc())
        .limit(feeds * 4)
    ).scalars()
    today = feed_today(current_app.config, app_zone())
    max_bytes = feed_max_bytes(current_app.config)
    started, warmed = monotonic(), 0
    for token_hash in list(hashes):
        if warmed >= feeds or monotonic() - started > seconds:
            break
        # The session's connection afresh for each feed: a feed may commit (see
        # feeds.query: tallies left out of step are counted again).
        connection = db.session.connection()
        found = lookup_subscription(token_hash, connection)
        scope = scope_of(found) if found is not None else None
        if scope is None or not scope.aggregated:
            continue
        try:
            options = stored_options(found.options)
        except OptionsError:
            continue  # the feed itself answers 400; nothing to warm
        read_occurrences(scope, options, today, max_bytes)
        warmed += 1
    return warmed

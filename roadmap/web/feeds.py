"""Calendar subscriptions: the "Подписка на календарь" page and the public feed `/feeds/<token>.ics`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Connection, select, update
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from roadmap.clock import app_zone
from roadmap.extensions import csrf, db
from roadmap.feeds import BuiltFeed, feed_cache, shared_feeds
from roadmap.feeds.options import (
    DEFAULT_STATUSES,
    MONTHS_AHEAD,
    MONTHS_BACK,
    STATUS_CHOICES,
    FeedOptions,
    OptionsError,
    chosen_options,
    format_alarm_time,
    parse_alarm_time,
    parse_options,
    stored_options,
)
from roadmap.feeds.query import (
    FeedScope,
    lookup_subscription,
    lookup_with_version,
    resolve_scope,
    scope_of,
    task_version_inputs,
)
from roadmap.feeds.render import DEFAULT_ALARM_TIME, FeedRequest, PreparedFeed, build, prepare
from roadmap.feeds.service import (
    MAX_TOKEN_LENGTH,
    SubscriptionError,
    chosen_target,
    create_subscription,
    hash_token,
    last_use_due,
    list_subscriptions,
    options_summary,
    revoke_subscription,
    target_label,
)
from roadmap.feeds.site import configured_base_url, feed_max_bytes, feed_today, feed_url, uid_host
from roadmap.models import Organization, Roadmap, RoadmapStatus, Role, Subscription, SubscriptionKind, User, utcnow
from roadmap.russian import natural_key, truncate
from roadmap.tasks.access import followable_organizations
from roadmap.transient import commit_unless_busy
from roadmap.web.access import roles_required
from roadmap.web.forms import RussianForm
from roadmap.web.retry import retried

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

subscriber_required = roles_required(Role.EXECUTOR, Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)

# Clients poll every hour (REFRESH-INTERVAL); a 304 is cheap, so let caches revalidate soon.
CACHE_CONTROL = "private, max-age=300"
CONTENT_TYPE = "text/calendar; charset=utf-8"


# --- the page -------------------------------------------------------------------------------


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _valid_alarm_time(form, field) -> None:
    if field.data and field.data.strip():
        try:
            parse_alarm_time(field.data, "Время напоминания")
        except OptionsError as exc:
            raise ValidationError(str(exc)) from None


class SubscriptionForm(RussianForm):
    name = StringField(
        "Название",
        validators=[DataRequired("Укажите название, например «Телефон» или «Outlook на работе»."), Length(max=100)],
        description="Чтобы отличать подписки: одна на устройство или календарь.",
    )
    kind = SelectField("Что показывать", choices=[])
    organization_id = SelectField("Организация", coerce=int, choices=[], validators=[Optional()])
    roadmap_id = SelectField("Дорожная карта", coerce=int, choices=[], validators=[Optional()])
    section = StringField(
        "Разделы",
        validators=[Optional(), Length(max=100)],
        description="Номера разделов через запятую, например «1, 3». Пусто — все разделы.",
    )
    plan_year = IntegerField(
        "Год плана",
        validators=[Optional(), NumberRange(min=2000, max=2100, message="Год от 2000 до 2100.")],
        description="Пусто — все годы.",
    )
    statuses = MultiCheckboxField("Задачи", choices=list(STATUS_CHOICES), default=sorted(DEFAULT_STATUSES))
    view = SelectField(
        "Как показывать срок",
        choices=[
            ("due", "Событие на весь день в день срока (окно — в описании)"),
            ("spans", "Событие на весь срок исполнения, от начала до конца окна"),
        ],
    )
    alarms = BooleanField("Напоминания за 3 дня и за 1 день до срока", default=True)
    remind_at = StringField(
        "Время напоминания",
        validators=[Optional(), Length(max=5), _valid_alarm_time],
        description="Часы и минуты, например 09:00 или 14:30. Пусто — в начале рабочего дня ({default}).",
    )
    vtodo = BooleanField(
        "Задачи (VTODO) вместо событий — только для Thunderbird и приложений, показывающих задачи",
        default=False,
    )
    submit = SubmitField("Создать подписку")


class RevokeForm(RussianForm):
    pass


def _kind_choices(user: User) -> list[tuple[str, str]]:
    if user.role == Role.EXECUTOR:
        return [
            (SubscriptionKind.PERSONAL, "Задачи моей организации"),
            (SubscriptionKind.ROADMAP, "Задачи моей организации по одной дорожной карте"),
        ]
    return [
        (SubscriptionKind.PERSONAL, "Все дорожные карты — сводно по мероприятиям"),
        (SubscriptionKind.ROADMAP, "Одна дорожная карта — сводно по мероприятиям"),
        (SubscriptionKind.ORGANIZATION, "Задачи одной организации"),
    ]


def _roadmaps_for(user: User) -> list[Roadmap]:
    from roadmap.tasks.access import visible_roadmaps

    # Executors see every published roadmap by title: their feed shows only their own tasks in it.
    stmt = select(Roadmap) if user.role == Role.EXECUTOR else visible_roadmaps(user)
    stmt = stmt.where(Roadmap.status != RoadmapStatus.DRAFT).order_by(Roadmap.period_start.desc())
    return list(db.session.scalars(stmt))


def _form(user: User) -> SubscriptionForm:
    form = SubscriptionForm()
    form.kind.choices = _kind_choices(user)
    form.remind_at.description = form.remind_at.description.format(default=format_alarm_time(_default_alarm_time()))
    form.roadmap_id.choices = [(0, "—")] + [(r.id, truncate(r.title, 120)) for r in _roadmaps_for(user)]
    if user.role == Role.EXECUTOR:
        del form.organization_id
    else:
        orgs = sorted(
            db.session.scalars(followable_organizations(user).where(Organization.is_active.is_(True))),
            key=lambda o: natural_key(o.short_name),
        )
        form.organization_id.choices = [(0, "—")] + [(o.id, o.short_name) for o in orgs]
    return form


def _form_options(form: SubscriptionForm) -> FeedOptions:
    return chosen_options(
        section=form.section.data or "",
        plan_year=form.plan_year.data,
        statuses=form.statuses.data or [],
        view=form.view.data,
        alarms=bool(form.alarms.data),
        remind_at=form.remind_at.data or "",
        component="vtodo" if form.vtodo.data else "vevent",
    )


def feed_urls(token: str) -> dict[str, str]:
    """The https URL of a feed, its webcal:// twin and the "add to Google Calendar" link."""
    base = configured_base_url(current_app.config)
    https = feed_url(current_app, token, base) if base else url_for("feeds.feed", token=token, _external=True)
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal})
    return {"https": https, "webcal": webcal, "google": google}


def _render_page(form: SubscriptionForm, created: dict | None = None, status: int = 200):
    subscriptions = list_subscriptions(current_user)
    rows = [
        {
            "subscription": s,
            "kind": s.kind.label,
            "target": target_label(s),
            "options": options_summary(s),
            "narrowed": (s.options or {}).get("_narrowed"),
            "revoke": url_for("feeds.revoke", subscription_id=s.id),
        }
        for s in subscriptions
    ]
    return render_template(
        "feeds/subscriptions.html",
        form=form,
        rows=rows,
        created=created,
        revoke_form=RevokeForm(),
        window_text=f"{MONTHS_BACK} месяца назад — {MONTHS_AHEAD} месяцев вперёд",
        max_kb=_max_bytes() // 1024,
        alarm_time=format_alarm_time(_default_alarm_time()),
    ), status


@bp.route("/", methods=["GET"])
@subscriber_required
def subscriptions():
    return _render_page(_form(current_user))


@bp.route("/new", methods=["POST"])
@subscriber_required
@retried
def create():
    form = _form(current_user)
    if not form.validate_on_submit():
        return _render_page(form, status=400)
    try:
        subscription, token = create_subscription(
            current_user, name=form.name.data, kind=form.kind.data, target_id=_target(form), options=_form_options(form)
        )
    except (OptionsError, SubscriptionError) as exc:
        form.name.errors = [*form.name.errors, str(exc)]
        return _render_page(form, status=400)
    db.session.commit()
    # The token exists only in this response: it is rendered here, never redirected or flashed
    # (the session cookie is signed, not encrypted).
    created = {"name": subscription.name, **created_feed(subscription, token)}
    flash("Подписка создана. Скопируйте адрес сейчас: позже его не показать.", "success")
    return _render_page(_form(current_user), created=created)


def _target(form: SubscriptionForm) -> int | None:
    field = getattr(form, "organization_id", None)  # an executor's form has none
    organization = field.data if field is not None else None
    return chosen_target(form.kind.data, organization_id=organization, roadmap_id=form.roadmap_id.data)


def created_feed(subscription: Subscription, token: str) -> dict:
    """What a new subscription's creator is shown once — on the page and in the API's answer:
    its addresses (https, webcal, Google Calendar), how many deadlines the feed holds and
    whether the size bound narrowed it. The caller has committed the subscription."""
    built = _first_build(subscription)
    return {
        "events": built.event_count if built else None,
        "narrowed": built.narrowed if built else None,
        **feed_urls(token),
    }


def _first_build(subscription: Subscription) -> BuiltFeed | None:
    """Build the feed now: the page can say how many deadlines it holds and whether the size
    bound narrowed it, and the calendar's first fetch finds it in the cache."""
    scope = resolve_scope(subscription)
    if scope is None:
        return None
    saved = stored_options(subscription.options)
    built = _built(_prepare(scope, saved))
    if _remember_narrowing(subscription, built.narrowed, saved):
        # The subscription is committed already: a busy database must not fail (and a retry
        # repeat) its creation for this note, which the feed's first fetch records anyway.
        commit_unless_busy()
    return built


@bp.route("/<int:subscription_id>/revoke", methods=["POST"])
@subscriber_required
@retried
def revoke(subscription_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400)
    subscription = revoke_subscription(current_user, subscription_id)
    if subscription is None:
        abort(404)
    db.session.commit()
    flash(f"Подписка «{subscription.name}» отозвана: её адрес больше не работает.", "success")
    return redirect(url_for("feeds.subscriptions"))


# --- the feed -------------------------------------------------------------------------------


def _default_alarm_time() -> time:
    return current_app.config.get("FEED_ALARM_TIME") or DEFAULT_ALARM_TIME


def _max_bytes() -> int:
    return feed_max_bytes(current_app.config)


def _today(zone: str) -> date:
    return feed_today(current_app.config, zone)


def _base_url() -> str:
    # Links in events: the configured site address, else the address the client used.
    return configured_base_url(current_app.config) or request.host_url.rstrip("/")


def _uid_host() -> str:
    # UIDs must not change with the host name a client happens to use.
    return uid_host(current_app.config)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    opaque = etag.strip('"')
    for candidate in header.split(","):
        value = candidate.strip()
        if value.startswith("W/"):
            value = value[2:]
        value = value.strip('"')
        if value.endswith("-gz"):
            value = value[:-3]
        if value == opaque:
            return True
    return False


def _not_modified_since(header: str | None, last_modified: datetime | None) -> bool:
    if not header or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # Compare the exact moment, not the header's whole seconds: a change later in the same
    # second as the previous response must not be answered with 304.
    return last_modified <= since


def _http_date(moment: datetime) -> str | None:
    """Last-Modified in whole seconds, rounded up; None while the last change is this second.

    A change within the current second could be followed by another one in the same second,
    which would carry the same Last-Modified; such a response gets no Last-Modified (the ETag
    still covers it), so If-Modified-Since never hides a change.
    """
    whole = moment.replace(microsecond=0)
    if whole != moment:
        whole = datetime.fromtimestamp(int(moment.timestamp()) + 1, UTC)
    if whole > utcnow():
        return None
    return format_datetime(whole.astimezone(UTC), usegmt=True)


def _wants_gzip() -> bool:
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _sep, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.replace(" ", "").lower()
            return q not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _bad_options(message: str) -> Response:
    response = Response(f"Ошибка в параметрах календаря: {message}\n", 400, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<token>.ics", methods=["GET"])
@csrf.exempt
def feed(token: str):
    """The public feed: no login; the token is the credential. HEAD is answered by Flask.

    The hot path (a poll with nothing changed, or a new client of a feed this process has
    built) is one query for the subscription, its scope and the version (two the first time
    this process sees the token, and for aggregated feeds), and a cache lookup: no ORM
    objects, no session cookie, no user loading. A write happens only when the last use is
    due to be recorded (every few minutes) or the narrowing note changed.
    """
    if not 0 < len(token) <= MAX_TOKEN_LENGTH:
        abort(404)
    # One connection reads the subscription, the version and, when the body must be built, the
    # rows: no second checkout, no transaction around them (see _reader).
    with _reader() as connection:
        read = _read_feed(hash_token(token), connection)
        if isinstance(read, Response):
            return read
        found, options, prepared = read
        gzip_wanted = _wants_gzip()
        headers = _cache_headers(prepared, gzip_wanted)
        built = None if _not_modified(prepared) else _built(prepared, connection)
    _save(found.id, _due_writes(found, options, built))
    if built is None:
        return Response(status=304, headers=headers)
    return _calendar_response(built, headers, gzip_wanted)


def _due_writes(found, options: FeedOptions, built: BuiltFeed | None) -> dict:
    """What a request records on its subscription: its last use when due (every few minutes),
    the narrowing note when a built body's changed."""
    writes: dict = {}
    now = utcnow()
    if last_use_due(found.last_used_at, now):
        writes["last_used_at"] = now
    if built is not None:
        remembered = _narrowing_options(found.options, built.narrowed, options)
        if remembered is not None:
            writes["options"] = remembered
    return writes


def _calendar_response(built: BuiltFeed, headers: dict[str, str], gzip_wanted: bool) -> Response:
    response = Response(built.gzipped if gzip_wanted else built.body, status=200, headers=headers)
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Content-Disposition"] = 'inline; filename="roadmap.ics"'
    if gzip_wanted:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _read_feed(token_hash: str, connection: Connection):
    """(subscription row, options, prepared feed) in one or two queries, or the 400 answer to
    malformed options; 404 for an unknown or revoked token."""
    guess = _VERSION_GUESSES.get(token_hash)
    if guess is None:
        found, guessed = lookup_subscription(token_hash, connection), None
    else:
        found, guessed = lookup_with_version(token_hash, guess, connection)
    scope = scope_of(found) if found is not None else None
    if found is None or scope is None:
        abort(404)
    try:
        options = stored_options(found.options)
        if request.args:
            options = parse_options(request.args, base=options)
    except OptionsError as exc:
        return _bad_options(str(exc))
    feed_request = _feed_request(scope, options)
    inputs = None if scope.aggregated else task_version_inputs(scope, options, feed_request.window)
    if inputs is not None and inputs != guess:
        _remember_guess(token_hash, inputs)
    prepared = prepare(feed_request, connection, guessed if inputs is not None and inputs == guess else None)
    return found, options, prepared


def _cache_headers(prepared: PreparedFeed, gzip_wanted: bool) -> dict[str, str]:
    headers = {
        "ETag": f'"{prepared.key}-gz"' if gzip_wanted else prepared.etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
    }
    last_modified = _http_date(prepared.last_modified) if prepared.last_modified else None
    if last_modified:
        headers["Last-Modified"] = last_modified
    return headers


def _not_modified(prepared: PreparedFeed) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    # RFC 9110: If-Modified-Since is ignored when If-None-Match is present.
    return _etag_matches(if_none_match, prepared.key) or (
        if_none_match is None and _not_modified_since(request.headers.get("If-Modified-Since"), prepared.last_modified)
    )


@contextmanager
def _reader() -> Iterator[Connection]:
    """Where a feed request reads: its own autocommit connection, no session, no transaction.

    A poll then costs its query and nothing else (no BEGIN and ROLLBACK around it on
    PostgreSQL). FEED_READ_OWN_CONNECTION=False (the default under TESTING, whose session is
    one rolled-back transaction) reads through the session instead, seeing its uncommitted rows.
    """
    if not current_app.config.get("FEED_READ_OWN_CONNECTION", not current_app.testing):
        yield db.session.connection()
        return
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # pysqlite opens no transaction for a SELECT; switching the isolation level would
            # cost two PRAGMA statements.
            yield connection
        else:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")


def _save(subscription_id: int, values: dict) -> None:
    """Write the subscription's last use or narrowing note, when there is one, and commit."""
    if not values:
        return
    table = Subscription.__table__
    db.session.execute(update(table).where(table.c.id == subscription_id).values(**values))
    commit_unless_busy()


def _feed_request(scope: FeedScope, options: FeedOptions) -> FeedRequest:
    zone = app_zone()
    return FeedRequest(
        scope=scope,
        options=options,
        today=_today(zone),
        base_url=_base_url(),
        uid_host=_uid_host(),
        timezone=zone,
        max_bytes=_max_bytes(),
        alarm_time=options.alarm_time or _default_alarm_time(),
    )


def _prepare(scope: FeedScope, options: FeedOptions) -> PreparedFeed:
    return prepare(_feed_request(scope, options))


# Token hash → the version inputs its feed resolved to last time in this process. A poll reads
# the subscription and the version of these inputs in one query; the version is used only when
# the subscription resolves to the same inputs again (else it is read on its own).
_VERSION_GUESSES: dict[str, tuple] = {}
_MAX_GUESSES = 20_000


_GUESSES_LOCK = threading.Lock()


def _remember_guess(token_hash: str, inputs: tuple) -> None:
    with _GUESSES_LOCK:
        if len(_VERSION_GUESSES) >= _MAX_GUESSES:
            _VERSION_GUESSES.pop(next(iter(_VERSION_GUESSES)), None)
        _VERSION_GUESSES[token_hash] = inputs


def _built(prepared: PreparedFeed, connection: Connection | None = None) -> BuiltFeed:
    """The body of a prepared feed: from this process's cache, from Redis, or built (reading on
    ``connection``) and cached."""
    cache = feed_cache(current_app)
    built = cache.get(prepared.key)
    if built is None:
        shared = shared_feeds(current_app)
        if shared is None:
            built = build(prepared, connection)
        else:
            # One render per version for all workers: another may have built it already.
            built = shared.get_or_build(prepared.key, lambda: build(prepared, connection))
        cache.put(prepared.key, built)
    return built


def _narrowing_options(stored: dict | None, note: str | None, options: FeedOptions) -> dict | None:
    """The subscription's options with the size-bound note updated; None when unchanged."""
    if options.explicit - set((stored or {}).keys()):
        return None  # a URL with its own parameters is not the subscription as configured
    data = dict(stored or {})
    if data.get("_narrowed") == note:
        return None
    if note is None:
        data.pop("_narrowed", None)
    else:
        data["_narrowed"] = note
    return data


def _remember_narrowing(subscription: Subscription, note: str | None, options: FeedOptions) -> bool:
    """Keep the size-bound note with the subscription, for its page; True when it changed."""
    data = _narrowing_options(subscription.options, note, options)
    if data is None:
        return False
    subscription.options = data
    return True

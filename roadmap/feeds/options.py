"""Feed options: what a subscription shows, parsed from query parameters or stored JSON.

The same parser reads the options stored with a subscription (as query-style strings) and the
query parameters of a feed request, so a URL can narrow a stored subscription without a second
vocabulary. A malformed value raises :class:`OptionsError` with a one-line Russian reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache

from roadmap.ical.text import format_date, plural_ru

__all__ = [
    "DEFAULT_STATUSES",
    "STATUS_CHOICES",
    "FeedOptions",
    "OptionsError",
    "chosen_options",
    "default_window",
    "format_alarm_time",
    "parse_alarm_time",
    "parse_options",
]

# Task statuses a feed can select, in display order, with their Russian names.
STATUS_CHOICES = (
    ("planned", "не выполнено"),
    ("returned", "возвращено на доработку"),
    ("submitted", "на проверке"),
    ("accepted", "выполнено (отчёт принят)"),
)
STATUS_ORDER = tuple(value for value, _label in STATUS_CHOICES)
# Done work is hidden unless asked for: a calendar full of finished deadlines hides the open ones.
DEFAULT_STATUSES = frozenset({"planned", "returned", "submitted"})
_STATUS_ALIASES = {
    "planned": "planned",
    "open": "planned",
    "returned": "returned",
    "submitted": "submitted",
    "review": "submitted",
    "accepted": "accepted",
    "done": "accepted",
}

DEFAULT_ALARM_DAYS = (3, 1)
MAX_ALARMS = 5
MAX_ALARM_DAYS = 60
MONTHS_BACK = 3
MONTHS_AHEAD = 18
# An explicit window longer than this is a typo, not a wish; the size bound would cut it anyway.
MAX_WINDOW_DAYS = 6 * 366
MAX_SECTIONS = 20

# Query parameters a feed understands; anything else is ignored (clients append cache busters).
KNOWN_PARAMS = ("section", "year", "status", "view", "alarms", "remind", "remind_at", "format", "from", "to")


class OptionsError(ValueError):
    """A malformed option; ``str(error)`` is a one-line Russian reason."""


def _add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` away from ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_window(today: date, back: int = MONTHS_BACK, ahead: int = MONTHS_AHEAD) -> tuple[date, date]:
    """From the first day of the month ``back`` months ago to the last day ``ahead`` months on.

    Whole months keep the feed byte-identical for weeks instead of changing every midnight.
    """
    start = _add_months(today, -back)
    end = _add_months(today, ahead + 1) - timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class FeedOptions:
    sections: tuple[str, ...] = ()
    plan_year: int | None = None
    statuses: frozenset[str] = DEFAULT_STATUSES
    view: str = "due"
    alarms: bool = True
    alarm_days: tuple[int, ...] = DEFAULT_ALARM_DAYS
    # The hour reminders ring at on their day (local wall-clock time); None: the global default
    # (FEED_ALARM_TIME, 09:00 unless configured).
    alarm_time: time | None = None
    component: str = "VEVENT"
    date_from: date | None = None
    date_to: date | None = None
    # Options that were set explicitly, for a short summary.
    explicit: frozenset[str] = field(default=frozenset(), compare=False)

    def window(self, today: date) -> tuple[date, date]:
        start, end = default_window(today)
        return (self.date_from or start, self.date_to or end)

    @property
    def has_default_window(self) -> bool:
        return self.date_from is None and self.date_to is None

    def ordered_statuses(self) -> list[str]:
        return [s for s in STATUS_ORDER if s in self.statuses]

    def key(self) -> str:
        """A canonical string of everything that shapes the feed body."""
        return "|".join(
            [
                ",".join(self.sections),
                str(self.plan_year or ""),
                ",".join(self.ordered_statuses()),
                self.view,
                "1" if self.alarms else "0",
                ",".join(map(str, self.alarm_days)),
                format_alarm_time(self.alarm_time) if self.alarm_time else "",
                self.component,
                self.date_from.isoformat() if self.date_from else "",
                self.date_to.isoformat() if self.date_to else "",
            ]
        )

    def to_params(self) -> dict[str, str]:
        """Query-style strings of the options that differ from the defaults (stored as JSON)."""
        params: dict[str, str] = {}
        if self.sections:
            params["section"] = ",".join(self.sections)
        if self.plan_year is not None:
            params["year"] = str(self.plan_year)
        if self.statuses != DEFAULT_STATUSES:
            params["status"] = ",".join(self.ordered_statuses())
        if self.view != "due":
            params["view"] = self.view
        if not self.alarms:
            params["alarms"] = "0"
        if self.alarm_days != DEFAULT_ALARM_DAYS:
            params["remind"] = ",".join(map(str, self.alarm_days))
        if self.alarm_time is not None:
            params["remind_at"] = format_alarm_time(self.alarm_time)
        if self.component != "VEVENT":
            params["format"] = self.component.lower()
        if self.date_from:
            params["from"] = self.date_from.isoformat()
        if self.date_to:
            params["to"] = self.date_to.isoformat()
        return params

    def summary(self) -> str:
        """Russian one-liner for the subscription list."""
        labels = dict(STATUS_CHOICES)
        parts = []
        if self.sections:
            parts.append(("раздел " if len(self.sections) == 1 else "разделы ") + ", ".join(self.sections))
        if self.plan_year is not None:
            parts.append(f"{self.plan_year} год плана")
        parts.append(", ".join(labels[s] for s in self.ordered_statuses()))
        parts.append("весь срок исполнения" if self.view == "spans" else "день срока")
        if self.alarms and self.alarm_days:
            days = sorted(set(self.alarm_days), reverse=True)
            unit = plural_ru(days[-1], "день", "дня", "дней")
            at = f" в {format_alarm_time(self.alarm_time)}" if self.alarm_time else ""
            parts.append("напоминания за " + " и ".join(map(str, days)) + f" {unit}{at}")
        else:
            parts.append("без напоминаний")
        if self.component == "VTODO":
            parts.append("задачи (VTODO)")
        if self.date_from or self.date_to:
            start = format_date(self.date_from) if self.date_from else "…"
            end = format_date(self.date_to) if self.date_to else "…"
            parts.append(f"с {start} по {end}")
        return "; ".join(parts)


def _int(value: str, name: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 6:
        raise OptionsError(f"{name}: ожидалось целое число, получено «{value[:40]}».")
    return int(value)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise OptionsError(f"{name}: ожидалась дата ГГГГ-ММ-ДД, получено «{value[:40]}».") from None


def format_alarm_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_alarm_time(value: str, name: str = "remind_at") -> time:
    """A reminder hour written "9:00" or "09:30"; OptionsError (Russian) otherwise."""
    hours, sep, minutes = value.strip().partition(":")
    if (
        not sep
        or not hours.isdigit()
        or not minutes.isdigit()
        or len(hours) > 2
        or len(minutes) != 2
        or int(hours) > 23
        or int(minutes) > 59
    ):
        raise OptionsError(f"{name}: ожидалось время ЧЧ:ММ, например 09:00, получено «{value[:40]}».")
    return time(int(hours), int(minutes))


def _flag(value: str, name: str) -> bool:
    value = value.strip().lower()
    if value in ("1", "true", "yes", "on", "да"):
        return True
    if value in ("0", "false", "no", "off", "нет"):
        return False
    raise OptionsError(f"{name}: ожидалось 0 или 1, получено «{value[:40]}».")


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_options(params: Mapping[str, str], base: FeedOptions | None = None) -> FeedOptions:
    """Options from query-style strings; values present in ``params`` override ``base``.

    Raises :class:`OptionsError` for a malformed value. Keys starting with "_" (internal notes
    stored with a subscription) and unknown keys are ignored.
    """
    opts = base or FeedOptions()
    values: dict = {}
    explicit = set(opts.explicit)

    def get(name: str) -> str | None:
        value = params.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise OptionsError(f"{name}: ожидалась строка.")
        explicit.add(name)
        return value

    if (raw := get("section")) is not None:
        sections = _items(raw)
        if len(sections) > MAX_SECTIONS or any(len(s) > 20 for s in sections):
            raise OptionsError("section: слишком много разделов или слишком длинный номер.")
        values["sections"] = tuple(dict.fromkeys(s.rstrip(".") for s in sections))
    if (raw := get("year")) is not None:
        if raw.strip() == "":
            values["plan_year"] = None
        else:
            year = _int(raw, "year")
            if not 2000 <= year <= 2100:
                raise OptionsError(f"year: год плана должен быть от 2000 до 2100, получено {year}.")
            values["plan_year"] = year
    if (raw := get("status")) is not None:
        items = [s.lower() for s in _items(raw)]
        if items == ["all"]:
            statuses = frozenset(STATUS_ORDER)
        else:
            unknown = [s for s in items if s not in _STATUS_ALIASES]
            if unknown or not items:
                known = ", ".join(STATUS_ORDER)
                bad = unknown[0][:40] if unknown else ""
                raise OptionsError(f"status: неизвестный статус «{bad}»; допустимы {known}, all.")
            statuses = frozenset(_STATUS_ALIASES[s] for s in items)
        values["statuses"] = statuses
    if (raw := get("view")) is not None:
        view = raw.strip().lower()
        if view not in ("due", "spans"):
            raise OptionsError(f"view: ожидалось due или spans, получено «{raw[:40]}».")
        values["view"] = view
    if (raw := get("alarms")) is not None:
        values["alarms"] = _flag(raw, "alarms")
    if (raw := get("remind")) is not None:
        days = [_int(d, "remind") for d in _items(raw)]
        if not days or len(days) > MAX_ALARMS or any(d > MAX_ALARM_DAYS for d in days):
            raise OptionsError(
                f"remind: от 1 до {MAX_ALARMS} чисел через запятую, каждое не больше {MAX_ALARM_DAYS} дней."
            )
        values["alarm_days"] = tuple(sorted(set(days), reverse=True))
    if (raw := get("remind_at")) is not None:
        values["alarm_time"] = parse_alarm_time(raw) if raw.strip() else None
    if (raw := get("format")) is not None:
        component = raw.strip().upper()
        if component not in ("VEVENT", "VTODO"):
            raise OptionsError(f"format: ожидалось vevent или vtodo, получено «{raw[:40]}».")
        values["component"] = component
    if (raw := get("from")) is not None:
        values["date_from"] = _date(raw, "from") if raw.strip() else None
    if (raw := get("to")) is not None:
        values["date_to"] = _date(raw, "to") if raw.strip() else None

    result = FeedOptions(
        sections=values.get("sections", opts.sections),
        plan_year=values.get("plan_year", opts.plan_year),
        statuses=values.get("statuses", opts.statuses),
        view=values.get("view", opts.view),
        alarms=values.get("alarms", opts.alarms),
        alarm_days=values.get("alarm_days", opts.alarm_days),
        alarm_time=values.get("alarm_time", opts.alarm_time),
        component=values.get("component", opts.component),
        date_from=values.get("date_from", opts.date_from),
        date_to=values.get("date_to", opts.date_to),
        explicit=frozenset(explicit),
    )
    if result.date_from and result.date_to:
        if result.date_from > result.date_to:
            raise OptionsError("from/to: начало окна позже его конца.")
        if (result.date_to - result.date_from).days > MAX_WINDOW_DAYS:
            raise OptionsError("from/to: окно не может быть длиннее 6 лет.")
    return result


def chosen_options(
    *,
    section: str = "",
    plan_year: int | None = None,
    statuses: Iterable[str] = DEFAULT_STATUSES,
    view: str = "due",
    alarms: bool = True,
    remind_at: str = "",
    component: str = "vevent",
) -> FeedOptions:
    """The options chosen for a new subscription — on its page or through the API — read by
    the same parser as a feed's query parameters. OptionsError (Russian) for a bad value."""
    statuses = [s for s in statuses if s]
    if not statuses:
        raise OptionsError("Отметьте хотя бы один вид задач.")
    return parse_options(
        {
            "section": section or "",
            "year": str(plan_year) if plan_year else "",
            "status": ",".join(statuses),
            "view": view,
            "alarms": "1" if alarms else "0",
            "remind_at": (remind_at or "").strip(),
            "format": component,
        }
    )


def stored_options(data: Mapping[str, object] | None) -> FeedOptions:
    """Options saved with a subscription; anything unreadable falls back to the defaults."""
    params = tuple(sorted((k, v) for k, v in (data or {}).items() if k in KNOWN_PARAMS and isinstance(v, str)))
    return _stored_options(params)


@lru_cache(maxsize=1024)
def _stored_options(params: tuple[tuple[str, str], ...]) -> FeedOptions:
    # FeedOptions is immutable: a feed poll reuses the parse of the same stored options.
    try:
        return parse_options(dict(params))
    except OptionsError:
        return FeedOptions()

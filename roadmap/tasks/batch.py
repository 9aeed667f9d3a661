"""Decisions on many items at once, each in its own savepoint: what was done and what was not, and why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from roadmap.extensions import db

Item = TypeVar("Item")
SHOWN_SKIPPED = 10  # reasons listed in one message; the audit event keeps them all


@dataclass
class Skipped:
    label: str
    reason: str
    id: int | None = None


@dataclass
class BatchResult(Generic[Item]):
    """``verb`` and ``refused`` name the decision: «Принято» / «Не принято»."""

    verb: str
    refused: str
    done: list[Item] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def message(self) -> str:
        """«Принято 27. Не принято 2: 1.1, Школа № 5 — уже не на проверке (принято); …»: exactly what was committed."""
        text = f"{self.verb} {len(self.done)}."
        if self.skipped:
            reasons = "; ".join(f"{item.label} — {item.reason}" for item in self.skipped[:SHOWN_SKIPPED])
            more = len(self.skipped) - SHOWN_SKIPPED
            text += f" {self.refused} {len(self.skipped)}: {reasons}" + (f"; и ещё {more}." if more > 0 else ".")
        return text

    def details(self, key: Callable[[Item], int]) -> dict:
        """For the audit event: the ids done and every skipped item with its reason."""
        return {
            "done": [key(item) for item in self.done],
            "skipped": [{"id": item.id, "label": item.label, "reason": item.reason} for item in self.skipped],
        }


def decide_each(
    items: Iterable[Item],
    decide: Callable[[Item], None],
    *,
    verb: str,
    refused: str,
    label: Callable[[Item], str],
    refusals: tuple[type[Exception], ...],
    reason: Callable[[Item, Exception], str] = lambda _item, exc: str(exc),
    key: Callable[[Item], int | None] = lambda item: getattr(item, "id", None),
) -> BatchResult[Item]:
    """Run ``decide`` on each item inside a savepoint; a refused item is rolled back alone and listed."""
    result: BatchResult[Item] = BatchResult(verb, refused)
    for item in items:
        # Read before deciding: a rolled-back savepoint expires what it touched.
        name, item_key = label(item), key(item)
        try:
            with db.session.begin_nested():
                decide(item)
        except refusals as exc:
            result.skipped.append(Skipped(name, reason(item, exc), item_key))
        else:
            result.done.append(item)
    return result

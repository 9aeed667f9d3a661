"""Targets met and missed, in the words of a monitoring order or a year-end analysis.

The figures are roadmap.reports.queries.target_results' (the same reports every figure
counts); this module only says them: «Целевые показатели … выполнены, кроме: …».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roadmap.reports.queries import OrganizationTarget, TargetResult, target_results
from roadmap.russian import agree, quantity

__all__ = ["OrganizationMiss", "missed_by_organization", "target_results", "targets_sentence"]


def _measure(result: TargetResult) -> str:
    return f"{result.measure_number} «{result.measure_title.rstrip('.')}»"


def _miss(result: TargetResult) -> str:
    return f"{_measure(result)} — {result.description} (факт: {result.fact_text})"


def targets_sentence(results: Sequence[TargetResult], *, subject: str = "Целевые показатели", of: str = "") -> str:
    """One sentence on the targets of a report: which are met and which missed.

    `results` are target_results(scope) (or MonitoringReport.targets); `subject` is the noun
    phrase the verb agrees with (roadmap.russian.agree), `of` what the targets belong to
    («муниципальной программы …»), put after it. Examples:

    «Целевые показатели муниципальной программы выполнены (4 из 4).»
    «Целевые показатели выполнены, кроме: 1.2 «Профпробы» — не менее 75 % обучающихся
    9 классов (факт: 310 из 500 (62,0 %)).»
    «Целевой показатель не выполнен: …» (one target); targets with no fact to judge by (not
    understood, no contingent) are named after the sentence: «Не оценены: …».

    '' when there are no targets.
    """
    if not results:
        return ""
    head = f"{subject} {of}".strip()
    judged = [r for r in results if r.met is not None]
    met = [r for r in judged if r.met]
    missed = [r for r in judged if not r.met]
    unjudged = [r for r in results if r.met is None]

    def verb(negative: bool = False) -> str:
        word = agree(subject, "выполнен", "выполнена", "выполнено", "выполнены")
        return f"не {word}" if negative else word

    parts = []
    if judged and not missed:
        parts.append(f"{head} {verb()} ({len(met)} из {len(judged)}).")
    elif missed and not met:
        parts.append(f"{head} {verb(negative=True)}: {'; '.join(_miss(r) for r in missed)}.")
    elif missed:
        parts.append(f"{head} {verb()}, кроме: {'; '.join(_miss(r) for r in missed)}.")
    if unjudged:
        listed = "; ".join(f"{_measure(r)} — {r.description or r.text} ({r.fact_text})" for r in unjudged)
        count = quantity(len(unjudged), "показатель", "показателя", "показателей")
        parts.append(f"Не оценено: {count} — {listed}.")
    return " ".join(parts)


@dataclass(frozen=True)
class OrganizationMiss:
    """An executor below a share target of a measure (for the order's instructions)."""

    target: TargetResult
    organization: OrganizationTarget

    @property
    def text(self) -> str:
        from roadmap.reports.typography import format_percent

        fact = self.organization.fact
        shown = format_percent(fact / 100, places=1) if fact is not None else "нет данных"
        return f"{_measure(self.target)}: {self.organization.name} — {shown} при плане {self.target.description}"


def missed_by_organization(results: Sequence[TargetResult]) -> dict[int, list[OrganizationMiss]]:
    """organization id → the share targets it is below, in roadmap order (organizations whose
    contingent is not given are not judged: they are not listed)."""
    misses: dict[int, list[OrganizationMiss]] = {}
    for result in results:
        for organization in result.organizations_missed:
            misses.setdefault(organization.organization_id, []).append(OrganizationMiss(result, organization))
    return misses

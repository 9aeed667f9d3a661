"""`python -m bench.scaling LABEL=RUN.jsonl ...`: the growth of each cost over bench runs at several
sizes (docs/scaling.md).

Each RUN.jsonl is the standard output of one `python -m bench` run (its JSON lines). The size of a
run is the number of tasks its regional roadmap generated (the `generate` line's n). For every
scenario and backend the seconds are fitted with a least-squares line, seconds = fixed + slope ×
tasks. On a shared machine a line through noisy points can fall below what was measured, so a
cost is read at the sizes asked with --at as the larger of the line and the slowest measurement:
a cost that did not grow (a paged matrix, one school's feed) stays at its worst reading. The worst
seconds per task measured is shown apart, as the rate of a cost that is all growth.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

COSTS = (
    "generate",
    "publish",
    "regenerate_noop",
    "dashboard",
    "matrix",
    "dashboard_municipal",
    "region_dashboard",
    "feed_coordinator",
    "feed_coordinator_warm",
    "feed_school",
    "feed_school_warm",
    "feed_school_304",
)


def read_run(path: Path) -> dict[tuple[str, str], dict]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    return {(line["scenario"], line["backend"]): line for line in lines}


def fit(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(fixed, slope) of the least-squares line through `points` (x, y); slope 0 for one point."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if n < 2 or spread == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def seconds(value: float) -> str:
    return f"{value:.2f} s" if abs(value) >= 1 else f"{value * 1000:.1f} ms"


def tables(runs: list[tuple[str, dict]], at: list[int]) -> list[str]:
    backends = sorted({backend for _label, run in runs for _scenario, backend in run})
    sizes = {label: run[("generate", backends[0])]["n"] for label, run in runs}
    lines = []
    for backend in backends:
        header = " | ".join(f"{label} ({sizes[label]:,} tasks)" for label, _run in runs)
        extrapolated = " | ".join(f"at {n:,}" for n in at)
        lines += [
            f"### {backend}",
            "",
            f"| cost | {header} | fixed | per 100,000 tasks | worst per 100,000 | {extrapolated} |",
            "| --- |" + " ---: |" * (len(runs) + 3 + len(at)),
        ]
        for cost in COSTS:
            points = [(sizes[label], run[(cost, backend)]["seconds"]) for label, run in runs if (cost, backend) in run]
            if not points:
                continue
            fixed, slope = fit(points)
            worst = max(y / x for x, y in points)
            measured = " | ".join(
                seconds(run[(cost, backend)]["seconds"]) if (cost, backend) in run else "—" for _label, run in runs
            )
            slowest = max(y for _x, y in points)
            predicted = " | ".join(seconds(max(fixed + slope * n, slowest)) for n in at)
            lines.append(
                f"| {cost} | {measured} | {seconds(fixed)} | {seconds(slope * 100_000)} | {seconds(worst * 100_000)}"
                f" | {predicted} |"
            )
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("runs", nargs="+", help="LABEL=path/to/run.jsonl, smallest first")
    parser.add_argument("--at", default="", help="comma-separated task counts to extrapolate to")
    args = parser.parse_args(argv)
    runs = []
    for item in args.runs:
        label, sep, path = item.partition("=")
        if not sep:
            print(f"ожидается МЕТКА=файл, получено {item!r}", file=sys.stderr)
            return 2
        try:
            run = read_run(Path(path))
        except (OSError, ValueError) as error:
            print(f"не удалось прочитать {path}: {error}", file=sys.stderr)
            return 2
        if not any(scenario == "generate" for scenario, _backend in run):
            print(f"в {path} нет строки generate: размер прогона неизвестен", file=sys.stderr)
            return 2
        runs.append((label, run))
    try:
        at = [int(n) for n in args.at.split(",") if n.strip()]
    except ValueError:
        print(f"--at: ожидаются целые числа через запятую, получено {args.at!r}", file=sys.stderr)
        return 2
    print("\n".join(tables(runs, at)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

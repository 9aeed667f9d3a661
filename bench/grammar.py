"""The deadline grammar in bulk (issue 19): ``python -m roadmap.cli.schedule --batch`` on 10,000 phrases.

The phrases are a region's worth of deadline cells: every kind the grammar knows, dates spread
over the year (so most phrases are distinct), and the repetition real plans have («в течение
года» in cell after cell). The command runs in a fresh process, as a coordinator would run it;
its floor is the same command on an empty file (starting Python and the grammar), and the target
is absolute: under 2 seconds for the whole run. The command is the one ``flask --app wsgi schedule``
runs, without the app: building the app (every model, blueprint and extension) alone took 1.8 s of
the 3.6 s the app command needed here.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from time import perf_counter

MONTHS_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")  # fmt: skip
MONTHS_NOM = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
              "ноябрь", "декабрь")  # fmt: skip
WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
# Phrases that recur across plans as they are.
COMMON = [
    "в течение года", "в течение учебного года", "ежегодно", "постоянно", "ежемесячно", "ежеквартально",
    "по плану ОО", "по графику", "по мере необходимости", "1 раз в полугодие", "2 раза в год (декабрь, май)",
    "I квартал", "II полугодие", "по четвертям", "сентябрь–октябрь, ежегодно", "ноябрь-январь, ежегодно",
    "до 1 сентября, ежегодно", "в сроки, установленные министерством образования", "ежеквартально до 5 числа",
    "сделать хорошо", "12.00, 13.00",
]  # fmt: skip


def _dated(rnd: random.Random) -> str:
    """A phrase with its own dates, of one of the kinds of issue 19 or the older ones."""
    m = rnd.randrange(12)
    d = rnd.randint(1, 19)
    d2 = min(28, d + rnd.randint(1, 9))
    year = rnd.choice(["", " 2026", " 2026 г.", " 2026г."])
    wd = rnd.choice(WEEKDAYS)
    kinds = [
        lambda: f"{d} {MONTHS_GEN[m]}{year}",
        lambda: f"до {d} {MONTHS_GEN[m]}{year}",
        lambda: f"не позднее {d:02d}.{m + 1:02d}.2026",
        lambda: f"{d} {MONTHS_GEN[m]} ({wd})",
        lambda: f"{d} {MONTHS_GEN[m]} ({wd}) – {d2} {MONTHS_GEN[m]} ({wd}.)",
        lambda: f"{d} {MONTHS_GEN[m]} Всероссийский урок «Шоу профессий»",
        lambda: f"{d:02d}.{m + 1:02d}.2026г. 10.00-12.00 – Ярмарка профессий",
        lambda: (
            f"с {d} по {d2} {MONTHS_GEN[m]} – школьный этап; с {d} по {d2} {MONTHS_GEN[(m + 1) % 12]} – "
            f"муниципальный этап"
        ),
        lambda: f"до {d} .{m + 1:02d}. 2026г",
        lambda: f"{d}-{d2} {MONTHS_GEN[m]} (3 дня)",
        lambda: f"{d} {MONTHS_GEN[m]} 12.00 ч.",
        lambda: f"{d} {MONTHS_GEN[m]}, МБОУ СОШ № {rnd.randint(1, 99)}",
        lambda: f"{MONTHS_NOM[m]}{year}",
        lambda: f"{MONTHS_NOM[m]}-{MONTHS_NOM[(m + 2) % 12]}",
        lambda: f"{d} {MONTHS_GEN[m]}*",
        lambda: f"{rnd.randint(1, 3)}-{rnd.randint(4, 5)} неделя {MONTHS_GEN[m]}",
        lambda: f"первая декада {MONTHS_GEN[m]}",
        lambda: f"ежемесячно до {d} числа",
    ]
    return rnd.choice(kinds)()


def phrases(count: int, seed: int = 19) -> list[str]:
    rnd = random.Random(seed)
    return [rnd.choice(COMMON) if rnd.random() < 0.3 else _dated(rnd) for _ in range(count)]


def _run(path: Path, root: Path) -> tuple[float, int]:
    # As deployed: the app's modules load from their compiled bytecode (the first run writes it).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    started = perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "roadmap.cli.schedule", "--batch", str(path)] + ["--period", "2026-01-01:2026-12-31"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"schedule --batch failed:\n{done.stderr[-4000:]}")
    return elapsed, len(done.stdout.splitlines())


def schedule_batch(workdir: Path, project_root: Path, scale: float, repeat: int):
    """(n, median seconds of the batch, median seconds of the empty batch)."""
    from bench.scenarios import median

    count = max(100, round(10_000 * min(scale, 1.0)))
    path = workdir / "phrases.txt"
    path.write_text("\n".join(phrases(count)) + "\n", encoding="utf-8")
    empty = workdir / "no-phrases.txt"
    empty.write_text("", encoding="utf-8")
    runs, floors = [], []
    _run(empty, project_root)  # warm-up: bytecode written, files in the page cache
    for _ in range(repeat):
        seconds, lines = _run(path, project_root)
        if lines != count:
            raise RuntimeError(f"schedule --batch printed {lines} lines for {count} phrases")
        runs.append(seconds)
        floors.append(_run(empty, project_root)[0])
    return count, median(runs), median(floors)

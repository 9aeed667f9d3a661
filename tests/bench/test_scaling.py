"""bench.scaling: the per-cost lines of docs/scaling.md, fitted from bench runs at several sizes."""

from __future__ import annotations

import json

from bench.scaling import fit, main


def _run(path, tasks: int, seconds: dict[str, float]) -> str:
    lines = [{"scenario": "generate", "backend": "sqlite", "n": tasks, "seconds": seconds.pop("generate")}]
    lines += [{"scenario": name, "backend": "sqlite", "n": 1, "seconds": value} for name, value in seconds.items()]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return str(path)


def test_fit_recovers_a_line_and_a_constant():
    fixed, slope = fit([(100_000, 1.5), (200_000, 2.5), (400_000, 4.5)])
    assert abs(fixed - 0.5) < 1e-9 and abs(slope - 1e-5) < 1e-15
    assert fit([(5, 2.0)]) == (2.0, 0.0)


def test_tables_extrapolate_each_cost(tmp_path, capsys):
    small = _run(tmp_path / "a.jsonl", 100_000, {"generate": 2.0, "dashboard": 0.3, "feed_school": 0.05})
    large = _run(tmp_path / "b.jsonl", 300_000, {"generate": 6.0, "dashboard": 0.7, "feed_school": 0.02})
    assert main([f"small={small}", f"large={large}", "--at", "600000"]) == 0
    out = capsys.readouterr().out
    # generate: 0 fixed, 2 s per 100,000 tasks, 12 s at 600,000; dashboard: 0.1 s + 0.2 s per
    # 100,000 (at worst 0.3 s per 100,000, at the small size): 1.3 s at 600,000.
    assert "| generate | 2.00 s | 6.00 s | 0.0 ms | 2.00 s | 2.00 s | 12.00 s |" in out
    assert "| dashboard | 300.0 ms | 700.0 ms | 100.0 ms | 200.0 ms | 300.0 ms | 1.30 s |" in out
    # A cost that got faster with size (noise) stays at its slowest reading.
    assert "| feed_school | 50.0 ms | 20.0 ms |" in out and out.split("| feed_school |")[1].split("\n")[0].endswith(
        "| 50.0 ms |"
    )


def test_bad_arguments_are_one_line_and_status_2(tmp_path, capsys):
    assert main(["no-label"]) == 2
    assert main([f"x={tmp_path / 'missing.jsonl'}"]) == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main([f"x={empty}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all("Traceback" not in line for line in err)

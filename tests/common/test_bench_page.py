"""docs/performance.md holds only what a run printed: bench/run's own prose names no
figure, and whether a goal is met is read from the figures the run printed."""
from importlib.machinery import SourceFileLoader
from pathlib import Path

RUN = SourceFileLoader("bench_run", str(Path(__file__).resolve().parents[2] / "bench/run"))
BENCH = RUN.load_module()


def test_the_page_s_own_prose_has_no_figure():
    assert not [c for c in BENCH.BOUNDS if c.isdigit()]


def test_goals_are_judged_from_the_printed_figures():
    lines = ["gateway_read.ratio=0.612  (gateway / bare Flask, same run; goal >= 0.5)",
             "drain.events_per_s=1890  (12 s; goal ≥ 2,000)",
             "flood.p99_ms=78  (goal < 1000)",
             "rpc.raw_classic_p50_ms=0.70  (no goal here)"]
    assert BENCH.verdicts(lines) == [
        ("gateway_read.ratio", "0.612", ">= 0.5", True),
        ("drain.events_per_s", "1890", ">= 2,000", False),
        ("flood.p99_ms", "78", "< 1000", True)]

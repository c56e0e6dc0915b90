"""Time the comment renderer on the most hostile Markdown a comment may hold, and write the
results into docs/performance.md.

    .venv/bin/python bench/markdown_worst_case.py            # print and write the table
    .venv/bin/python bench/markdown_worst_case.py --no-write # print only

Each input of tests/test_markdown.py's hostile table (every one at the body limit) is rendered
with `qlibrary.markdown.render` (markdown-it-py, then nh3) several times in this process; the
table gives the CPU time (what the input itself costs, whatever else the machine runs) and the
wall-clock time of the median and the slowest run. The target: no input above 0.3 s of CPU.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKS = ("<!-- markdown-bench:start -->", "<!-- markdown-bench:end -->")
TARGET_SECONDS = 0.3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qlibrary.settings")
    import django

    django.setup()
    from qlibrary.markdown import render
    from tests.test_markdown import HOSTILE_MARKDOWN

    rows = []
    for name, text in HOSTILE_MARKDOWN.items():
        cpu, wall = [], []
        for _ in range(args.runs):
            start_cpu, start_wall = time.process_time(), time.perf_counter()
            render(text)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
        rows.append((name, len(text), statistics.median(cpu), max(cpu), statistics.median(wall)))

    slowest = max(row[3] for row in rows)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    verdict = "met" if slowest <= TARGET_SECONDS else "NOT met"
    lines = [
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python bench/markdown_worst_case.py`"
        f" ({args.runs} runs each, Python {platform.python_version()}, one process, "
        f"{os.cpu_count()} CPUs, load average {load}). Slowest run: {slowest * 1000:.0f} ms of "
        f"CPU; target under {TARGET_SECONDS * 1000:.0f} ms {verdict}.",
        "",
        "| input | characters | CPU ms, median | CPU ms, slowest | wall ms, median |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {length:,} | {median * 1000:.1f} | {worst * 1000:.1f} "
            f"| {wall * 1000:.1f} |"
            for name, length, median, worst, wall in rows
        ),
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write(Path(args.out), table)
    return 0 if verdict == "met" else 1


def write(path, table):
    text = path.read_text()
    start, end = MARKS
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(f"{before}{start}\n{table}\n{end}{after}")


if __name__ == "__main__":
    sys.exit(main())

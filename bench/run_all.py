"""Run every benchmark in bench/ and write a table of their last lines to bench/RESULTS.md.

Each benchmark's whole output goes to ``bench/out/<name>.log`` (not committed): the soak's
per-run figures are there.

Each row also gives the 1-minute load average when the benchmark started: timings from
a shared machine mean little without it.
"""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LOGS = BENCH / "out"
# Figures that compare the code with an earlier commit, measured by hand (see each benchmark's docstring).
NOTES = """
## Against earlier code

- pages_rss.py, before one copy per process of the shared datasets and models (commit 6512a33)
  and after it, on the same machine (AMD EPYC, 2 cores), 2026-12-04: every page once took the
  server to 1412, 1472, 1531 MB before and 1180, 1201, 1254, 1256 MB after (median 1472 → 1228 MB,
  -17 %). Opening the CNN trainer (TensorFlow and Fashion-MNIST in) added 560 MB before and
  290 MB after, in one run each.
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    sys.path.insert(0, str(BENCH.parent))
    from playground.core import device

    gpus = ", ".join(device.gpu_names_without_tensorflow()) or "no GPU"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, {gpus}, Python {platform.python_version()}, "
        f"{platform.system()}"
    )


def earlier_rows() -> dict[str, str]:
    """Table rows of the current RESULTS.md by benchmark name (kept when only some are re-run)."""
    path = BENCH / "RESULTS.md"
    lines = path.read_text().splitlines() if path.exists() else []
    return {line.split("|")[1].strip(): line for line in lines if line.startswith("| ") and ".py |" in line}


def main() -> None:
    """``run_all.py`` runs every benchmark; ``run_all.py a.py b.py`` re-runs those and keeps the other rows."""
    chosen = set(sys.argv[1:])
    rows = []
    for script in sorted(BENCH.glob("*.py")):
        if script.name == Path(__file__).name or (chosen and script.name not in chosen):
            continue
        load = os.getloadavg()[0]
        started = time.perf_counter()
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=BENCH.parent)
        LOGS.mkdir(exist_ok=True)
        (LOGS / f"{script.stem}.log").write_text(out.stdout + out.stderr)
        lines = [line for line in out.stdout.splitlines() if line.strip()]
        result = lines[-1] if out.returncode == 0 and lines else f"FAILED: {out.stderr.strip().splitlines()[-1:]}"
        rows.append((script.name, result, time.perf_counter() - started, load))
        print(f"{script.name}: {result}", flush=True)
    table_rows = earlier_rows() if chosen else {}
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    # Each row says when and where it was measured: a partial re-run keeps the other rows.
    where = f"{date}, {machine()}"
    table_rows.update(
        {
            name: f"| {name} | `{result}` | {seconds:.0f} s | {load:.1f} | {where} |"
            for name, result, seconds, load in rows
        }
    )
    table = ["| benchmark | result | wall time | load at start | measured |", "|---|---|---|---|---|"]
    table += [table_rows[name] for name in sorted(table_rows)]
    (BENCH / "RESULTS.md").write_text("# Benchmark results\n\n" + "\n".join(table) + "\n" + NOTES)
    print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()

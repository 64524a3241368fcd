"""Run every benchmark in bench/ and write a table of their last lines to bench/RESULTS.md."""
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    rows = []
    for script in sorted(BENCH.glob("*.py")):
        if script.name == Path(__file__).name:
            continue
        started = time.perf_counter()
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=BENCH.parent)
        lines = [line for line in out.stdout.splitlines() if line.strip()]
        result = lines[-1] if out.returncode == 0 and lines else f"FAILED: {out.stderr.strip().splitlines()[-1:]}"
        rows.append((script.name, result, time.perf_counter() - started))
        print(f"{script.name}: {result}", flush=True)
    table = ["| benchmark | result | wall time |", "|---|---|---|"]
    table += [f"| {name} | `{result}` | {seconds:.0f} s |" for name, result, seconds in rows]
    text = (f"# Benchmark results\n\nMachine: {machine()}\nDate: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
            + "\n".join(table) + "\n")
    (BENCH / "RESULTS.md").write_text(text)
    print(f"wrote {BENCH / 'RESULTS.md'}")


if __name__ == "__main__":
    main()

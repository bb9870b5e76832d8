"""Refresh the committed browser-journey reports from a fresh run.

Usage (from the repository root)::

    .venv/bin/python tools/refresh_reports.py           # run the browser journey, then copy
    .venv/bin/python tools/refresh_reports.py --copy    # copy the last run's reports only

The test suite writes its reports to ``build/reports/`` (ignored by git), so running
the tests never dirties a clone. This tool is the one deliberate way to update the
copies committed in ``tests/reports/``: the latency table the README links and the
screenshots, one of which is the README's picture. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILT = ROOT / "build" / "reports"
COMMITTED = ROOT / "tests" / "reports"


def run_browser_journey() -> int:
    cmd = [sys.executable, "-m", "pytest", "tests/test_browser_journey.py",
           "-p", "no:nbval", "-o", "addopts=", "-q", "-s"]  # fmt: skip
    return subprocess.call(cmd, cwd=ROOT)


def copy_reports() -> list[Path]:
    files = [BUILT / "slider_latency.json", BUILT / "slider_latency.md"]
    files += sorted((BUILT / "screenshots").glob("*.png"))
    files = [f for f in files if "FAILED" not in f.name]
    if not (BUILT / "slider_latency.md").is_file():
        raise SystemExit(f"no reports in {BUILT}: run the browser journey first (drop --copy)")
    copied = []
    for src in files:
        dst = COMMITTED / src.relative_to(BUILT)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied.append(dst)
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copy", action="store_true", help="copy the last run's reports only")
    args = parser.parse_args(argv)
    if not args.copy and run_browser_journey() != 0:
        print("the browser journey failed; nothing copied", file=sys.stderr)
        return 1
    for path in copy_reports():
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

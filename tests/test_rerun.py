"""Every code cell of every notebook can be run a second time (CONTRIBUTING, "Saving notebooks").

Students re-run cells: after a slider experiment, after fixing an exercise, or by pressing
Shift-Enter twice. A cell that draws from a generator shared with earlier cells, or asserts
something that holds only for the random-number state of one top-to-bottom run, then fails
the second time (or makes a later cell fail). This test runs each notebook in one kernel the
way such a student would: cell 0, cell 0 again, cell 1, cell 1 again, ... and fails on any
error, naming the notebook, the cell and the run.

Strict nbval already checks the single top-to-bottom run and its outputs; this test checks
only that nothing raises. One kernel per notebook keeps it to about twice the time of
executing the notebooks once.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [
    *sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
    *sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*_solutions.ipynb")),
]
CELL_TIMEOUT = 120  # seconds, as --nbval-cell-timeout in pyproject.toml
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _describe(error: CellExecutionError) -> str:
    """``AssertionError at: assert max(rel_err) < 0.4`` from a cell's traceback."""
    text = ANSI.sub("", str(error))
    where = [line.split("---->", 1)[1].strip() for line in text.splitlines() if "---->" in line]
    name = getattr(error, "ename", "") or "error"
    value = getattr(error, "evalue", "")
    line = re.sub(r"^\d+\s*", "", where[-1]) if where else ""
    return f"{name}{': ' + value if value else ''}" + (f" at: {line}" if line else "")


def run_each_cell_twice(path: Path) -> list[str]:
    """Run every code cell of ``path`` twice in a row in one kernel; return the failures.

    The run goes on after an error, so one report lists every cell that fails (an error on
    a cell's first run usually means an earlier cell, run twice, changed its inputs). Cells
    tagged ``raises-exception`` may raise, as under nbval.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    failures: list[str] = []
    code_index = -1
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            code_index += 1
            for run in ("first", "second"):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    failures.append(
                        f"cell {index} (nbval's Cell {code_index}), {run} run: {_describe(error)}"
                    )
    return failures


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_every_code_cell_runs_twice_in_a_row(path):
    failures = run_each_cell_twice(path)
    assert not failures, (
        f"{path.relative_to(ROOT)}: running each code cell twice in a row fails here "
        "(cell indices count every cell from 0):\n  "
        + "\n  ".join(failures)
        + "\nA cell that draws random numbers makes its own generator from a seed "
        "(rng = np.random.default_rng(SEED + k)), or asserts only what holds for any seed."
    )

"""Re-execute notebooks top to bottom in a fresh kernel and save them with outputs.

Usage (from the repository root, with the requirements installed)::

    .venv/bin/python tools/execute_notebooks.py        # every lesson, then every solutions notebook
    .venv/bin/python tools/execute_notebooks.py notebooks/01_likelihood.ipynb

What it guarantees, so that strict nbval can compare the saved outputs:

* a fresh kernel per notebook, started in ``notebooks/`` as JupyterLab would;
* cells executed in order (execution counts 1, 2, 3, ...);
* no saved widget state (``metadata.widgets``), no widget views in outputs and no
  per-cell timing metadata, so re-running an unchanged notebook changes no bytes in
  git. A widget view only names a random model id that cannot exist without a
  kernel; dropping it lets JupyterLab, GitHub and nbviewer show the snapshot
  (``image/png``) and readout (``text/plain``) that every explorer also displays.
  Strict nbval ignores widget views, so the comparison is unaffected;
* consecutive stream outputs of one cell are merged into one (a busy kernel may flush
  one ``print`` as two chunks; merged, the saved file does not depend on the load);
* it stops at the first error, and saves nothing for that notebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: What JupyterLab writes for the ipykernel kernel. Saved with any other display name, a
#: notebook is marked modified the moment it opens, and autosave dirties a clone.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs with the same name (stdout, stderr) into one."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream"
            and prev is not None
            and prev.get("output_type") == "stream"
            and prev.get("name") == out.get("name")
        ):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: Path, *, timeout: int = 300) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    client.execute()
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or [
        *sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
        *sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*_solutions.ipynb")),
    ]
    for path in paths:
        print(f"executing {path} ...", flush=True)
        execute(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())

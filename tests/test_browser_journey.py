"""The student's journey in a real JupyterLab: open, Run All, move every slider.

For every ``notebooks/*.ipynb`` this test starts JupyterLab on 127.0.0.1 (on a copy
of the notebooks, outputs stripped, autosave off), opens the notebook in headless
Debian Chromium driven by Playwright, runs all cells from the Run menu and fails on
any error output. Then, in every explorer (``helpers.widgets.Explorer``, CSS class
``l2l-explorer``), it moves every slider one key press at a time and measures, in
the page, the time from the ``keydown`` event to the first animation frame at which
the explorer's image shows the new, loaded PNG ("key press to changed pixels").

Outputs (overwritten on every run that gets that far), in ``build/reports/``, which git
ignores, so running the tests leaves a clean ``git status``. The copies committed in
``tests/reports/`` (linked from the README) are refreshed on purpose with
``.venv/bin/python tools/refresh_reports.py``:

* ``slider_latency.json`` and ``slider_latency.md``
  (median and p90 per slider; the goal is a median under 100 ms, reported, not
  enforced; a move that never redraws within 5 s fails the test);
* ``screenshots/<notebook>__explorer<i>.png`` and
  ``<notebook>__page.png``: what a student sees after the moves.

Run it alone with::

    .venv/bin/python -m pytest tests/test_browser_journey.py -p no:nbval -o addopts="" -s

Environment variables:

* ``L2L_NOTEBOOKS_DIR``: take the notebooks from this folder instead of
  ``notebooks/`` (for developing against a scratch notebook). With no notebooks at
  all the test fails, it does not pass silently.
* ``CI``: when true (``true``/``1``), a missing Chromium or Playwright fails the test
  instead of skipping it.

Needs ``/usr/bin/chromium`` (Debian: ``apt-get install chromium``) and the
``playwright`` Python package (``pip install -r requirements-dev.txt``). Never run
``playwright install``: the system Chromium is used.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = Path(os.environ.get("L2L_NOTEBOOKS_DIR") or REPO / "notebooks").resolve()
NOTEBOOKS_OVERRIDDEN = bool(os.environ.get("L2L_NOTEBOOKS_DIR"))
REPORTS = REPO / "build" / "reports"  # ignored; tools/refresh_reports.py copies to tests/reports
SCREENSHOTS = REPORTS / "screenshots"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}

MOVES_PER_SLIDER = 12  # measured moves; one extra warm-up move comes first
WARMUP_MOVES = 1
MOVE_TIMEOUT_MS = 5_000  # a move that has not redrawn by then "never redraws"
RUN_ALL_TIMEOUT_MS = 120_000
KERNEL_READY_TIMEOUT_MS = 90_000
LATENCY_GOAL_MS = 100.0

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))

#: Filled by the tests, written once at session end: {notebook: {explorer: {slider: {...}}}}
RESULTS: dict[str, dict] = {}


# --------------------------------------------------------------------------- helpers


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _skip_or_fail(message: str) -> None:
    if _truthy(os.environ.get("CI")):
        pytest.fail(f"{message} (CI is set, so the browser test must not skip)")
    pytest.skip(message)


def _find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET", timeout: float = 5.0):
    req = urllib.request.Request(
        f"{base}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _delete_sessions(base: str, token: str) -> None:
    """Shut down every kernel session (leftovers would compete for the 2 CPU cores)."""
    for session in _api(base, token, "/api/sessions") or []:
        try:
            _api(base, token, f"/api/sessions/{session['id']}", method="DELETE", timeout=30)
        except urllib.error.HTTPError:
            pass  # already gone


def _descendants(pid: int) -> list[int]:
    """PIDs of every process below ``pid`` (kernels), read from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _strip_outputs(src: Path, dst: Path) -> None:
    """Copy a notebook without outputs, execution counts or saved widget state.

    Then an executed prompt ``[n]`` and any error output can only come from this run.
    """
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def _percentile(samples: list[float], q: float) -> float:
    """Linear-interpolation percentile (same as numpy's default), no numpy needed."""
    xs = sorted(samples)
    pos = (len(xs) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def browser_requirements():
    """Skip (or fail under CI) when Chromium or Playwright is missing."""
    how = (
        "install Chromium (Debian: `apt-get install chromium`) and the Python driver "
        "(`pip install -r requirements-dev.txt`); never `playwright install`"
    )
    chromium = _find_chromium()
    if chromium is None:
        _skip_or_fail(f"browser journey needs Chromium at /usr/bin/chromium or on PATH: {how}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail(f"browser journey needs the `playwright` Python package: {how}")
    return chromium


@pytest.fixture(scope="session")
def latency_results():
    """Collects every notebook's measurements; writes the reports at session end."""
    yield RESULTS
    if RESULTS:
        _write_reports(RESULTS)


@pytest.fixture(scope="session")
def jupyter_server(browser_requirements, tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a stripped copy of the notebooks.

    Yields ``(base_url, token)``. Autosave and the news toast are off, settings and
    workspaces live in temporary folders, and the server (with its kernels) is
    stopped by its own PID at teardown.
    """
    root = tmp_path_factory.mktemp("jupyterlab")
    nb_dir = root / "notebooks"
    nb_dir.mkdir()
    for nb in NOTEBOOKS:
        _strip_outputs(nb, nb_dir / nb.name)
    committed = nb_dir / "committed"  # byte-for-byte copies, for the open-changes-nothing test
    committed.mkdir()
    for nb in NOTEBOOKS:
        shutil.copyfile(nb, committed / nb.name)
    settings = root / "settings"
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
    workspaces = root / "workspaces"
    workspaces.mkdir()
    runtime = root / "runtime"
    runtime.mkdir()

    port, token = _free_port(), secrets.token_hex(24)
    cmd = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--ServerApp.token={token}", f"--notebook-dir={nb_dir}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workspaces),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = root / "jupyterlab.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=nb_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"
                )
            try:
                _api(base, token, "/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not answer in 60 s:\n{log_path.read_text()[-3000:]}"
                    )
                time.sleep(0.25)
        yield base, token
    finally:
        try:
            _delete_sessions(base, token)
        except (OSError, urllib.error.URLError):
            pass
        kids = _descendants(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for pid in kids:  # kernels the server did not take down with it
            if _pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture(scope="session")
def browser(browser_requirements, request):
    p = request.getfixturevalue("playwright_driver")  # conftest: one driver per session
    b = p.chromium.launch(executable_path=browser_requirements, headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


# --------------------------------------------------------------------------- in-page JS

# Arms one measurement: remembers the explorer image's current src, records the
# keydown's event.timeStamp, then checks on every animation frame whether the image
# has a new src that is loaded (complete and naturalWidth > 0); the frame's
# performance.now() is the "changed pixels" time.
ARM_JS = """
([ei]) => {
  const img = document.querySelectorAll('.l2l-explorer')[ei]
    .querySelector('img.l2l-explorer-image');
  const m = {oldSrc: img.src, keydown: null, srcSet: null, loaded: null, redrawn: null,
             frames: 0};
  window.__l2lMove = m;
  // breakdown only: when the new src arrives (kernel round trip) and when it has loaded
  const obs = new MutationObserver(() => {
    if (m.srcSet === null && img.src !== m.oldSrc) {
      m.srcSet = performance.now();
      obs.disconnect();
      img.addEventListener('load', () => { m.loaded = performance.now(); }, {once: true});
    }
  });
  obs.observe(img, {attributes: true, attributeFilter: ['src']});
  const onKey = (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      m.keydown = e.timeStamp;
      document.removeEventListener('keydown', onKey, true);
    }
  };
  document.addEventListener('keydown', onKey, true);
  const tick = () => {
    if (window.__l2lMove !== m) return;           // superseded
    m.frames += 1;
    if (m.keydown !== null && img.src !== m.oldSrc && img.complete && img.naturalWidth > 0) {
      m.redrawn = performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return m.oldSrc;
}
"""

KERNEL_READY_JS = """
() => {
  const name = document.querySelector('.jp-NotebookPanel .jp-Toolbar-kernelName');
  const ind = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  if (!name || !ind) return false;
  const t = name.textContent.trim();
  return t !== '' && !/No Kernel/i.test(t) && ind.getAttribute('data-status') === 'idle';
}
"""

# Done: kernel idle, no "[*]" prompt, and either every code cell has run ("[n]:")
# or an error output appeared (Run All stops at the first error).
RUN_ALL_DONE_JS = """
() => {
  const ind = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  if (!ind || ind.getAttribute('data-status') !== 'idle') return false;
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .map((p) => p.textContent.trim());
  if (prompts.some((t) => t.includes('*'))) return false;
  const allRan = prompts.length > 0 && prompts.every((t) => /^\\[\\d+\\]:?$/.test(t));
  const error = document.querySelector(
    '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]');
  return allRan || error !== null;
}
"""

ERRORS_JS = r"""
() => {
  const found = [];
  const add = (kind, el) => found.push(kind + ': ' + el.textContent.trim().slice(0, 800));
  document.querySelectorAll(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],' +
    '.jp-Notebook .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'
  ).forEach((el) => add('stderr/error output', el));
  document.querySelectorAll('.jp-Notebook .jp-OutputArea-output').forEach((el) => {
    const t = el.textContent;
    if (/Traceback \(most recent call last\)/.test(t)) add('traceback', el);
    else if (/^\s*[A-Za-z_][\w.]*(Error|Exception|Warning):\s/m.test(t)
             && !el.closest('.l2l-explorer')) add('exception text', el);
    if (/Error displaying widget|Failed to load model class/.test(t)) add('widget error', el);
  });
  return [...new Set(found)];
}
"""

PROMPTS_JS = """
() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
  .map((p) => p.textContent.trim())
"""


# --------------------------------------------------------------------------- the test


def _notebook_params():
    if not NOTEBOOKS:
        return [pytest.param(None, id="no-notebooks")]
    return [pytest.param(nb.name, id=nb.stem) for nb in NOTEBOOKS]


@pytest.mark.parametrize("notebook", _notebook_params())
def test_run_all_and_move_every_slider(notebook, request):
    if notebook is None:
        where = "L2L_NOTEBOOKS_DIR" if NOTEBOOKS_OVERRIDDEN else "notebooks/"
        pytest.fail(f"no *.ipynb found in {NOTEBOOKS_DIR} ({where}): nothing to test")
    results = request.getfixturevalue("latency_results")
    browser = request.getfixturevalue("browser")
    base, token = request.getfixturevalue("jupyter_server")
    stem = Path(notebook).stem
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    _delete_sessions(base, token)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(f"pageerror: {e}"))
    per_explorer: dict = {}
    try:
        t0 = time.monotonic()
        page.goto(f"{base}/lab/tree/{notebook}?reset&token={token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=KERNEL_READY_TIMEOUT_MS)
        page.wait_for_function(KERNEL_READY_JS, timeout=KERNEL_READY_TIMEOUT_MS)
        _dismiss_toast(page)

        # Run > Run All Cells (exact: "Restart Kernel and Run All Cells…" also matches "Run All")
        page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        page.wait_for_function(RUN_ALL_DONE_JS, timeout=RUN_ALL_TIMEOUT_MS, polling=250)
        page.wait_for_timeout(500)  # let late widget views / outputs attach
        t_run = time.monotonic() - t0

        errors = page.evaluate(ERRORS_JS)
        assert not errors, f"{notebook}: error output after Run All:\n" + "\n---\n".join(errors)
        prompts = page.evaluate(PROMPTS_JS)
        not_run = [i for i, t in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:?", t)]
        assert not not_run, f"{notebook}: code cells {not_run} did not run (prompts {prompts})"
        print(f"\n{notebook}: opened and ran {len(prompts)} code cells in {t_run:.1f} s")

        per_explorer = _move_every_slider(page, stem)
        results[notebook] = per_explorer
        page.screenshot(path=str(SCREENSHOTS / f"{stem}__page.png"))

        errors = page.evaluate(ERRORS_JS)
        assert not errors, f"{notebook}: error output after the slider moves:\n" + "\n".join(errors)

        _save(page, base, token, notebook, expect_widget_state=bool(per_explorer))
    except Exception:
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{stem}__FAILED.png"))
        except Exception:  # the page may be gone; the original error matters
            pass
        if console_errors:
            print(
                f"browser console errors ({len(console_errors)}):",
                *console_errors[-10:],
                sep="\n  ",
            )
        raise
    finally:
        context.close()
        _delete_sessions(base, token)
    if per_explorer:
        _reopen_shows_every_explorer(browser, base, token, notebook, len(per_explorer))


def _saved_notebook(base: str, token: str, notebook: str) -> dict:
    return _api(base, token, f"/api/contents/{notebook}?content=1&type=notebook")["content"]


def _save(page, base: str, token: str, notebook: str, *, expect_widget_state: bool) -> None:
    """Save as a student would (Ctrl+S) and wait until the file on disk has the widget state.

    The course's JupyterLab settings (tools/jupyterlab) turn on saving widget state.
    """
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while True:
        widgets = _saved_notebook(base, token, notebook)["metadata"].get("widgets", {})
        state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        if state or not expect_widget_state:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"{notebook}: saved without widget state: the course's JupyterLab settings "
                "(tools/jupyterlab, saveState) are not installed or not applied"
            )
        time.sleep(0.25)


# Every explorer's saved picture shows (or an error text appeared): done waiting.
REOPENED_JS = """
([n]) => {
  const imgs = [...document.querySelectorAll('.l2l-explorer img.l2l-explorer-image')];
  const loaded = imgs.filter((i) => i.complete && i.naturalWidth > 0).length;
  const err = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
    .some((el) => /Error displaying widget/.test(el.textContent));
  return loaded >= n || err;
}
"""


def _reopen_shows_every_explorer(browser, base: str, token: str, notebook: str, n: int) -> None:
    """Kernel shut down, lesson reopened later: each explorer shows its saved picture.

    Without saved widget state, each would say "Error displaying widget: model not found"
    until the student ran the cells again (issue: explorers must survive a save).
    """
    _delete_sessions(base, token)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    stem = Path(notebook).stem
    try:
        page.goto(f"{base}/lab/tree/{notebook}?reset&token={token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=KERNEL_READY_TIMEOUT_MS)
        try:
            page.wait_for_function(REOPENED_JS, arg=[n], timeout=30_000, polling=250)
        except Exception:
            pass  # the asserts below say what is missing
        errors = page.evaluate(ERRORS_JS)
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.l2l-explorer img.l2l-explorer-image')]"
            ".filter((i) => i.complete && i.naturalWidth > 0).length"
        )
        page.screenshot(path=str(SCREENSHOTS / f"{stem}__reopened.png"))
        assert not errors, f"{notebook} reopened after a save:\n" + "\n".join(errors)
        assert shown == n, f"{notebook} reopened after a save: {shown} of {n} explorer pictures"
        print(f"  reopened after save: {shown} of {n} explorers show their saved picture")
    finally:
        context.close()
        _delete_sessions(base, token)


def test_opening_a_saved_lesson_changes_nothing(request):
    """Open each lesson as committed (with outputs), start its kernel, run nothing: the
    notebook is not marked changed and the file is byte-for-byte the same."""
    if not NOTEBOOKS:
        pytest.fail(f"no *.ipynb found in {NOTEBOOKS_DIR}: nothing to test")
    browser = request.getfixturevalue("browser")
    base, token = request.getfixturevalue("jupyter_server")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        for nb in NOTEBOOKS:
            _delete_sessions(base, token)
            path = f"committed/{nb.name}"
            page.goto(f"{base}/lab/tree/{path}?reset&token={token}", wait_until="domcontentloaded")
            page.wait_for_selector(".jp-Notebook", timeout=KERNEL_READY_TIMEOUT_MS)
            page.wait_for_function(KERNEL_READY_JS, timeout=KERNEL_READY_TIMEOUT_MS)
            page.wait_for_timeout(2_000)
            errors = page.evaluate(ERRORS_JS)
            assert not errors, f"{nb.name} opened as committed:\n" + "\n".join(errors)
            assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, (
                f"{nb.name}: opening it (no cell run) marked it as changed"
            )
            previews = _collapsed_output_previews(page, nb)
            leaks = [
                text
                for text in previews
                if re.search(r"\d", text) and not FIGURE_REPR.fullmatch(text)
            ]
            assert not leaks, (
                f"{nb.name}: before anything runs, collapsed outputs preview numbers on their "
                f"bars: {leaks[:3]} (print a neutral heading first; CONTRIBUTING.md)"
            )
            on_disk = _api(base, token, f"/api/contents/{path}?content=1&format=text&type=file")
            assert on_disk["content"] == nb.read_text(encoding="utf-8"), (
                f"{nb.name}: opening it changed the file"
            )
    finally:
        context.close()
        _delete_sessions(base, token)


#: matplotlib's text/plain for a figure: the neutral line a collapsed figure previews.
FIGURE_REPR = re.compile(r"<Figure size [0-9.]+x[0-9.]+ with \d+ Axes>")


def _collapsed_output_previews(page, nb: Path) -> list[str]:
    """The text JupyterLab shows on each collapsed output's bar, once every cell is on the page.

    Cells are attached lazily (windowing), so wait until the page holds them all, then check
    that there is one bar per collapsed output in the saved notebook.
    """
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    n_cells = len(cells)
    expected = sum(
        1
        for c in cells
        if c["cell_type"] == "code"
        and c.get("metadata", {}).get("jupyter", {}).get("outputs_hidden")
        and c.get("outputs")
    )
    page.wait_for_function(
        "(n) => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')"
        ".length >= n",
        arg=n_cells, timeout=MOVE_TIMEOUT_MS,
    )  # fmt: skip
    bars = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputPlaceholder .jp-PlaceholderText"
    )
    texts = bars.all_text_contents()
    assert len(texts) == expected, (
        f"{nb.name}: {len(texts)} collapsed-output bars on the page, {expected} in the file"
    )
    return [t.strip() for t in texts]


def _dismiss_toast(page) -> None:
    button = page.locator(".jp-toast-button", has_text=re.compile(r"^No$"))
    try:
        button.first.click(timeout=1_000)
    except Exception:  # no toast (the settings turn the news off): nothing to do
        pass


def _move_every_slider(page, stem: str) -> dict:
    explorers = page.locator(".l2l-explorer")
    n_explorers = explorers.count()
    out: dict = {}
    for ei in range(n_explorers):
        explorer = explorers.nth(ei)
        image = explorer.locator(".l2l-explorer-image")
        readout = explorer.locator(".l2l-explorer-readout")
        assert image.count() == 1, f"explorer {ei}: expected one .l2l-explorer-image"
        tag = image.evaluate("el => el.tagName")
        assert tag == "IMG", f"explorer {ei}: .l2l-explorer-image is a <{tag}>, not an <img>"
        assert readout.count() == 1, f"explorer {ei}: expected one .l2l-explorer-readout"
        sliders = explorer.locator(".widget-slider")
        n_sliders = sliders.count()
        assert n_sliders > 0, f"explorer {ei} has no sliders"
        # the image must have loaded before the first measurement
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "([ei]) => { const i = document.querySelectorAll('.l2l-explorer')[ei]"
            ".querySelector('img.l2l-explorer-image'); return i.complete && i.naturalWidth > 0; }",
            arg=[ei], timeout=MOVE_TIMEOUT_MS,
        )  # fmt: skip
        out[str(ei)] = {}
        for si in range(n_sliders):
            slider = sliders.nth(si)
            # text_content, not inner_text: the latter is "" for a label not yet laid out
            text = slider.locator(".widget-label").first.text_content() or ""
            label = text.strip() or f"slider {si}"
            handle = slider.locator(".noUi-handle").first
            slider_readout = slider.locator(".widget-readout").first
            before = {
                "src": image.evaluate("el => el.src"),
                "readout": readout.inner_text(),
                "slider": slider_readout.inner_text(),
            }
            slider.scroll_into_view_if_needed()
            handle.focus()
            key = "ArrowRight"
            samples: list[float] = []
            to_src: list[float] = []  # keydown -> new src set (the round trip to the kernel)
            for move in range(WARMUP_MOVES + MOVES_PER_SLIDER):
                now, top = handle.evaluate(
                    "h => [parseFloat(h.getAttribute('aria-valuenow')),"
                    " parseFloat(h.getAttribute('aria-valuemax'))]"
                )
                if key == "ArrowRight" and now >= top - 1e-9:
                    key = "ArrowLeft"  # at the maximum: walk back instead
                page.evaluate(ARM_JS, [ei])
                handle.press(key)
                try:
                    page.wait_for_function(
                        "() => window.__l2lMove.redrawn !== null", timeout=MOVE_TIMEOUT_MS
                    )
                except Exception:
                    state = page.evaluate("() => window.__l2lMove")
                    page.screenshot(path=str(SCREENSHOTS / f"{stem}__FAILED.png"))
                    pytest.fail(
                        f"explorer {ei} slider {label!r}: move {move + 1} ({key}) did not redraw "
                        f"within {MOVE_TIMEOUT_MS} ms (state {state})"
                    )
                m = page.evaluate("() => window.__l2lMove")
                assert m["keydown"] is not None, f"{label!r}: keydown was not seen by the page"
                if move >= WARMUP_MOVES:
                    samples.append(round(m["redrawn"] - m["keydown"], 2))
                    if m["srcSet"] is not None:
                        to_src.append(m["srcSet"] - m["keydown"])
            # the readouts are separate messages that follow the image: let them land
            page.wait_for_function(
                "([ro, before]) => ro.innerText !== before",
                arg=[readout.element_handle(), before["readout"]], timeout=MOVE_TIMEOUT_MS,
            )  # fmt: skip
            after = {
                "src": image.evaluate("el => el.src"),
                "readout": readout.inner_text(),
                "slider": slider_readout.inner_text(),
            }
            assert after["src"] != before["src"], f"{label!r}: the image src never changed"
            assert after["readout"] != before["readout"], f"{label!r}: the readout never changed"
            assert after["slider"] != before["slider"], (
                f"{label!r}: the slider's own readout stayed at {before['slider']!r}"
            )
            entry = {
                "moves": len(samples),
                "warmup_moves_discarded": WARMUP_MOVES,
                "median_ms": round(statistics.median(samples), 1),
                "p90_ms": round(_percentile(samples, 0.9), 1),
                "samples_ms": samples,
                "median_keydown_to_new_src_ms": (
                    round(statistics.median(to_src), 1) if to_src else None
                ),
                "slider_readout": [before["slider"], after["slider"]],
            }
            out[str(ei)][label] = entry
            print(
                f"  explorer {ei} {label!r}: {before['slider']} -> {after['slider']}, "
                f"median {entry['median_ms']} ms, p90 {entry['p90_ms']} ms "
                f"over {len(samples)} moves "
                f"(keydown to new src: median {entry['median_keydown_to_new_src_ms']} ms)"
            )
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(SCREENSHOTS / f"{stem}__explorer{ei}.png"))
    assert n_explorers == 0 or out, "explorers found but nothing measured"
    return out


# --------------------------------------------------------------------------- reports


def _chromium_version() -> str:
    chromium = _find_chromium()
    if not chromium:
        return "unknown"
    try:
        text = subprocess.run(
            [chromium, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return text.strip() or "unknown"


def _write_reports(results: dict) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    chromium = _chromium_version()
    meta = {
        "date_utc": now.isoformat(),
        "chromium": chromium,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "notebooks_dir": str(NOTEBOOKS_DIR),
        "moves_per_slider": MOVES_PER_SLIDER,
        "warmup_moves_discarded": WARMUP_MOVES,
        "goal_median_ms": LATENCY_GOAL_MS,
        "method": "in-page: keydown event.timeStamp to the first requestAnimationFrame at "
        "which the explorer's <img> has a new src that is complete with naturalWidth > 0",
    }
    (REPORTS / "slider_latency.json").write_text(
        json.dumps({"meta": meta, "notebooks": results}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )

    rows, split = [], []
    for nb, explorers in sorted(results.items()):
        for ei, sliders in explorers.items():
            for label, e in sliders.items():
                flag = "" if e["median_ms"] <= LATENCY_GOAL_MS else " (over goal)"
                name = label if len(explorers) == 1 else f"explorer {ei}: {label}"
                rows.append(
                    f"| {nb} | {name} | {e['moves']} "
                    f"| {e['median_ms']:.1f}{flag} | {e['p90_ms']:.1f} |"
                )
                to_src = e.get("median_keydown_to_new_src_ms")
                if to_src is not None:
                    split.append(
                        f"- {nb}, {name}: keydown to new `src` {to_src:.1f} ms, then "
                        f"{e['median_ms'] - to_src:.1f} ms to a loaded image in a frame (medians)"
                    )
    source = (
        "`notebooks/`"
        if NOTEBOOKS_DIR == (REPO / "notebooks").resolve()
        else f"`{NOTEBOOKS_DIR}` (L2L_NOTEBOOKS_DIR override, not the course notebooks)"
    )
    md = f"""# Slider latency: key press to changed pixels

Written by `tests/test_browser_journey.py` (the browser journey) and copied here by
`tools/refresh_reports.py`; do not edit by hand.
Goal: median under {LATENCY_GOAL_MS:.0f} ms per slider (reported, not enforced; a move
that does not redraw within {MOVE_TIMEOUT_MS / 1000:.0f} s fails the test).

| notebook | slider | moves | median ms | p90 ms |
|---|---|---:|---:|---:|
{chr(10).join(rows) if rows else "| (no explorers) | | | | |"}

- Date: {now:%Y-%m-%d %H:%M} UTC
- Browser: {chromium}, headless, viewport {VIEWPORT["width"]}x{VIEWPORT["height"]},
  driven by Playwright; JupyterLab on 127.0.0.1; {os.cpu_count()} CPU cores; Python {meta["python"]}
- Notebooks: {source}

## Method

For each slider the test focuses the noUiSlider handle and presses ArrowRight
(ArrowLeft once it reaches the maximum) {WARMUP_MOVES + MOVES_PER_SLIDER} times, one
move at a time, waiting for each redraw before the next key. The first
{WARMUP_MOVES} move(s) per slider are discarded as warm-up. Each sample is measured in
the page: from the `keydown` event's `timeStamp` to `performance.now()` in the first
`requestAnimationFrame` callback at which the explorer's `<img class="l2l-explorer-image">`
has a new `src` (ipywidgets sets a fresh blob URL per PNG) that has loaded
(`complete` and `naturalWidth > 0`). The pixels appear in that frame or the next, so the
numbers can be up to one frame (about 16 ms) optimistic. p90 is interpolated.

## What limits latency

One move is a round trip: the slider sends its new value over the widget comm
(browser, websocket, jupyter_server, ZeroMQ), the kernel runs the explorer's `view`
(numpy), redraws only the animated artists with Agg (`BlitRenderer`) and encodes a
PNG, and the new image travels back the same way as a binary buffer; ipywidgets then
sets a fresh blob URL, the browser decodes the PNG and paints it on a frame. The split
below (a MutationObserver on the image's `src`) separates the round trip from the
decode-and-frame part:

{chr(10).join(split) if split else "- (no measurements)"}

Larger figures (bigger PNGs to encode, send and decode), full redraws (axes limits that
change with a slider) and a busy machine (CI shares 2 cores between the kernel, the
server and Chromium) all push the numbers up.
"""
    (REPORTS / "slider_latency.md").write_text(md, encoding="utf-8")

"""The zero-install site: build it, serve it on 127.0.0.1, run the lessons in Chromium offline.

``tools/build_site.py --offline`` builds the JupyterLite site (the Pyodide files are fetched
from npm and PyPI into ``build/site-cache/`` and each one is checked against the sha256 in
npm ``pyodide@0.27.7``'s official ``pyodide-lock.json`` before it is copied into the site;
a file that differs fails the build, and so this test, with the reason). Then
``python3 -m http.server --bind 127.0.0.1`` serves it and headless Debian Chromium, driven
by Playwright, opens each notebook, clears the saved outputs, runs all cells from the Run
menu and fails on any error output; in each lesson it drags the first slider of the first
explorer and checks that every drag changes the picture. Any request to a host other than
127.0.0.1 fails the test (and is refused: Chromium is also told to resolve no other host
name).

Which notebooks: by default lesson 01 only (about 2 minutes with the build, so the whole
suite stays near its 10-minute budget); every lesson and every worked solution when
``CI`` is true (``.ci/run``) or ``L2L_SITE_ALL=1`` (about 8 minutes more).
``L2L_SITE_NOTEBOOKS=02_closed_form_mle,solutions/02_closed_form_mle_solutions`` picks some.

Measured and written to ``build/reports/site.md`` and ``site.json`` (ignored by git): site
size, build time, time to a ready kernel, from Run All to the first plot, Run All, and
slider redraws (key press to new pixels, as in the browser journey).

Run it alone with::

    .venv/bin/python -m pytest tests/test_site.py -p no:nbval -o addopts="" -s

Needs the jupyterlite packages of requirements-dev.txt, npm (Debian: ``apt-get install
npm``), Debian's ``/usr/bin/chromium`` and the ``playwright`` package; without them the test
is skipped, or fails when ``CI`` is true. ``L2L_SITE_DIR=path`` tests an already built site
instead of building one (for working on the test itself).
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from test_browser_journey import (
    CHROMIUM_ARGS,
    ERRORS_JS,
    KERNEL_READY_JS,
    PROMPTS_JS,
    VIEWPORT,
    _find_chromium,
    _free_port,
    _skip_or_fail,
    _truthy,
)

pytestmark = [pytest.mark.site, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "build" / "reports"
SCREENSHOTS = REPORTS / "site-screenshots"
SITE_OUT = REPO / "build" / "site-test"
CACHE = REPO / "build" / "site-cache"

KERNEL_READY_TIMEOUT_MS = 180_000
RUN_ALL_TIMEOUT_MS = 600_000
MOVE_TIMEOUT_MS = 10_000
SLIDER_MOVES = 4  # measured drags of one slider per lesson, after one warm-up drag
#: The only stderr output allowed: Pyodide's matplotlib says this on its first import in every
#: new kernel (its font list is not cached in the browser). It is not an error.
FONT_CACHE_NOTE = "Matplotlib is building the font cache; this may take a moment."
ALLOWED_HOSTS = {"127.0.0.1"}

# Done: no "[*]" prompt, and either an error output (other than the font-cache note) appeared
# (Run All stops there; the Pyodide kernel may stay "busy" after it) or every code cell has
# run ("[n]:") and the kernel is idle.
RUN_ALL_DONE_JS = """
(note) => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .map((p) => p.textContent.trim());
  if (prompts.some((t) => t.includes('*'))) return false;
  const errors = [...document.querySelectorAll(
    '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')]
    .filter((el) => el.textContent.trim() !== note);
  if (errors.length > 0) return true;
  const ind = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
  const allRan = prompts.length > 0 && prompts.every((t) => /^\\[\\d+\\]:?$/.test(t));
  return allRan && ind !== null && ind.getAttribute('data-status') === 'idle';
}
"""

# The browser journey's error finder, except that text printed on stdout is never an error: a
# lesson may print a refusal it caught (02 prints "ValueError: x has a single point: ...").
# Error outputs, tracebacks, stderr and widget errors still count.
SITE_ERRORS_JS = ERRORS_JS.replace(
    "&& !el.closest('.l2l-explorer')",
    "&& !el.closest('.l2l-explorer')"
    " && el.getAttribute('data-mime-type') !== 'application/vnd.jupyter.stdout'",
)
assert SITE_ERRORS_JS != ERRORS_JS, "the browser journey's ERRORS_JS changed: update this test"

LESSONS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted(f"solutions/{p.stem}" for p in (REPO / "notebooks/solutions").glob("*.ipynb"))


def _selected() -> list[str]:
    chosen = os.environ.get("L2L_SITE_NOTEBOOKS")
    if chosen:
        return [c.strip().removesuffix(".ipynb") for c in chosen.split(",") if c.strip()]
    if _truthy(os.environ.get("CI")) or _truthy(os.environ.get("L2L_SITE_ALL")):
        return LESSONS + SOLUTIONS
    return LESSONS[:1]


RESULTS: dict = {"notebooks": {}}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site_requirements():
    missing = []
    for module in ["jupyterlite_core", "jupyterlite_pyodide_kernel"]:
        if importlib.util.find_spec(module) is None:
            missing.append(f"the `{module.replace('_', '-')}` package (requirements-dev.txt)")
    if shutil.which("npm") is None and not os.environ.get("L2L_SITE_DIR"):
        missing.append("npm (Debian: `apt-get install npm`), to fetch Pyodide")
    chromium = _find_chromium()
    if chromium is None:
        missing.append("Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the `playwright` package (requirements-dev.txt)")
    if missing:
        _skip_or_fail("the site test needs " + "; ".join(missing))
    return chromium


@pytest.fixture(scope="module")
def site(site_requirements) -> Path:
    """The offline site, built now (or ``L2L_SITE_DIR``, already built)."""
    prebuilt = os.environ.get("L2L_SITE_DIR")
    if prebuilt:
        out = Path(prebuilt).resolve()
        summary = json.loads((out / "l2l-site.json").read_text())
        RESULTS["build"] = {**summary, "prebuilt": True}
        return out
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_site
    finally:
        sys.path.remove(str(REPO / "tools"))
    t0 = time.monotonic()
    try:
        summary = build_site.build(SITE_OUT, CACHE, offline=True)
    except build_site.SiteBuildError as err:
        pytest.fail(f"the site did not build: {err}")
    RESULTS["build"] = {**summary, "with_downloads_seconds": round(time.monotonic() - t0, 1)}
    return SITE_OUT


@pytest.fixture(scope="module")
def server(site):
    """``python3 -m http.server --bind 127.0.0.1`` on the site, stopped by its own PID."""
    port = _free_port()
    log = open(REPO / "build" / "site-test-http.log", "wb")  # closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(site)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{base}/jupyter-lite.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"http.server did not start on {base}")
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def offline_context(site_requirements, server, request):
    """One browser context for every notebook (as one student's browser: its HTTP cache
    warms up after the first lesson). Every request is checked: a request to a host other
    than 127.0.0.1 is refused and recorded, and the test that made it fails."""
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        parts = urlparse(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in ALLOWED_HOSTS:
            outside.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def watch(request):  # also sees requests of workers, which routes may not
        parts = urlparse(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in ALLOWED_HOSTS:
            outside.append(request.url)

    args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
    p = request.getfixturevalue("playwright_driver")  # conftest: one driver per session
    browser = p.chromium.launch(executable_path=site_requirements, headless=True, args=args)
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", guard)
    context.on("request", watch)
    try:
        _check_the_guard(context, server, outside)
        yield context, outside
    finally:
        context.close()
        browser.close()
        _write_report()


GUARD_CHECK_JS = """
async () => {
  const page = await fetch('https://cdn.jsdelivr.net/pyodide/')
    .then(() => 'fetched', () => 'refused');
  const worker = await new Promise((resolve) => {
    const code = "fetch('https://pypi.org/simple/').then(() => postMessage('fetched'),"
      + " () => postMessage('refused'))";
    const w = new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
    w.onmessage = (e) => resolve(e.data);
  });
  return [page, worker];
}
"""


def _check_the_guard(context, server, outside) -> None:
    """The guard sees and refuses requests of a page and of a web worker (the Pyodide kernel
    runs in one); otherwise a passing test would prove nothing."""
    page = context.new_page()
    try:
        page.goto(f"{server}/jupyter-lite.json")
        assert page.evaluate(GUARD_CHECK_JS) == ["refused", "refused"]
        hosts = {urlparse(u).hostname for u in outside}
        assert {"cdn.jsdelivr.net", "pypi.org"} <= hosts, f"the guard missed requests: {outside}"
    finally:
        page.close()
        outside.clear()


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("notebook", _selected())
def test_notebook_runs_offline_in_the_site(notebook, offline_context, server):
    context, outside = offline_context
    path = f"notebooks/{notebook}.ipynb"
    stem = notebook.replace("/", "__")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    n_outside = len(outside)
    entry: dict = {}
    try:
        t0 = time.monotonic()
        page.goto(f"{server}/lab/index.html?path={path}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook", timeout=KERNEL_READY_TIMEOUT_MS)
        page.wait_for_function(KERNEL_READY_JS, timeout=KERNEL_READY_TIMEOUT_MS, polling=100)
        entry["kernel_ready_s"] = round(time.monotonic() - t0, 1)

        # The site serves the notebooks as saved, outputs included: clear them, so that
        # every prompt and output checked below comes from this run.
        _menu(page, "Edit", "Clear Outputs of All Cells")
        prompts = page.evaluate(PROMPTS_JS)
        assert prompts and all(re.fullmatch(r"\[\s*\]:?", t) for t in prompts), (
            f"{path}: saved outputs were not cleared: {prompts[:5]}"
        )
        t1 = time.monotonic()
        _menu(page, "Run", "Run All Cells")
        if not notebook.startswith("solutions/"):
            page.wait_for_function(
                f"(note) => document.querySelector('.jp-Notebook .jp-OutputArea-output img')"
                f" !== null || ({RUN_ALL_DONE_JS})(note)",
                arg=FONT_CACHE_NOTE, timeout=RUN_ALL_TIMEOUT_MS, polling=100,
            )  # fmt: skip
            if page.locator(".jp-Notebook .jp-OutputArea-output img").count():
                entry["first_plot_s"] = round(time.monotonic() - t1, 1)
        page.wait_for_function(
            RUN_ALL_DONE_JS, arg=FONT_CACHE_NOTE, timeout=RUN_ALL_TIMEOUT_MS, polling=250
        )
        page.wait_for_timeout(500)  # late widget views
        entry["run_all_s"] = round(time.monotonic() - t1, 1)

        errors = [e for e in page.evaluate(SITE_ERRORS_JS) if not _is_font_cache_note(e)]
        assert not errors, f"{path}: error output after Run All:\n" + "\n---\n".join(errors)
        prompts = page.evaluate(PROMPTS_JS)
        not_run = [i for i, t in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:?", t)]
        assert not not_run, f"{path}: code cells {not_run} did not run (prompts {prompts})"
        entry["code_cells"] = len(prompts)

        n_explorers = page.locator(".l2l-explorer").count()
        entry["explorers"] = n_explorers
        if not notebook.startswith("solutions/"):
            assert n_explorers > 0, f"{path}: no explorer after Run All"
            entry["slider"] = _move_one_slider(page, stem)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"))
        errors = [e for e in page.evaluate(SITE_ERRORS_JS) if not _is_font_cache_note(e)]
        assert not errors, f"{path}: error output after the slider moves:\n" + "\n".join(errors)
        assert len(outside) == n_outside, (
            f"{path}: requests to hosts other than 127.0.0.1 (refused): {outside[n_outside:]}"
        )
        entry["ok"] = True
    except Exception:
        entry["ok"] = False
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{stem}__FAILED.png"))
        except Exception:  # the page may be gone; the original error matters
            pass
        print(f"browser console ({len(console)} lines), last ones:", *console[-15:], sep="\n  ")
        raise
    finally:
        RESULTS["notebooks"][notebook] = entry
        print(f"\n{path}: {entry}")
        page.close()


def _is_font_cache_note(error: str) -> bool:
    return error.split(": ", 1)[-1].strip() == FONT_CACHE_NOTE


def _menu(page, menu: str, item: str) -> None:
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


# Arms one measured drag, like the browser journey's ARM_JS but for the mouse: from the first
# pointer move with the button down to the first animation frame at which the explorer's
# image has a new src that has loaded. (In this JupyterLab 4.4 front end an arrow key on a
# focused slider handle goes to the notebook, which scrolls away, so the test drags the handle
# as a student with a mouse or a finger does.)
ARM_DRAG_JS = """
() => {
  const img = document.querySelector('.l2l-explorer img.l2l-explorer-image');
  const m = {oldSrc: img.src, start: null, redrawn: null};
  window.__l2lDrag = m;
  const onMove = (e) => {
    if (e.buttons & 1) {
      m.start = e.timeStamp;
      document.removeEventListener('pointermove', onMove, true);
    }
  };
  document.addEventListener('pointermove', onMove, true);
  const tick = () => {
    if (window.__l2lDrag !== m) return;
    if (m.start !== null && img.src !== m.oldSrc && img.complete && img.naturalWidth > 0) {
      m.redrawn = performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
"""


def _move_one_slider(page, stem: str) -> dict:
    """Drag the first slider of the first explorer; every move must show a new picture."""
    explorer = page.locator(".l2l-explorer").first
    slider = explorer.locator(".widget-slider").first
    label = (slider.locator(".widget-label").first.text_content() or "").strip()
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    image = explorer.locator("img.l2l-explorer-image")
    page.wait_for_timeout(1000)  # Run All's last scroll
    slider.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.l2l-explorer img.l2l-explorer-image');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=MOVE_TIMEOUT_MS,
    )
    samples, values = [], [readout.inner_text()]
    now, top = handle.evaluate(
        "h => [parseFloat(h.getAttribute('aria-valuenow')),"
        " parseFloat(h.getAttribute('aria-valuemax'))]"
    )
    sign = -1 if now >= top - 1e-9 else 1  # a slider that starts at its maximum drags left first
    for move, dx in enumerate([sign * d for d in [30, -45, 30, -30, 45][: 1 + SLIDER_MOVES]]):
        slider.scroll_into_view_if_needed()
        box = handle.bounding_box()
        assert box is not None, f"slider {label!r}: its handle is not on screen"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.evaluate(ARM_DRAG_JS)
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + dx, y)
        page.mouse.up()
        try:
            page.wait_for_function("() => window.__l2lDrag.redrawn !== null",
                                   timeout=MOVE_TIMEOUT_MS)  # fmt: skip
        except Exception:
            state = page.evaluate("() => window.__l2lDrag")
            raise AssertionError(
                f"slider {label!r}: drag {move + 1} ({dx:+d} px) did not redraw in "
                f"{MOVE_TIMEOUT_MS} ms (slider at {readout.inner_text()!r}; {state})"
            ) from None
        m = page.evaluate("() => window.__l2lDrag")
        values.append(readout.inner_text())
        assert values[-1] != values[-2], (
            f"slider {label!r}: drag {move + 1} left it at {values[-1]}"
        )
        if move >= 1:  # the first move is a warm-up
            samples.append(round(m["redrawn"] - m["start"], 1))
    assert image.evaluate("el => el.naturalWidth") > 0
    explorer.screenshot(path=str(SCREENSHOTS / f"{stem}__explorer0.png"))
    return {
        "label": label,
        "values": values,
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": max(samples),
        "samples_ms": samples,
    }


# --------------------------------------------------------------------------- report


def _write_report() -> None:
    if not RESULTS["notebooks"]:
        return
    REPORTS.mkdir(parents=True, exist_ok=True)
    build = RESULTS.get("build", {})
    RESULTS["meta"] = {
        "date_utc": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "cpu_count": os.cpu_count(),
        "method": "headless Chromium, one browser context (cold HTTP cache for the first "
        "notebook, warm after); kernel ready = page load to an idle kernel; first plot = "
        "Run All to the first image output; slider = first pointer move of a drag of the "
        "first explorer's first slider to new loaded pixels (median of 4 drags after a warm-up)",
    }
    (REPORTS / "site.json").write_text(json.dumps(RESULTS, indent=1) + "\n")
    rows = []
    for nb, e in RESULTS["notebooks"].items():
        s = e.get("slider") or {}
        rows.append(
            f"| {nb} | {'yes' if e.get('ok') else 'NO'} | {e.get('kernel_ready_s', '')} "
            f"| {e.get('first_plot_s', '')} | {e.get('run_all_s', '')} "
            f"| {s.get('label', '')} {s.get('median_ms', '')} |"
        )
    size = build.get("size_bytes")
    md = f"""# The zero-install site in headless Chromium, offline

Written by `tests/test_site.py`; {RESULTS["meta"]["date_utc"]}, {os.cpu_count()} cores.
Site: {build.get("mode", "?")} build, {size / 1e6 if size else 0:.0f} MB,
built in {build.get("build_seconds", "?")} s
({build.get("with_downloads_seconds", "?")} s with fetching and checking the downloads).

| notebook | ran clean | kernel ready (s) | first plot (s) | Run All (s) | slider, median (ms) |
|---|---|---:|---:|---:|---|
{chr(10).join(rows)}

{RESULTS["meta"]["method"]}.
"""
    (REPORTS / "site.md").write_text(md)


# --------------------------------------------------------------------------- build checks


def _build_site_module():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_site
    finally:
        sys.path.remove(str(REPO / "tools"))
    return build_site


def test_a_pyodide_file_that_differs_from_the_official_lock_is_refused(tmp_path):
    """No browser, no download: the check the build applies to every Pyodide package file."""
    import hashlib
    import zipfile

    build_site = _build_site_module()
    good, bad = b"the real wheel", b"a tampered wheel"
    lock = {
        "packages": {
            "good": {"file_name": "good-1.0-py3-none-any.whl", "depends": [],
                     "sha256": hashlib.sha256(good).hexdigest()},
            "bad": {"file_name": "bad-1.0-py3-none-any.whl", "depends": [],
                    "sha256": hashlib.sha256(b"what the lock says").hexdigest()},
            "gone": {"file_name": "gone-1.0-py3-none-any.whl", "depends": [],
                     "sha256": "0" * 64},
        }
    }  # fmt: skip
    source = tmp_path / "source.whl"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr(build_site.PACKAGES_PREFIX + "good-1.0-py3-none-any.whl", good)
        zf.writestr(build_site.PACKAGES_PREFIX + "bad-1.0-py3-none-any.whl", bad)
    assert build_site.verified_package_files(source, lock, ["good"]) == {
        "good-1.0-py3-none-any.whl": good
    }
    with pytest.raises(build_site.SiteBuildError) as err:
        build_site.verified_package_files(source, lock, ["good", "bad", "gone"])
    message = str(err.value)
    assert f"bad-1.0-py3-none-any.whl (bad): sha256 {hashlib.sha256(bad).hexdigest()}" in message
    assert lock["packages"]["bad"]["sha256"] in message
    assert "gone-1.0-py3-none-any.whl (gone): not in source.whl" in message
    assert "good-1.0" not in message

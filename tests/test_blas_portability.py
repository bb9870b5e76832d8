"""The saved outputs hold under a second BLAS kernel (CONTRIBUTING, "Saving notebooks").

OpenBLAS picks a kernel for the CPU it runs on (SkylakeX on AVX-512, Haswell, Zen, ARMV8 ...),
and the kernels sum in different orders, so a printed value at rounding-noise level differs from
one machine to the next (05 once printed a collapsed variance of 3.6e-14 on one machine and
1.4e-14 on another). Strict nbval on one machine cannot see that. This test runs strict nbval
over notebooks/ once more, in a subprocess whose OpenBLAS is forced onto another kernel with
``OPENBLAS_CORETYPE``: ``Prescott`` (OpenBLAS's oldest x86-64 kernel, runs on any x86-64 CPU)
or ``ARMV8`` (the generic 64-bit ARM kernel). If the suite itself already runs under a forced
kernel, the second run uses the machine's own one instead.

It first checks, in a subprocess, that the variable is honoured: threadpoolctl must report a
different architecture for numpy's and for scipy's OpenBLAS (scipy bundles its own). The nbval
options are pyproject's addopts (the subprocess runs ``python -m pytest notebooks`` from the
repository root). Its output goes to build/reports/ (ignored), so ``git status`` stays clean.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "build" / "reports"
ANSI = re.compile(r"(\x1b|#x1B)\[[0-9;]*m")  # colours, raw or as junit-xml escapes them
#: The second kernel per machine type, and the names threadpoolctl reports for it.
SECOND_KERNEL = {
    "x86_64": ("Prescott", {"prescott", "katmai"}),  # OpenBLAS reports Prescott as "Katmai"
    "amd64": ("Prescott", {"prescott", "katmai"}),
    "aarch64": ("ARMV8", {"armv8"}),
    "arm64": ("ARMV8", {"armv8"}),
}
PROBE = """
import json
import numpy, scipy.linalg  # scipy.linalg loads scipy's own OpenBLAS
from threadpoolctl import threadpool_info
print(json.dumps({
    info["filepath"]: info.get("architecture")
    for info in threadpool_info() if info.get("internal_api") == "openblas"
}))
"""


def _openblas_architectures(env: dict[str, str]) -> dict[str, str]:
    """{library path: architecture} of every OpenBLAS numpy and scipy load, under ``env``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"the BLAS probe failed under {_forced(env)}:\n{done.stderr}"
    return json.loads(done.stdout)


def _forced(env: dict[str, str]) -> str:
    value = env.get("OPENBLAS_CORETYPE")
    return f"OPENBLAS_CORETYPE={value}" if value else "the machine's own kernel"


def _second_environment() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(env of the second run, architectures now, architectures in the second run)."""
    machine = platform.machine().lower()
    if machine not in SECOND_KERNEL:
        pytest.skip(f"no second OpenBLAS kernel is known for a {platform.machine()} CPU")
    pytest.importorskip(
        "threadpoolctl", reason="threadpoolctl (requirements-dev.txt) names kernels"
    )
    coretype, names = SECOND_KERNEL[machine]
    here = dict(os.environ)
    now = _openblas_architectures(here)
    if not now:
        pytest.skip("numpy and scipy use no OpenBLAS here (e.g. Accelerate): no kernel to switch")
    if "OPENBLAS_CORETYPE" in here:  # the suite runs under a forced kernel: try the machine's own
        second = {k: v for k, v in here.items() if k != "OPENBLAS_CORETYPE"}
    else:
        if {arch.lower() for arch in now.values()} <= names:
            pytest.skip(f"OpenBLAS already runs its {coretype} kernel here: {now}")
        second = {**here, "OPENBLAS_CORETYPE": coretype}
    then = _openblas_architectures(second)
    if "OPENBLAS_CORETYPE" in here and then == now:
        pytest.skip(f"{_forced(here)} is this machine's own kernel ({now}): no second one to try")
    same = {lib: arch for lib, arch in now.items() if then.get(lib) == arch}
    assert set(then) == set(now) and not same, (
        f"{_forced(second)} is not honoured: threadpoolctl reports the same kernel for "
        f"{sorted(same) or 'every library'} (now {now}, then {then}). Without a second kernel this "
        "test checks nothing; an OpenBLAS built without DYNAMIC_ARCH ignores the variable."
    )
    return second, now, then


def _failures(junit: Path) -> list[str]:
    """'notebooks.05_gmm_em.ipynb::Cell 16' and what nbval says differs, per failing cell."""
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for bad in [*case.iter("failure"), *case.iter("error")]:
            text = ANSI.sub("", (bad.get("message") or "") + "\n" + (bad.text or ""))
            lines = [line.rstrip() for line in text.splitlines() if line.strip()]
            after = lines.index("Traceback:") + 1 if "Traceback:" in lines else 0
            shown = [line for line in lines if re.match(r"Cell \d+:", line)][:1] + lines[after:][:8]
            found.append(
                f"{case.get('classname')}::{case.get('name')}\n      " + "\n      ".join(shown)
            )
    return found


@pytest.mark.timeout(1800)
def test_saved_outputs_hold_under_a_second_blas_kernel():
    env, now, then = _second_environment()
    REPORTS.mkdir(parents=True, exist_ok=True)
    junit = REPORTS / "blas_portability.xml"
    log = REPORTS / "blas_portability.txt"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", f"--junitxml={junit}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
    )
    log.write_text(done.stdout + done.stderr)
    if done.returncode == 0:
        return
    failures = _failures(junit) if junit.is_file() else []
    pytest.fail(
        f"strict nbval fails under {_forced(env)} (OpenBLAS {sorted(set(then.values()))}, "
        f"against {sorted(set(now.values()))} in this run): a saved output depends on the "
        "BLAS kernel. Print what is stable (a rounded value, 'below 1e-12'), never rounding "
        f"noise. Failing cells (nbval counts code cells from 0):\n  "
        + ("\n  ".join(failures) or "(none parsed)")
        + f"\nFull output: {log.relative_to(ROOT)}",
        pytrace=False,
    )

"""Links a reader follows: every relative link in the README, CONTRIBUTING and the notebooks
resolves, each lesson links the lessons before and after it and its worked solutions, and
each solutions notebook links back to its lesson."""

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def _relative_links(path: Path) -> list[str]:
    links = [t.split("#", 1)[0] for t in LINK.findall(_markdown(path))]
    return [t for t in links if t and not re.match(r"[a-z]+:", t)]


DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "data" / "README.md"]


@pytest.mark.parametrize("path", DOCS + LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    broken = [t for t in _relative_links(path) if not (path.parent / t).exists()]
    assert not broken, f"{path.relative_to(ROOT)} links to missing {broken}"


@pytest.mark.parametrize("i", range(len(LESSONS)), ids=[p.stem for p in LESSONS])
def test_each_lesson_links_its_neighbours_and_its_solutions(i):
    path = LESSONS[i]
    links = set(_relative_links(path))
    want = {f"../notebooks/solutions/{path.stem}_solutions.ipynb"}
    if i > 0:
        want.add(f"../notebooks/{LESSONS[i - 1].name}")
    if i + 1 < len(LESSONS):
        want.add(f"../notebooks/{LESSONS[i + 1].name}")
    assert want <= links, f"{path.name} should link {sorted(want - links)}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_copied_to_my_work_keeps_its_links(path):
    """The README tells students to keep their own copies in my-work/: a lesson's links go
    through ../notebooks/, so they work from notebooks/, from my-work/ and on the site."""
    copy_dir = ROOT / "my-work"
    broken = [t for t in _relative_links(path) if not Path(os.path.normpath(copy_dir / t)).exists()]
    assert not broken, f"{path.name} copied to my-work/ would link to missing {broken}"


def test_every_lesson_has_a_solutions_notebook_that_links_back():
    names = {p.name for p in SOLUTIONS}
    for lesson in LESSONS:
        solution = f"{lesson.stem}_solutions.ipynb"
        assert solution in names, f"notebooks/solutions/{solution} is missing"
        back = _relative_links(ROOT / "notebooks" / "solutions" / solution)
        assert f"../{lesson.name}" in back, f"{solution} should link back to ../{lesson.name}"


def test_readme_says_where_the_solutions_are():
    assert "notebooks/solutions/" in (ROOT / "README.md").read_text()

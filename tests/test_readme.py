"""The README's promises: a student's command first, an instructor's test command, CI runs the
test one, every notebook is on the map."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _section(heading):
    return README.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]


STUDENTS = _section("Start here (students)")
INSTRUCTORS = _section("For instructors: the test suite")


def _commands():
    (open_cmd,) = re.findall(r"```bash\n(.+?)\n```", STUDENTS, re.S)
    (test_cmd,) = re.findall(r"```bash\n(.+?)\n```", INSTRUCTORS, re.S)
    return open_cmd, test_cmd


def test_one_command_for_students_one_for_instructors():
    open_cmd, test_cmd = _commands()
    assert "\n" not in open_cmd and "\n" not in test_cmd
    assert open_cmd.startswith("python3 -m venv .venv && ") and "jupyter lab" in open_cmd
    assert "-r requirements.txt " in open_cmd, "students install the lessons' set only"
    assert test_cmd.startswith("python3 -m venv .venv && ") and test_cmd.endswith("pytest")
    assert "-r requirements-dev.txt " in test_cmd
    assert README.index("## Start here (students)") < README.index("## For instructors")


def test_the_root_note_comes_before_the_students_command():
    """A root user who runs the command first waits for an error: the note must come first."""
    assert "--allow-root" in STUDENTS
    assert STUDENTS.index("--allow-root") < STUDENTS.index("```bash")


def test_ci_runs_the_readme_test_command_verbatim():
    _, test_cmd = _commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci_lines, ".ci/run must run the README's test command as written"


def test_the_open_command_serves_the_repository_and_opens_the_first_lesson():
    """Served from the repository root (data/ visible), with the printed URL on lesson 01."""
    open_cmd, _ = _commands()
    url = re.search(r"--LabApp\.default_url=/lab/tree/(\S+)$", open_cmd)
    assert url, "the open command should end with --LabApp.default_url=/lab/tree/<first lesson>"
    first = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
    assert url.group(1) == f"notebooks/{first.name}"


def test_commands_in_docs_use_the_virtual_environment():
    """`python tools/...` fails outside .venv (ModuleNotFoundError); docs say .venv/bin/python."""
    for doc in ("README.md", "CONTRIBUTING.md"):
        text = (ROOT / doc).read_text()
        bare = re.findall(r"(?<![/\w])python (?:tools|benchmarks|-m)\S*", text)
        assert not bare, f"{doc}: use .venv/bin/python, not bare {bare}"


def test_every_notebook_is_on_the_map_in_order():
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    positions = [README.find(f"[`{name}`](notebooks/{name})") for name in names]
    assert -1 not in positions, f"README must link every notebook: {names}"
    assert positions == sorted(positions)


def test_linked_files_exist():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"README links to missing {target}"


def test_no_merge_conflict_markers_anywhere():
    """A merge left unresolved must never land (docs are not parsed by anything else)."""
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "data" / "README.md"]:
        text = path.read_text()
        for marker in ("<<<<<<< ", "\n=======\n", ">>>>>>> "):
            assert marker not in text, f"{path.name} has a merge-conflict marker {marker.strip()!r}"

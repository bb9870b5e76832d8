"""The README's promises: two commands, CI runs the test one, every notebook is on the map."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
TWO_COMMANDS = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]


def _commands():
    return re.findall(r"```bash\n(.+?)\n```", TWO_COMMANDS, re.S)


def test_exactly_two_commands_one_opens_one_tests():
    open_cmd, test_cmd = _commands()
    assert "\n" not in open_cmd and "\n" not in test_cmd
    assert open_cmd.startswith("python3 -m venv .venv && ") and "jupyter lab" in open_cmd
    assert test_cmd.startswith("python3 -m venv .venv && ") and test_cmd.endswith("pytest")
    assert "--allow-root" in TWO_COMMANDS


def test_ci_runs_the_readme_test_command_verbatim():
    _, test_cmd = _commands()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci_lines, ".ci/run must run the README's test command as written"


def test_the_notebook_the_open_command_names_exists():
    open_cmd, _ = _commands()
    target = open_cmd.rsplit(" ", 1)[1]
    assert (ROOT / target).exists(), target


def test_every_notebook_is_on_the_map_in_order():
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    positions = [README.find(f"[`{name}`](notebooks/{name})") for name in names]
    assert -1 not in positions, f"README must link every notebook: {names}"
    assert positions == sorted(positions)


def test_linked_files_exist():
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), f"README links to missing {target}"

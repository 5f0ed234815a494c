"""README.md is a page for users: at most 250 lines, with exactly two set-up-to-result
commands near the top, the second of which is what .ci/run runs."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TRAIN = ('pip install -e ".[plot]" && fastnet train --data ../shared/data/mnist --seed 12345 '
         '--save model.npz --plot curve.png')
TEST = 'pip install -e ".[test]" && FASTNET_DATA=../shared/data/mnist python -m pytest'


def test_readme_is_short_and_opens_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 250
    installs = [i for i, line in enumerate(lines) if line.startswith("pip install")]
    assert [lines[i] for i in installs] == [TRAIN, TEST]
    assert installs[-1] < 40


def test_ci_runs_the_readmes_test_command():
    run = (REPO / ".ci" / "run").read_text().splitlines()
    assert run[-1] == TEST.replace("pip install -e", "pip install -q -e")

"""A regular (non-editable) install finds its model, playbook and demo feed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("src")
    # build from a copy so the checkout is not touched (no build/ or egg-info left behind)
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(build / "repo")],
                   check=False, capture_output=True)
    src = build / "repo"
    if not (src / "pyproject.toml").exists():
        pytest.skip("could not clone the checkout")
    # the working tree may have uncommitted data (a freshly trained model): copy it over
    for folder in ("models", "responses", "triage", "tui", "training_data"):
        subprocess.run(["cp", "-r", str(REPO / folder), str(src)], check=True)
    subprocess.run(["cp", str(REPO / "pyproject.toml"), str(src)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(target), str(src)],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return target


def _run(target: Path, code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(target), "HOME": str(tmp_path)}
    env.pop("CALMREPLY_DB", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env)


def test_installed_package_finds_model_playbook_and_demo(installed, tmp_path):
    code = (
        "import triage, triage.paths as p\n"
        f"assert triage.__file__.startswith({str(installed)!r}), triage.__file__\n"
        "from triage.classifier import Classifier\n"
        "from triage.playbook import Playbook\n"
        "clf = Classifier.load()\n"
        "print(clf.predict(['your app ate my money and support ignores me'])[0].label)\n"
        "pb = Playbook.load()\n"
        "assert p.demo_feed().is_file()\n"
        f"assert str(p.models_dir()).startswith({str(installed)!r}), p.models_dir()\n"
        f"assert str(p.responses_dir()).startswith({str(installed)!r})\n"
        "print('ok')\n"
    )
    result = _run(installed, code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_installed_cli_runs_the_demo_headless(installed, tmp_path):
    code = ("import sys; from triage.cli import main;"
            f" sys.exit(main(['demo', '--no-ui', '--db', {str(tmp_path / 'd.db')!r}]))")
    result = _run(installed, code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "mentions" in result.stdout

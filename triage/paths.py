"""Where calmreply finds its data: the database, the shipped model and the playbook.

In a checkout the data folders sit at the repository root; in a regular install they
are package data under ``calmreply_data``.  Both must work, so every lookup goes
through here.
"""

from __future__ import annotations

import importlib.util
import os
from importlib import resources
from pathlib import Path

import platformdirs

APP = "calmreply"
_REPO = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The folder for one of the data folders: models, responses, training_data."""
    checkout = _REPO / name
    if (_REPO / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    try:
        spec = importlib.util.find_spec(f"calmreply_data.{name}")
    except ModuleNotFoundError:
        spec = None
    # a namespace package may span several folders (an editable and a regular install):
    # take the first real one
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    raise FileNotFoundError(f"calmreply's '{name}' data folder is missing; reinstall calmreply")


def models_dir() -> Path:
    return data_dir("models")


def responses_dir() -> Path:
    return data_dir("responses")


def training_data_dir() -> Path:
    return data_dir("training_data")


def demo_feed() -> Path:
    return Path(str(resources.files("triage.demo") / "feed.jsonl"))


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_db_path() -> Path:
    """`$CALMREPLY_DB` if set, else calmreply.db in the user data dir."""
    env = os.environ.get("CALMREPLY_DB")
    if env:
        return Path(env).expanduser()
    return user_data_dir() / "calmreply.db"

"""Fixtures of the screening tests: the deduplicated demo project, fresh per test (``review``, on each
store backend) or copied from a module template (``location``, SQLite)."""

from __future__ import annotations

import shutil

import pytest

from logicmap.api import Review
from logicmap.demo import DEMO_EXPORTS, demo_data_dir


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The demo exports imported and deduplicated once per module."""
    path = tmp_path_factory.mktemp("service") / "template.db"
    with Review.create(path) as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
    return path


@pytest.fixture
def location(template, tmp_path):
    """A copy of the template project for one test."""
    path = tmp_path / "review.db"
    shutil.copy(template, path)
    return path


@pytest.fixture
def review(project_location):
    """The demo exports imported and deduplicated into a fresh project (SQLite and PostgreSQL)."""
    with Review.create(project_location) as review:
        for name in DEMO_EXPORTS:
            review.records.import_files([demo_data_dir() / name])
        review.dedupe.run()
        yield review

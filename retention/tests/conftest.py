from __future__ import annotations

import importlib

import pytest
from django.apps import apps


@pytest.fixture
def default_schedule(db: None) -> None:
    """The default retention schedule, which a data migration loads: a transactional test
    that runs after another one finds the tables flushed, so it loads the schedule again."""
    migration = importlib.import_module("retention.migrations.0002_default_schedule")
    migration.load(apps, None)

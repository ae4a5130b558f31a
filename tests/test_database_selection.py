"""The `database` mark that CI uses to run tests on PostgreSQL too covers every test that
touches the database (tests/conftest.py sets it and guards it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import conftest


def test_tests_using_the_app_are_marked_database(request, db):
    assert request.node.get_closest_marker("database") is not None


def test_pure_tests_are_not_marked(request):
    assert request.node.get_closest_marker("database") is None


def test_a_connection_from_an_unmarked_test_is_noticed():
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    engine.dispose()
    assert conftest._connections == ["sqlite3"], "the guard would not fail this test"
    conftest._connections.clear()  # the guard's teardown would fail this test otherwise


@pytest.mark.own_database
def test_a_test_with_a_database_of_its_own_may_connect(request):
    assert request.node.get_closest_marker("database") is None
    engine = sa.create_engine("sqlite://")
    with engine.connect():
        pass
    engine.dispose()  # the guard's teardown lets it pass

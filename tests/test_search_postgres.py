"""The search checks of tests/test_search.py against a real PostgreSQL.

The server is started here for the session (Debian's PostgreSQL via
tests/servers/postgres.py); the tests never skip, CI or not.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from search import SearchIndex, SearchQuery, open_index
from search.postgres_fts import PostgresSearchIndex
from tests.servers.postgres import PostgresServer, start_postgres
from tests.test_search import CORPUS, A, BackendChecks


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        if request.session.testsfailed:
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_sep("-", "PostgreSQL log (tail)")
                reporter.write_line(server.log_tail())
        server.stop()


class TestPostgres(BackendChecks):
    @pytest.fixture(scope="class")
    @classmethod
    def index(cls, postgres: PostgresServer) -> Iterator[SearchIndex]:
        idx = open_index(postgres.new_database())
        idx.index_pages(CORPUS)
        idx.optimize()
        yield idx
        idx.close()

    @pytest.fixture
    def fresh(self, postgres: PostgresServer) -> Iterator[SearchIndex]:
        idx = open_index(postgres.new_database())
        yield idx
        idx.close()

    @pytest.fixture
    def fresh_url(self, postgres: PostgresServer) -> str:
        return postgres.new_database()

    def test_backend_and_tables(self, index: SearchIndex, postgres: PostgresServer) -> None:
        assert isinstance(index, PostgresSearchIndex)
        url = index.engine.url
        indexes = postgres.psql("SELECT indexname FROM pg_indexes"
                                " WHERE tablename = 'search_pages' ORDER BY 1",
                                database=str(url.database))
        assert "search_pages_folded" in indexes.split()

    def test_plain_postgresql_url_uses_psycopg(self, postgres: PostgresServer) -> None:
        url = postgres.new_database().replace("postgresql+psycopg://", "postgresql://")
        with open_index(url) as idx:
            idx.index_pages(CORPUS[:2])
            result = idx.search(SearchQuery("tran thi bich", [A]))
            assert result.total == 2

    def test_word_too_long_for_postgres_matches_nothing(self, index: SearchIndex) -> None:
        word = "ữ" * 800  # 2,400 bytes: more than a PostgreSQL lexeme may hold
        assert index.search(SearchQuery(word, [A])).total == 0
        assert index.search(SearchQuery(f"nguyen {word[:700]}*", [A])).total == 0

"""The migrations build exactly the schema the models declare (on both databases)."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, text

from portal.extensions import db


def _on_an_expression(index) -> bool:
    return any(not isinstance(part, Column) for part in index.expressions)


def _expression_indexes() -> set[str]:
    return {
        index.name
        for table in db.metadata.tables.values()
        for index in table.indexes
        if _on_an_expression(index)
    }


def _not_optional(item, name, type_, reflected, compare_to) -> bool:
    # Trigram indexes (migration 0021) exist only where PostgreSQL has pg_trgm.
    return not (type_ == "index" and name.endswith("_trgm"))


def test_the_migrations_build_the_schema_the_models_declare(app):
    # A model change without its migration (or the reverse) shows here as a difference:
    # a column, index, constraint or type that one side has and the other has not.
    with db.engine.connect() as connection:
        with warnings.catch_warnings():
            # SQLite's reflection cannot read an index on an expression (Alembic says so and
            # leaves it out): those are looked up by name below.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified")
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _not_optional}
            )
            assert compare_metadata(context, db.metadata) == []
        if connection.dialect.name == "sqlite":
            names = connection.execute(text("SELECT name FROM sqlite_master WHERE type='index'"))
            assert _expression_indexes() <= set(names.scalars())

"""The migrations build exactly the schema the models declare (on both databases)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db


def test_the_migrations_build_the_schema_the_models_declare(app):
    # A model change without its migration (or the reverse) shows here as a difference:
    # a column, index, constraint or type that one side has and the other has not.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []

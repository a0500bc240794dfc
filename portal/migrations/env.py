"""Alembic environment: the app's engine and models, batch mode for SQLite."""

from alembic import context
from flask import current_app

from portal.extensions import db
from portal.models import metadata


def run_migrations_offline() -> None:
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


assert current_app, "migrations run inside the Flask app (flask portal init)"
if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

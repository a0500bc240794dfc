"""What the database holds, read back as text: for tests that prove a secret is not at rest."""

from sqlalchemy import Text, cast, select

from portal.extensions import db


def everything_stored() -> str:
    """Every column of every row of every table, as the database renders it as text."""
    db.session.commit()
    texts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(*(cast(c, Text) for c in table.columns))):
            texts.extend(value for value in row if value is not None)
    return "\n".join(texts)

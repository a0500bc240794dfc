"""The yardstick of the page and API benches: a bare Flask app, served by the same gunicorn
settings as `portal serve`, reading the same PostgreSQL database (BARE_DATABASE_URL) with
SQLAlchemy Core and one query per request.

- `/users/<directory_id>?page=N&q=...`: a Jinja table of 25 directory users, as portal's
  users page shows (same order, same search over name, username and email);
- `/organizations/<id>`: the organization's row as JSON, with its domains in the same query.
"""

import os

from flask import Flask, abort, render_template_string, request
from sqlalchemy import create_engine, text

PER_PAGE = 25
TABLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Users</title></head>
<body><main><h1>Users</h1>
<table><thead><tr><th>Name</th><th>Username</th><th>Email</th><th>Status</th></tr></thead>
<tbody>{% for user in users %}<tr><td>{{ user.display_name }}</td><td>{{ user.user_name }}</td>
<td>{{ user.email }}</td><td>{{ "Active" if user.active else "Inactive" }}</td></tr>
{% endfor %}</tbody></table><p>Page {{ page }}</p></main></body></html>"""
USERS = text(
    "SELECT id, display_name, user_name, email, active FROM directory_users"
    " WHERE directory_id = :directory AND (:pattern = '' OR lower(display_name) LIKE :pattern"
    " OR lower(user_name) LIKE :pattern OR lower(email) LIKE :pattern)"
    " ORDER BY user_name_key, id OFFSET :offset LIMIT :limit"
)
ORGANIZATION = text(
    "SELECT o.id, o.name, o.external_id, o.created_at, o.updated_at,"
    " coalesce(json_agg(json_build_object('id', d.id, 'domain', d.domain, 'state', d.state))"
    " FILTER (WHERE d.id IS NOT NULL), '[]') AS domains"
    " FROM organizations o LEFT JOIN organization_domains d ON d.organization_id = o.id"
    " WHERE o.id = :id GROUP BY o.id"
)

app = Flask(__name__)
engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_size=4)


@app.get("/users/<directory_id>")
def users(directory_id):
    page = max(1, request.args.get("page", 1, type=int))
    query = request.args.get("q", "").strip().lower()
    pattern = f"%{query}%" if query else ""
    arguments = {"offset": (page - 1) * PER_PAGE, "limit": PER_PAGE}
    with engine.connect() as connection:
        rows = connection.execute(
            USERS, {"directory": directory_id, "pattern": pattern, **arguments}
        ).all()
    return render_template_string(TABLE, users=rows, page=page)


@app.get("/organizations/<organization_id>")
def organization(organization_id):
    with engine.connect() as connection:
        row = connection.execute(ORGANIZATION, {"id": organization_id}).mappings().first()
    if row is None:
        abort(404)
    return {
        "object": "organization",
        **row,
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }

import re

from sqlalchemy import inspect, select

from portal.extensions import db
from portal.models import ApiKey, DashboardUser, Organization
from portal.services.account import credentials


def test_init_is_idempotent_and_creates_every_table(runner):
    for _ in range(2):
        result = runner.invoke(args=["portal", "init"])
        assert result.exit_code == 0, result.output
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "organizations",
        "organization_domains",
        "api_keys",
        "dashboard_users",
        "portal_links",
        "portal_sessions",
        "environments",
    } <= tables


def test_create_api_key_prints_client_id_then_a_working_secret_last(runner):
    result = runner.invoke(args=["portal", "create-api-key", "--name", "billing app"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    client_ids = re.findall(r"\bclient_[0-9A-Z]{26}\b", result.output)
    assert client_ids == [credentials.environment().client_id]
    secret = lines[-1]
    assert secret.startswith("sk_")
    key = credentials.authenticate_api_key(secret)
    assert key is not None and key.name == "billing app"


def test_create_api_key_stores_only_a_hash_of_the_secret(runner):
    result = runner.invoke(args=["portal", "create-api-key", "--name", "app"])
    secret = result.output.strip().splitlines()[-1]
    key = db.session.scalars(select(ApiKey)).one()
    stored = " ".join(str(value) for value in vars(key).values())
    assert secret not in stored
    assert key.display_prefix == secret[:10]


def test_create_api_key_with_replace_revokes_the_earlier_key(runner):
    first = runner.invoke(args=["portal", "create-api-key", "--name", "dev"]).output
    second = runner.invoke(args=["portal", "create-api-key", "--name", "dev", "--replace"]).output
    assert credentials.authenticate_api_key(first.strip().splitlines()[-1]) is None
    assert credentials.authenticate_api_key(second.strip().splitlines()[-1]) is not None


def test_create_api_key_if_missing_keeps_an_active_key_and_prints_no_secret(runner):
    first = runner.invoke(args=["portal", "create-api-key", "--name", "demo", "--if-missing"])
    secret = first.output.strip().splitlines()[-1]
    again = runner.invoke(args=["portal", "create-api-key", "--name", "demo", "--if-missing"])
    assert again.exit_code == 0, again.output
    assert "is kept" in again.output and secret not in again.output
    assert credentials.authenticate_api_key(secret) is not None
    assert db.session.scalars(select(ApiKey)).all() == [credentials.active_api_key_named("demo")]
    credentials.revoke_api_key(credentials.active_api_key_named("demo").id)
    after_revoke = runner.invoke(
        args=["portal", "create-api-key", "--name", "demo", "--if-missing"]
    )
    assert after_revoke.output.strip().splitlines()[-1].startswith("sk_")


def test_create_user_then_sign_in_with_that_password(runner):
    result = runner.invoke(
        args=[
            "portal",
            "create-user",
            "--email",
            "Dev@Example.com",
            "--password",
            "a long passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(DashboardUser)).one()
    assert user.email == "dev@example.com"
    assert "a long passphrase" not in user.password_hash
    assert credentials.check_dashboard_password("dev@example.com", "a long passphrase") == user
    assert credentials.check_dashboard_password("dev@example.com", "wrong password!") is None


def test_create_user_refuses_bad_input_with_a_clear_message(runner):
    short = runner.invoke(
        args=["portal", "create-user", "--email", "a@b.co", "--password", "short"]
    )
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    bad_email = runner.invoke(
        args=["portal", "create-user", "--email", "not-an-email", "--password", "long enough pass"]
    )
    assert bad_email.exit_code == 1
    assert "not an email address" in bad_email.output
    runner.invoke(args=["portal", "create-user", "--email", "a@b.co", "--password", "x" * 12])
    again = runner.invoke(
        args=["portal", "create-user", "--email", "A@b.co", "--password", "y" * 12]
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_seed_demo_creates_one_organization_with_a_pending_domain(runner):
    for _ in range(2):
        assert runner.invoke(args=["portal", "seed-demo"]).exit_code == 0
    org = db.session.scalars(select(Organization)).one()
    assert [d.state for d in org.domains] == ["pending"]
    assert org.domains[0].verification_token


def test_worker_without_redis_explains_that_none_is_needed(runner):
    result = runner.invoke(args=["portal", "worker"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output

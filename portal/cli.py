"""`flask --app app portal ...`: commands operators and scripts rely on (DESIGN: CLI contract)."""

import json
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo
from flask_migrate import upgrade

from portal.errors import Conflict, PortalError, SecretUnreadable
from portal.extensions import db
from portal.services.account import credentials
from portal.services.audit import log_streams
from portal.services.delivery import webhooks
from portal.services.directory import directories
from portal.services.onboarding import mail, onboarding, portal_links
from portal.services.operations import diagnosis
from portal.services.organizations import demo
from portal.services.sso import connections, pending_idp, sp_keys

portal_cli = AppGroup("portal", help="Manage this portal deployment.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@portal_cli.command("init")
def init_command():
    """Create or upgrade the database schema (safe to run again)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    env = credentials.environment()
    click.echo(f"Schema is up to date. Client ID: {env.client_id}")


@portal_cli.command("create-api-key")
@click.option("--name", required=True, help="What the key is for, e.g. the app using it.")
@click.option("--replace", is_flag=True, help="Revoke earlier keys with the same name.")
@click.option("--if-missing", is_flag=True, help="Keep an active key of that name if there is one.")
def create_api_key_command(name, replace, if_missing):
    """Create an API key; prints the client id, then the secret key as the last line."""
    existing = credentials.active_api_key_named(name) if if_missing else None
    if existing is not None:
        click.echo(f"Client ID: {credentials.environment().client_id}")
        click.echo(
            f"API key {existing.id} ({existing.name}, {existing.display_prefix}...) is kept; its "
            f'secret was shown when it was made. Another: portal create-api-key --name "..."'
        )
        return
    try:
        key, secret = credentials.create_api_key(name, replace=replace)
    except PortalError as error:
        _fail(error.message)
    click.echo(f"Client ID: {credentials.environment().client_id}")
    click.echo(
        f"API key {key.id} ({key.name}) created. Copy the secret now, it is not shown again:"
    )
    click.echo(secret)


@portal_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
def create_user_command(email, password):
    """Create a dashboard user."""
    try:
        user = credentials.create_dashboard_user(email, password)
    except PortalError as error:
        _fail(error.message)
    click.echo(f"Created dashboard user {user.email} ({user.id}).")


@portal_cli.command("change-password")
@click.option("--email", required=True)
@click.option("--password", required=True, help="The new password.")
def change_password_command(email, password):
    """Set a dashboard user's password; signs them out everywhere."""
    try:
        user = credentials.change_dashboard_password(email, password)
    except PortalError as error:
        _fail(error.message)
    click.echo(f"Changed the password of {user.email}; their dashboard sessions have ended.")


@portal_cli.command("remove-user")
@click.option("--email", required=True)
def remove_user_command(email):
    """Delete a dashboard user; signs them out everywhere."""
    try:
        user = credentials.remove_dashboard_user(email)
    except PortalError as error:
        _fail(error.message)
    click.echo(f"Removed dashboard user {user.email}; their dashboard sessions have ended.")


@portal_cli.command("seed-demo")
def seed_demo_command():
    """Create the demo organization with a pending domain (once)."""
    org, created = demo.seed_demo()
    verb = "Created" if created else "Found"
    click.echo(f"{verb} demo organization {org.name} ({org.id}).")


@portal_cli.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
def worker_command(burst):
    """Run an RQ worker (with scheduler) for the portal queue."""
    if not current_app.config.get("REDIS_URL"):
        _fail(
            "REDIS_URL is not set. Without Redis, jobs run inside the web process "
            "and no separate worker is needed."
        )
    from tasks.worker import run_worker

    run_worker(current_app._get_current_object(), db.engine, burst=burst)


@portal_cli.command("create-directory")
@click.option("--organization", required=True, help="The organization's id, org_...")
@click.option("--type", "directory_type", default=directories.DEFAULT_TYPE, show_default=True)
def create_directory_command(organization, directory_type):
    """Create a SCIM directory; prints JSON with its SCIM base URL and bearer token (once)."""
    try:
        directory, token = directories.create_directory(organization, directory_type)
    except PortalError as error:
        _fail(error.message)
    base_url = directories.scim_base_url(current_app.config["PORTAL_PUBLIC_URL"], directory)
    payload = {"directory_id": directory.id, "scim_base_url": base_url, "bearer_token": token}
    click.echo(json.dumps(payload))


ALL_FEATURES = ("sso", "dsync", "domain_verification")


@portal_cli.command("onboard")
@click.option("--name", help="The customer organization's name (a new organization).")
@click.option("--domain", "domains", multiple=True, help="Repeat for each (a new organization).")
@click.option("--admin-email", help="Where the setup link is emailed.")
@click.option(
    "--organization",
    "organization_id",
    help="Resume onboarding this existing organization (org_...): its active setup link is "
    "kept, or a new one is mailed to --admin-email.",
)
@click.option(
    "--feature",
    "features",
    multiple=True,
    type=click.Choice(ALL_FEATURES),
    help="What the IT admin sets up (repeatable; default: all three).",
)
@click.option("--wait", is_flag=True, help="Wait until the chosen features are live.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds --wait waits.")
@click.option("--interval", default=5.0, hidden=True, help="Seconds between checks.")
def onboard_command(name, domains, admin_email, organization_id, features, wait, timeout, interval):
    """Onboard a customer: organization, setup link emailed to the IT admin; prints JSON.

    With --organization, resumes an organization created earlier instead. With --wait,
    progress lines go to stderr and a second JSON line to stdout once each chosen feature is
    live: connection_id (SSO active), directory_id (directory linked, users syncing).
    """
    features = list(features) or list(ALL_FEATURES)
    if organization_id:
        if name or domains:
            _fail(
                "--name and --domain describe a new organization; leave them out with "
                "--organization."
            )
        org_id, link = _resume(organization_id, features, admin_email)
    else:
        org_id, link = _start(name, list(domains), admin_email, features)
    click.echo(json.dumps({"organization_id": org_id, "admin_portal_link": link}))
    if wait:
        _wait_for_setup(org_id, features, timeout, interval)


def _start(name, domains, admin_email, features) -> tuple[str, str]:
    if not (name and domains and admin_email):
        _fail(
            "Give --name, --domain and --admin-email to onboard a new organization, or "
            "--organization org_... to resume one."
        )
    try:
        mail.check_transport()  # before anything is created, so a retry starts clean
        org = onboarding.create_customer(name, domains)
    except Conflict as error:
        existing = onboarding.customer_named(name)
        hint = f" To resume it: --organization {existing.id}" if existing else ""
        _fail(error.message + hint)
    except PortalError as error:
        _fail(error.message)
    try:
        invitation = onboarding.invite_admin(org.id, features, admin_email, wait_for_mail=True)
    except PortalError as error:
        _fail(
            f"{error.message} The organization {org.id} was created; send the link with "
            f"--organization {org.id} or from the dashboard's Invite admin page."
        )
    return org.id, invitation.url


def _resume(organization_id, features, admin_email) -> tuple[str, str | None]:
    try:
        resumed = onboarding.resume_customer(organization_id, features, admin_email)
    except PortalError as error:
        _fail(error.message)
    org = resumed.organization
    if resumed.invitation:
        click.echo(f"Sent a new setup link to {admin_email}.", err=True)
        return org.id, resumed.invitation.url
    if resumed.active_link:
        link = resumed.active_link
        click.echo(
            f"Keeping the active setup link of {org.name} ({', '.join(link.intents)}, valid "
            f"until {link.expires_at:%Y-%m-%d %H:%M} UTC). Its URL was shown only when it was "
            "made; to send a new one, revoke it in the dashboard and run this again.",
            err=True,
        )
    else:
        click.echo(f"{org.name} has set up everything asked for already.", err=True)
    return org.id, None


WAITED_FOR = {
    "sso": "an active SSO connection",
    "dsync": "a linked directory with at least one user",
    "domain_verification": "a verified domain",
}


def _wait_for_setup(organization_id: str, features: list, timeout: float, interval: float):
    deadline = time.monotonic() + timeout
    reported: set[str] = set()
    while True:
        for step in onboarding.latest_checklist(organization_id):
            if step.done and step.key not in reported:
                reported.add(step.key)
                click.echo(f"done: {step.label}", err=True)
        if onboarding.is_set_up(organization_id, features):
            click.echo(json.dumps(onboarding.set_up_ids(organization_id, features)))
            return
        if time.monotonic() >= deadline:
            waited = ", ".join(WAITED_FOR[feature] for feature in features)
            _fail(
                f"Timed out after {timeout:g} seconds waiting for the IT admin to finish set-up "
                f"({waited}). {_link_state(organization_id)}"
            )
        time.sleep(interval)


def _link_state(organization_id: str) -> str:
    link = portal_links.active_setup_link(organization_id)
    if link is not None:
        return (
            f"The setup link stays valid until {link.expires_at:%Y-%m-%d %H:%M} UTC; follow "
            f"{organization_id} in the dashboard."
        )
    return (
        "The setup link is no longer active (revoked, expired, or ended once its features were "
        f"set up); send a new one with: portal onboard --organization {organization_id} "
        "--admin-email EMAIL"
    )


@portal_cli.command("doctor", with_appcontext=False)
def doctor_command():
    """Check configuration, database, Redis, workers, clocks and DNS; say what to fix."""
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except RuntimeError as error:  # create_app refuses settings it cannot run with
        _fail(f"configuration: {error}")
    with app.app_context():
        findings = diagnosis.diagnose()
    for finding in findings:
        click.echo(f"{finding.level:>8}  {finding.part:<13} {finding.says}")
    if any(finding.level == diagnosis.PROBLEM for finding in findings):
        sys.exit(1)


@portal_cli.command("rotate-secrets")
def rotate_secrets_command():
    """Re-encrypt stored secrets under the current SECRET_KEY (after moving the old key to
    SECRET_KEY_FALLBACKS); then the old key can be dropped."""
    try:
        count = webhooks.reencrypt_secrets()
        stream_count = log_streams.reencrypt_credentials()
        client_count = connections.reencrypt_secrets() + pending_idp.reencrypt_secrets()
        mail_count = mail.reseal_links()
        sp_key_count = sp_keys.reencrypt_secrets()
    except SecretUnreadable as error:
        _fail(f"{error}. Add the key that sealed it to SECRET_KEY_FALLBACKS and run this again.")
    click.echo(f"Re-encrypted {count} webhook secret(s) under the current SECRET_KEY.")
    click.echo(f"Re-encrypted {stream_count} log stream key(s) under the current SECRET_KEY.")
    click.echo(f"Re-encrypted {client_count} OIDC client secret(s) under the current SECRET_KEY.")
    click.echo(f"Re-encrypted the setup link of {mail_count} mail(s) still to be sent.")
    click.echo(f"Re-encrypted {sp_key_count} SAML SP private key(s) under the current SECRET_KEY.")

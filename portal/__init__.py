"""portal: a self-hosted Admin Portal behind a WorkOS-compatible API."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as portal_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `config` (tests)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(portal_config.from_environment(app.instance_path))
    app.config.update(config or {})
    app.config.update(portal_config.cookie_settings(app.config))
    portal_config.check_dashboard_session_settings(app.config)
    portal_config.check_production_settings(app.config)
    portal_config.check_log_format(app.config)
    portal_config.check_rate_limit_settings(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _trust_proxies(app, app.config["PORTAL_PROXY_HOPS"])

    _init_extensions(app)
    _wire_services(app)
    _register_blueprints(app)

    from portal.error_handlers import register_error_handlers
    from portal.http_hardening import register_http_hardening
    from portal.request_logs import configure_logging, register_request_logs
    from portal.web.metrics import register_metrics
    from portal.web.rate_limits import init_rate_limits

    init_rate_limits(app)
    register_error_handlers(app)
    register_http_hardening(app)
    configure_logging(app)
    register_request_logs(app)
    register_metrics(app)

    from portal.cli import portal_cli

    app.cli.add_command(portal_cli)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Believe X-Forwarded-* from `hops` proxies in front; with none, a client could forge
    its address (and dodge per-address rate limits), so the headers are ignored."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _init_extensions(app: Flask) -> None:
    from portal.cookie_sessions import CookieSessionInterface
    from portal.dashboard.auth import load_dashboard_user
    from portal.extensions import csrf, db, htmx, login_manager, migrate
    from portal.services.infra.database import end_request_session
    from portal.services.infra.queue import init_queue

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    login_manager.init_app(app)
    login_manager.user_loader(load_dashboard_user)
    csrf.init_app(app)
    htmx.init_app(app)
    init_queue(app)
    app.session_interface = CookieSessionInterface()
    app.teardown_request(end_request_session)


def _wire_services(app: Flask) -> None:
    """The hooks services rely on. Each registers once per process, however many apps it
    builds; the RQ worker builds its app here too, so jobs run with the same hooks."""
    from portal.services.account import credentials, settings_cache
    from portal.services.delivery import events, webhook_deliveries
    from portal.services.directory import group_sync, scim_access
    from portal.services.infra import database
    from portal.services.onboarding import portal_links
    from portal.services.sso import saml_compiled
    from portal.services.sso.saml_sp import apply_saml_clock_skew

    database.configure_connections()
    events.write_outbox_on_commit()
    webhook_deliveries.dispatch_after_commit()
    group_sync.apply_selection_to_events()
    portal_links.end_setup_links_on_completion()
    settings_cache.forget_on_environment_change()
    credentials.forget_keys_on_change()
    scim_access.forget_directories_on_change()
    saml_compiled.install()
    apply_saml_clock_skew(app.config["PORTAL_CLOCK_SKEW_SECONDS"])


def _register_blueprints(app: Flask) -> None:
    from portal.admin import bp as admin_bp
    from portal.api import bp as api_bp
    from portal.dashboard import bp as dashboard_bp
    from portal.extensions import csrf
    from portal.scim import bp as scim_bp
    from portal.sso import bp as sso_bp
    from portal.web.nul_refusals import refuse_nul_in_path

    csrf.exempt(api_bp)
    csrf.exempt(sso_bp)  # an IdP's POST to the ACS cannot carry our CSRF token
    # An IdP cannot carry a CSRF token; each SCIM request is authenticated by bearer token.
    csrf.exempt(scim_bp)
    app.register_blueprint(api_bp)  # WorkOS-compatible paths, at the root as WorkOS has them
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(sso_bp, url_prefix="/sso")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(scim_bp, url_prefix="/scim/v2/<directory_id>")
    # The site's front page is the dashboard's sign-in (url_for builds /dashboard/login).
    app.add_url_rule("/", endpoint="dashboard.login")
    # For every blueprint, and before any blueprint's own (scim's takes directory_id away).
    app.url_value_preprocessor(refuse_nul_in_path)

"""The layout holds: each service package imports only the packages its docstring allows, and
the app is wired explicitly by create_app, never by importing a module."""

import ast
import builtins
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "portal" / "services"
PACKAGES = sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists())


def _allowed(package: str) -> set[str]:
    doc = importlib.import_module(f"portal.services.{package}").__doc__ or ""
    found = re.search(r"^May import: (.*)$", doc, re.MULTILINE)
    assert found, f"portal/services/{package}/__init__.py does not say what it may import"
    return {name.strip(" .") for name in found.group(1).split(",") if name.strip(" .")}


def _service_packages_imported(module: Path) -> set[str]:
    imported = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["portal", "services"] and len(parts) > 2 and parts[2] in PACKAGES:
                imported.add(parts[2])
    return imported


def test_every_service_module_lives_in_a_package():
    loose = [p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py"]
    assert loose == []


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_its_docstring_allows(package):
    allowed = _allowed(package) | {package}
    offenders = {
        f"{module.relative_to(SERVICES)} imports {other}"
        for module in (SERVICES / package).rglob("*.py")
        for other in _service_packages_imported(module) - allowed
    }
    assert offenders == set()


def test_no_service_imports_job_code():
    offenders = [
        str(module.relative_to(SERVICES))
        for module in SERVICES.rglob("*.py")
        if re.search(r"^\s*(from|import) tasks\b", module.read_text(), re.MULTILINE)
    ]
    assert offenders == []


PORTAL = SERVICES.parent
ERRORS_MODULE = PORTAL / "errors.py"
BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def test_portal_errors_imports_no_flask():
    # The package's __init__ is the app factory, which needs Flask; a bare package stands in
    # for it, so only errors.py and what it imports are loaded.
    script = "\n".join(
        [
            "import sys, types",
            "package = types.ModuleType('portal')",
            f"package.__path__ = [{str(PORTAL)!r}]",
            "sys.modules['portal'] = package",
            "import portal.errors",
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'werkzeug', "
            "'flask_wtf'}))",
        ]
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def _classes(module: Path) -> list[tuple[str, list[str]]]:
    """(name, base names) of every class in the module, nested ones too."""
    return [
        (node.name, [ast.unparse(base).rpartition(".")[2] for base in node.bases])
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.ClassDef)
    ]


def _is_exception(bases: list[str], known: set[str]) -> bool:
    return any(base in known or base.endswith(("Error", "Exception")) for base in bases)


def test_every_exception_class_is_defined_in_portal_errors():
    classes = [
        (module, name, bases) for module in PORTAL.rglob("*.py") for name, bases in _classes(module)
    ]
    known = BUILTIN_EXCEPTIONS | {name for module, name, _ in classes if module == ERRORS_MODULE}
    # A subclass of an exception is one too, however deep.
    while more := {
        name for _, name, bases in classes if name not in known and _is_exception(bases, known)
    }:
        known |= more
    elsewhere = [
        f"{module.relative_to(PORTAL.parent)}: {name}"
        for module, name, bases in classes
        if module != ERRORS_MODULE and _is_exception(bases, known)
    ]
    assert elsewhere == []


# Wiring is explicit (DESIGN.md): importing a module registers nothing, and create_app
# registers each hook once however many apps a process builds. Both are checked in a fresh
# interpreter, since this one has built apps already.

OURS = ("portal.", "tasks.")
TEST_APP_CONFIG = {
    "TESTING": True,
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "SECRET_KEY": "test-secret-key",
    "REDIS_URL": None,
    "PORTAL_ENV": "development",
    "PORTAL_PUBLIC_URL": "http://portal.test",
    "PORTAL_INPROCESS_WORKER": False,
    "PORTAL_CLOCK_SKEW_SECONDS": 7,
}


def _name(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _our_listeners(target, events_class) -> list[str]:
    """`<event> <handler>` for each listener of ours on `target`, repeats included."""
    return sorted(
        f"{event} {_name(handler)}"
        for event in dir(events_class)
        if not event.startswith("_")
        for handler in getattr(target.dispatch, event, ())
        if getattr(handler, "__module__", "").startswith(OURS)
    )


def _registrations() -> dict:
    """Every hook of ours registered in this process, by name, repeats included."""
    import sqlalchemy
    from onelogin.saml2.constants import OneLogin_Saml2_Constants
    from sqlalchemy.events import ConnectionEvents, PoolEvents
    from sqlalchemy.orm import SessionEvents

    from portal.extensions import db, login_manager
    from portal.services.delivery import events
    from portal.services.sso import saml_compiled

    engine = sqlalchemy.create_engine("sqlite://")
    loader = login_manager._user_callback
    return {
        "session": _our_listeners(db.session.session_factory(), SessionEvents),
        "engine": _our_listeners(engine, ConnectionEvents),
        "pool": _our_listeners(engine.pool, PoolEvents),
        "subscribers": sorted(
            f"{event_type} {_name(handler)}"
            for event_type, handlers in events._subscribers.items()
            for handler in handlers
        ),
        "rewriters": sorted(f"{t} {_name(rewriter)}" for t, rewriter in events._rewriters.items()),
        "python3-saml": sorted(
            f"{owner.__name__}.{name}"
            for owner, name in saml_compiled.LIBRARY
            if getattr(owner, name) is not saml_compiled.LIBRARY[(owner, name)]
        ),
        "saml clock skew": OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT,
        "user loader": _name(loader) if loader else None,
    }


# Libraries too slow to import for every process start (each `portal` command, web and worker
# process); the modules that need them import them when first called.
LOADED_AT_FIRST_USE = {"scim2_models"}


def _probe(apps: int) -> dict:
    """Import every module of portal and tasks, build `apps` apps, and say what is registered
    (run in a fresh interpreter: `python -c`)."""
    import pkgutil

    from onelogin.saml2.constants import OneLogin_Saml2_Constants

    library_skew = OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT
    imported = []
    for package in ("portal", "tasks"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            imported.append(importlib.import_module(module.name).__name__)
    from portal import create_app

    for _ in range(apps):
        create_app(TEST_APP_CONFIG)
    loaded = {name.partition(".")[0] for name in sys.modules}
    return {
        "imported": imported,
        "library clock skew": library_skew,
        "loaded at first use": sorted(LOADED_AT_FIRST_USE & loaded),
        **_registrations(),
    }


def _probe_fresh_interpreter(apps: int) -> dict:
    code = (
        "import json; from tests.test_architecture import _probe; "
        f"print(json.dumps(_probe({apps})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SERVICES.parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _wiring() -> dict:
    """What create_app must register, each once."""
    from portal.services.delivery.events import EVENT_TYPES
    from portal.services.directory import group_sync
    from portal.services.onboarding.setup_progress import COMPLETION_EVENTS

    delivery, infra = "portal.services.delivery", "portal.services.infra"
    dsync = group_sync.USER_EVENTS + group_sync.GROUP_EVENTS + group_sync.MEMBERSHIP_EVENTS
    return {
        "session": [
            f"after_commit {delivery}.webhook_deliveries._dispatch_committed_events",
            "after_flush portal.services.account.settings_cache._forget_if_environment_flushed",
            f"after_flush {infra}.credential_cache._forget_changed",
            f"after_transaction_end {delivery}.events._forget_pending_events",
            f"after_transaction_end {delivery}.webhook_deliveries._forget_transaction_notes",
            f"before_commit {delivery}.events._write_pending_events",
        ],
        "engine": [],
        "pool": [
            f"checkin {infra}.database._note_checkin",
            f"checkout {infra}.database._refuse_dead_connection",
            f"connect {infra}.database._configure_sqlite",
        ],
        "subscribers": sorted(
            [f"{t} {delivery}.webhook_deliveries._note_event" for t in EVENT_TYPES]
            + [
                f"{t} portal.services.onboarding.portal_links._end_completed_setup_link"
                for t in COMPLETION_EVENTS
            ]
        ),
        "rewriters": sorted(f"{t} portal.services.directory.group_sync._rewrite" for t in dsync),
        "python3-saml": [
            "OneLogin_Saml2_Utils.parse_SAML_to_time",
            "OneLogin_Saml2_Utils.validate_node_sign",
            "OneLogin_Saml2_XML.query",
            "OneLogin_Saml2_XML.validate_xml",
        ],
        "saml clock skew": TEST_APP_CONFIG["PORTAL_CLOCK_SKEW_SECONDS"],
        "user loader": "portal.dashboard.auth.load_dashboard_user",
    }


def test_importing_every_module_registers_nothing():
    state = _probe_fresh_interpreter(apps=0)
    assert "portal.services.delivery.webhook_deliveries" in state["imported"]
    assert "tasks.worker" in state["imported"]
    nothing = {key: [] for key in ("session", "engine", "pool", "subscribers", "rewriters")}
    assert {key: state[key] for key in nothing} == nothing
    assert state["python3-saml"] == []
    assert state["saml clock skew"] == state["library clock skew"]
    assert state["user loader"] is None
    assert state["loaded at first use"] == []


def test_create_app_wires_each_hook_once_however_many_apps_it_builds():
    wiring = _wiring()
    state = _probe_fresh_interpreter(apps=2)
    assert {key: state[key] for key in wiring} == wiring


def test_no_module_is_imported_only_for_its_side_effects():
    """Blueprint packages excepted: their view modules attach routes to the package's
    blueprint, which does nothing until create_app registers it."""
    portal = SERVICES.parent
    offenders = [
        str(module.relative_to(portal))
        for module in portal.rglob("*.py")
        if "F401" in module.read_text() and not _makes_a_blueprint(module)
    ]
    assert offenders == []


def _makes_a_blueprint(module: Path) -> bool:
    return module.name == "__init__.py" and "= Blueprint(" in module.read_text()


def _names_imported_from(module: Path, source: str) -> set[str]:
    return {
        alias.name
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.ImportFrom) and node.module == source
        for alias in node.names
    }


def test_no_service_reads_flasks_request():
    offenders = [
        str(module.relative_to(SERVICES))
        for module in SERVICES.rglob("*.py")
        if "request" in _names_imported_from(module, "flask")
        or re.search(r"\bflask\.request\b", module.read_text())
    ]
    assert offenders == []


VIEW_PACKAGES = ("admin", "api", "dashboard", "scim", "sso", "web")
TRANSACTION_CALLS = {"commit", "rollback", "flush"}


def _transaction_calls(module: Path) -> list[str]:
    return [
        f"{node.func.attr}() on line {node.lineno}"
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TRANSACTION_CALLS
    ]


def test_views_and_the_cli_never_commit():
    """Services own the transaction (they commit, or roll back to read afresh); a view or a
    CLI command calls a service and never ends a transaction itself."""
    modules = [m for package in VIEW_PACKAGES for m in (PORTAL / package).rglob("*.py")]
    offenders = {
        str(module.relative_to(PORTAL)): calls
        for module in [*modules, PORTAL / "cli.py"]
        if (calls := _transaction_calls(module))
    }
    assert offenders == {}


def test_no_test_module_imports_a_conftest():
    """Fixtures reach tests through pytest; anything else tests share lives in a plain module."""
    tests, offenders = Path(__file__).resolve().parent, []
    for module in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            if any("conftest" in name.split(".") for name in names):
                offenders.append(f"{module.relative_to(tests)}:{node.lineno}")
    assert offenders == []


# No import cycles. A module's own packages are imported before it whatever it says, so an
# import of one of them (`from portal.admin import bp` in portal/admin/sso.py) adds nothing:
# it is not an edge, and a package that imports its own modules (a blueprint package
# registering its views) makes no cycle. Every other import counts, inside functions too,
# but not one under `if TYPE_CHECKING:`, which only type checkers read.
ROOT = PORTAL.parent
TOP_PACKAGES = ("portal", "tasks")


def _modules(root: Path) -> dict[str, Path]:
    modules = {}
    for top in TOP_PACKAGES:
        for path in (root / top).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _names_imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:  # relative: `from . import x` in package a.b names a.b.x
        parent = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parent, base] if base else parent)
    return [f"{base}.{alias.name}" for alias in node.names]


def _run_imports(tree: ast.AST) -> list[ast.AST]:
    """The import statements Python runs: all but those under `if TYPE_CHECKING:`."""
    for_type_checkers = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for statement in node.body
        for inner in ast.walk(statement)
    }
    return [node for node in ast.walk(tree) if id(node) not in for_type_checkers]


def _module_named(name: str, modules: dict[str, Path]) -> str | None:
    """The module `name` is, or is in (`portal.models.Connection` is in `portal.models`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _import_graph(root: Path) -> dict[str, set[str]]:
    modules = _modules(root)
    graph = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        imported = {
            _module_named(name, modules)
            for node in _run_imports(ast.parse(path.read_text()))
            for name in _names_imported(node, package)
        }
        graph[module] = {
            other
            for other in imported - {None, module}
            if not module.startswith(f"{other}.")  # one of its own packages
        }
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for other in graph[stack.pop()] - seen:
            seen.add(other)
            stack.append(other)
    return seen


def _path(graph: dict[str, set[str]], start: str, within: set[str]) -> list[str]:
    """The shortest way from `start` back to itself through `within`."""
    ways, frontier = {start: [start]}, [start]
    while frontier:
        module = frontier.pop(0)
        for other in sorted(graph[module] & within):
            if other == start:
                return [*ways[module], start]
            if other not in ways:
                ways[other] = [*ways[module], other]
                frontier.append(other)
    raise AssertionError(f"no way back to {start}")


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """One cycle through each group of modules that import one another."""
    reach = {module: _reachable(graph, module) for module in graph}
    cycles, reported = [], set()
    for module in sorted(graph):
        if module in reach[module] and module not in reported:
            group = {other for other in reach[module] if module in reach[other]}
            reported |= group
            cycles.append(" -> ".join(_path(graph, module, group)))
    return cycles


def test_no_modules_import_each_other():
    assert _cycles(_import_graph(ROOT)) == []


def test_the_cycle_check_finds_longer_cycles_through_functions_not_type_checking(tmp_path):
    files = {
        "portal/__init__.py": "",
        "portal/web/__init__.py": "from portal.web import views\n",
        "portal/web/views.py": "from portal.web import bp\nfrom . import forms\n",
        "portal/web/forms.py": "def f():\n    from portal import a\n",
        "portal/a.py": "import portal.b\n",
        "portal/b.py": "from portal.web.views import bp\n",
        "portal/c.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import tasks\n",
        "tasks/__init__.py": "import portal.c\n",
        "tasks/jobs.py": "from portal.a import thing\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _cycles(_import_graph(tmp_path)) == [
        "portal.a -> portal.b -> portal.web.views -> portal.web.forms -> portal.a"
    ]

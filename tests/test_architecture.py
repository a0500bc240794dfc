"""The layout holds: each service package imports only the packages its docstring allows."""

import ast
import builtins
import importlib
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

"""The layout holds: each service package imports only the packages its docstring allows."""

import ast
import importlib
import re
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

"""What a browser test keeps and checks of a page: a screenshot to look at (what the IT admin
sees), and axe-core's audit of it against WCAG 2.1 AA."""

from pathlib import Path

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[str]:
    """Serious and critical WCAG 2.1 AA problems axe-core finds on the page."""
    assert AXE.exists(), "run `npm install` (make test does) for axe-core"
    page.evaluate(AXE.read_text())  # evaluated by the DevTools protocol: no CSP applies
    result = page.evaluate(
        "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s))"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]

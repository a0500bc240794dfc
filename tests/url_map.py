"""The app's routes as the isolation tests walk them."""


def rules_of(app, blueprint: str, public=()) -> list:
    """The URL rules of one blueprint, leaving out the endpoints in `public`."""
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{blueprint}.") and rule.endpoint not in public
    ]


def methods_of(rule) -> list[str]:
    """The methods a test sends to a rule (HEAD and OPTIONS are answered by Flask)."""
    return sorted(rule.methods - {"HEAD", "OPTIONS"})

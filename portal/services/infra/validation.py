"""Validating a form's input and reporting it per field, for services and the views that
render their forms: `check_all` runs every check so one submit names every field at fault, and
`by_field` turns the InvalidInput that comes back into `{field: message}` for the template."""

from portal.errors import InvalidInput


def check_all(*checks) -> list:
    """Run every check and return what each returned; if any fail, one InvalidInput names each
    field at fault, so a form's user fixes them all in one go rather than one per submit (its
    message is a form page's)."""
    results, errors = [], []
    for check in checks:
        try:
            results.append(check())
        except InvalidInput as problem:
            errors.extend(problem.errors or [{"field": None, "message": problem.message}])
    if len(errors) == 1:
        raise InvalidInput(errors[0]["message"], errors=errors)
    if errors:
        message = f"Nothing was saved: fix the {len(errors)} fields marked below."
        raise InvalidInput(message, errors=errors)
    return results


def required(value, message: str, field: str):
    """A check for check_all that refuses an empty value."""

    def check():
        if not value:
            raise InvalidInput(message, field=field)

    return check


def by_field(error: InvalidInput, default_field: str | None = "form") -> dict[str, str]:
    """{field: message}, the first message for each field. An error without a field lands on
    `default_field`; with no default field it is left out (the page shows `error.message`)."""
    found = {}
    for item in error.errors:
        field = item.get("field") or default_field
        if field:
            found.setdefault(field, item["message"])
    if found or default_field is None:
        return found
    return {default_field: error.message}

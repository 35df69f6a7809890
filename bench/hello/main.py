"""The baseline for cold starts: a bare functions-framework HTTP function."""


def hello(request: object) -> str:
    return "ok"

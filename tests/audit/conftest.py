from tests.ui.conftest import web  # noqa: F401  (a signed-in browser-like session)

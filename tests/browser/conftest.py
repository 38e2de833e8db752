import pytest


@pytest.fixture(autouse=True, scope="module")
def orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread while the tests' ORM
    calls (and the database flushes around them) stay synchronous: Django's async-safety
    guard stands aside for the browser modules only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield

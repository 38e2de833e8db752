import pytest

from approvals.registry import HANDLERS


@pytest.fixture
def handled(monkeypatch):
    """Throwaway request handlers recording what approvals hands over (the real ones belong to
    the returns flows and are tested there)."""
    calls = []
    for label in ("returns.returnrequest", "returns.replenishrequest"):
        monkeypatch.setitem(
            HANDLERS,
            label,
            (
                lambda request, actor, device: calls.append(("approved", request)),
                lambda request, actor, device, comment: calls.append(("rejected", request)),
            ),
        )
    return calls

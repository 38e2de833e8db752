"""The returns scenario fixtures (one workshop WS1, tube lot T1 issued to WO-1) reused."""

from tests.returns.conftest import (  # noqa: F401 - fixtures
    clerk,
    finance,
    lot,
    qc,
    shelf,
    supervisor,
    tube,
    user,
    work_order,
    workshop,
)

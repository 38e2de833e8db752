"""The returns scenario (tube lot T1 on shelf A, work order WO-1 with 100 issued) for the
scanner-flow tests here."""

from tests.returns.conftest import (  # noqa: F401 - fixtures
    clerk,
    finance,
    lot,
    qc,
    shelf,
    supervisor,
    tube,
    work_order,
    workshop,
)

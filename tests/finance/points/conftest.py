"""The returns scenario (a workshop, a clerk, QC, a keeper, 500 tubes of lot T1 and a work
order with 100 of them issued) for the points tests."""

from tests.returns.conftest import (  # noqa: F401 - fixtures
    clerk,
    lot,
    qc,
    shelf,
    tube,
    user,
    work_order,
    workshop,
)

"""Return (退料) and replenish (补料) requests, shortage slips and reason codes
(R-R1…R-R8, R-P1…R-P4, R-J3), one module per concept; every model and map is importable
from ``returns.models``."""

from returns.models.attachments import RequestAttachment
from returns.models.debts import ReplacementDebt
from returns.models.disposals import (
    DISPOSAL_ACTIONS,
    DISPOSAL_TRANSITIONS,
    DisposalRoute,
    DisposalState,
    ScrapDisposal,
    ScrapDisposalLine,
)
from returns.models.nonconforming import (
    NONCONFORMING_LIVE,
    NONCONFORMING_TRANSITIONS,
    Disposition,
    NonconformingRecord,
    NonconformingState,
)
from returns.models.reasons import (
    DefectKind,
    ReasonCode,
    RequestBase,
    RequestKind,
    ResponsibleParty,
)
from returns.models.replenishments import (
    REPLENISH_ACTIONS,
    REPLENISH_FINISHED,
    REPLENISH_TRANSITIONS,
    ReplacementCitation,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
)
from returns.models.return_requests import (
    RETURN_ACTIONS,
    RETURN_FINISHED,
    RETURN_TRANSITIONS,
    Condition,
    ReturnLine,
    ReturnRequest,
    ReturnState,
    Verdict,
)
from returns.models.shortages import ShortageSlip, ShortageState
from returns.models.supplier_returns import (
    CLAIM_DAYS,
    SUPPLIER_RETURN_ACTIONS,
    SUPPLIER_RETURN_TRANSITIONS,
    ClaimClosure,
    SupplierReturn,
    SupplierReturnLine,
    SupplierReturnState,
)

__all__ = [
    "NONCONFORMING_LIVE",
    "NONCONFORMING_TRANSITIONS",
    "DISPOSAL_ACTIONS",
    "DISPOSAL_TRANSITIONS",
    "DisposalRoute",
    "DisposalState",
    "ScrapDisposal",
    "ScrapDisposalLine",
    "CLAIM_DAYS",
    "SUPPLIER_RETURN_ACTIONS",
    "SUPPLIER_RETURN_TRANSITIONS",
    "ClaimClosure",
    "SupplierReturn",
    "SupplierReturnLine",
    "SupplierReturnState",
    "REPLENISH_ACTIONS",
    "REPLENISH_FINISHED",
    "REPLENISH_TRANSITIONS",
    "RETURN_ACTIONS",
    "RETURN_FINISHED",
    "RETURN_TRANSITIONS",
    "Condition",
    "DefectKind",
    "Disposition",
    "NonconformingRecord",
    "NonconformingState",
    "ReasonCode",
    "ReplacementCitation",
    "ReplacementDebt",
    "ReplenishLine",
    "ReplenishRequest",
    "ReplenishState",
    "RequestAttachment",
    "RequestBase",
    "RequestKind",
    "ResponsibleParty",
    "ReturnLine",
    "ReturnRequest",
    "ReturnState",
    "ShortageSlip",
    "ShortageState",
    "Verdict",
]

"""Finance's models: the month-end summary (``month_end``), the versioned points and rewards
table with its point entries (``points``) and the GM office's spot-check proposals
(``spot_check``)."""

from finance.models.month_end import (
    MonthEnd,
    MonthEndDocument,
    MonthEndLine,
    MonthEndRow,
    MonthEndState,
)
from finance.models.points import (
    BandKind,
    Behaviour,
    CellKind,
    EntryOrigin,
    PointEntry,
    PointRule,
    PointScheme,
    ReasonBehaviour,
    Trigger,
)
from finance.models.spot_check import ProposalState, SpotCheckProposal

__all__ = [
    "BandKind",
    "Behaviour",
    "CellKind",
    "EntryOrigin",
    "MonthEnd",
    "MonthEndDocument",
    "MonthEndLine",
    "MonthEndRow",
    "MonthEndState",
    "PointEntry",
    "PointRule",
    "PointScheme",
    "ProposalState",
    "ReasonBehaviour",
    "SpotCheckProposal",
    "Trigger",
]

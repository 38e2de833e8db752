"""Points and rewards (R-J3, R-J4): the versioned table (``scheme``), point entries
(``entries``), the events the system sees (``events``), the GM office's spot check
(``spot_check``), totals (``selectors``) and the month-end sheet (``sheet``)."""

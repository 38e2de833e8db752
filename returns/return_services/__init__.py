"""Return requests (退料), R-R1…R-R8: draft → submitted → supervisor reviewed → QC verdict →
warehouse receipt → posted (red-letter issue entries) → finance confirmed. One module per
step: ``lines``, ``drafting``, ``qc``, ``receipt``, ``posting``.

Every write locks the request row first, checks the move against ``RETURN_TRANSITIONS``,
validates, changes, and audits last (see ``returns.services``).
"""

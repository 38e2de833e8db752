"""Pages for clerks, QC and the warehouse (issue #6): they parse forms and scans, call the same
services as the API, and show the services' messages next to the fields. One module per
concept: ``kinds`` (shared), ``drafting``, ``detail``, ``warehouse``, ``slips`` (printing)."""

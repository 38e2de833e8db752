"""The writes of the returns app, one module per concept (STYLE "Split by concept"):

- ``common``: what return and replenish requests share (row lock, transition check,
  audited state change, approval decision, rejection, cancellation);
- return requests (退料, R-R1…R-R8), one module per step: ``return_lines``,
  ``return_drafting``, ``return_qc``, ``return_receipt``, ``return_posting``;
- replenish requests (补料, R-P1…R-P4): ``replenish`` (create, route, submit) and
  ``issuing`` (FEFO issue, shortage slips);
- ``attachments``: photos and PDFs for the approvers;
- ``nonconforming``: suspect material (R-R9): the record QC's suspect verdict opens, its
  joint QC/production sign-off and the keeper's disposition.

Every write locks the request row first, checks the move against the model's transitions
map, validates, changes, and audits last (see ``common``).
"""

"""Excel import of the material master (R-M1) and versioned BOMs (R-M3).

All or nothing: every row of both sheets is validated first and every bad cell is reported
(sheet, row, column, message); if there is any, nothing is written. Formulas are refused,
never evaluated. Numbers become ``Decimal`` through their text, never through float arithmetic.
``master.master_import`` is the entry point; ``messages`` holds the refusal and the summary.
"""

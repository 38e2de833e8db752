"""Work-order writes, one module per concept: ``lifecycle`` (create, release, output,
complete, cancel), ``issuing`` (issues and borrowed issues), ``closing`` (close-out, R-W4)
and ``erp`` (the ERP's upsert). Each locks the work order first, then calls the ledger."""

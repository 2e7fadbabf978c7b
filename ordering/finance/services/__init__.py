"""Finance's writes: ``ledger`` (accounts, entries, reversals, adjustments), ``orders``
(what an order's submission, cancellation and amendment post; finance review; credit
holds) and ``payments`` (recorded, confirmed or rejected)."""

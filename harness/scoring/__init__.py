"""The judge: running gold and prediction in a DuckDB sandbox and comparing them."""

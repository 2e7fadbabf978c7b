"""Every write to the catalog: products, variants, prices, stock."""

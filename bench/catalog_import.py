"""Catalog import benchmark: "10,000 rows in under a minute" (issue 5).

    .venv/bin/python -m bench.catalog_import --rows 10000

Provisions a throwaway tenant, then times, on a file of ``--rows`` variant rows
(products of five variants each, in 20 categories of a two-level tree, 50 brands,
colour × size specifications, a larger unit each):

* the check (dry run) and the real import of the products and variants — the
  categories, brands, units and specification values do not exist yet;
* the check of the same file again (every row up to date);
* the real import of one level price per variant, one customer price per variant and
  a stock count per variant.

Prints rows per second for each; the tenant is deleted afterwards. No timing is
asserted in the test suite: this is the measurement.
"""

import csv
import io
import os
import sys
import time

from bench._common import main, throwaway_tenant


def _csv(rows):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


def _product_file(count):
    colours = ("Red", "Blue", "Green", "Black", "White")
    rows = [["Product code", "Product name", "Category", "Brand", "Tags", "Base unit",
             "On shelf", "SKU code", "Barcode", "Specifications", "List price",
             "Minimum order quantity", "Order multiple", "Larger units"]]
    for n in range(count):
        product = n // 5
        rows.append([f"P{product:05d}", f"Bench product {product}",
                     f"Group {product % 4}/Family {product % 20}", f"Brand {product % 50}",
                     "bench, new" if product % 3 == 0 else "", "piece", "yes",
                     f"P{product:05d}-{n % 5}", f"69{n:011d}",
                     f"Colour:{colours[n % 5]};Size:{('S', 'M', 'L')[product % 3]}",
                     f"{10 + n % 90}.50", "1", "1", "box=12"])
    return _csv(rows)


def _time(label, rows, call, out):
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    assert result.ok, result.errors[:5]
    out.write(f"{label:44s} {rows:6d} rows {elapsed:7.1f} s  {rows / elapsed:7.0f} rows/s  "
              f"(new {result.created}, updated {result.updated}, "
              f"up to date {result.unchanged})\n")
    return elapsed


def run(*, rows=10_000, out=sys.stdout):
    from django_tenants.utils import tenant_context


    with throwaway_tenant("Bench catalog", "bench-cat") as provisioned:
        tenant, owner = provisioned.tenant, provisioned.owner
        slug = tenant.slug
        with tenant_context(tenant):
            from ordering.catalog.services.imports import import_file
            from ordering.customers.services.customers import customer_create, level_create

            level_create(actor=None, name="Gold", price_percent=90)
            customer_create(actor=None, code="BENCH", name="Bench customer")
            products = _product_file(rows)
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            out.write(f"catalog import, {rows} variant rows "
                      f"({len(products) / 1024:.0f} kB CSV); load average {load}\n")

            def call(kind, content, dry_run):
                return lambda: import_file(actor=owner, kind=kind, content=content,
                                           extension="csv", filename="bench.csv",
                                           dry_run=dry_run)

            check = _time("products: check (dry run)", rows, call("products", products, True),
                          out)
            total = _time("products: import", rows, call("products", products, False), out)
            _time("products: check again (all up to date)", rows,
                  call("products", products, True), out)
            codes = [f"P{n // 5:05d}-{n % 5}" for n in range(rows)]
            prices = _csv([["SKU code", "Customer level", "Price"]]
                          + [[code, "Gold", "9.90"] for code in codes])
            _time("level prices: import", rows, call("level_prices", prices, False), out)
            special = _csv([["SKU code", "Customer code", "Price"]]
                           + [[code, "BENCH", "8.80"] for code in codes])
            _time("customer prices: import", rows, call("customer_prices", special, False),
                  out)
            stock = _csv([["SKU code", "Counted quantity"]]
                         + [[code, str(n % 200 + 1)] for n, code in enumerate(codes)])
            _time("stock counts: import", rows, call("stock", stock, False), out)
            verdict = "meets" if max(check, total) < 60 else "MISSES"
            out.write(f"products check and import {verdict} the budget of {rows} rows in "
                      f"60 s each\n")


if __name__ == "__main__":
    main(__doc__, run,
         ("--rows", {"type": int, "default": 10_000}))

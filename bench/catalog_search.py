"""Catalog search benchmark: name, code and barcode searches on 10,000 variants.

    .venv/bin/python -m bench.catalog_search --variants 10000

Provisions a throwaway tenant, bulk-loads products (Chinese and English names) with one
variant each, ANALYZEs, then prints the median database time (EXPLAIN ANALYZE's
execution time) of partial-word searches and whether the trigram indexes were used.
Deletes the tenant afterwards.
"""

import random
import statistics
import sys

from django.db import connection

from bench._common import main, throwaway_tenant

WORDS_EN = ["Orange", "Apple", "Mango", "Green", "Jasmine", "Sparkling", "Mineral", "Cola",
            "Lemon", "Ginger", "Peach", "Grape", "Coffee", "Latte", "Barley", "Spring"]
WORDS_ZH = ["橙汁", "苹果汁", "芒果", "绿茶", "茉莉花茶", "气泡水", "矿泉水", "可乐", "柠檬",
            "生姜", "桃子", "葡萄", "咖啡", "拿铁", "大麦茶", "泉水"]
QUERIES = [("name, English, partial", "product", "name", "%ango%"),
           ("name, Chinese, partial", "product", "name", "%茉莉%"),
           ("variant code, partial", "variant", "code", "%K0042%"),
           ("barcode, exact prefix", "variant", "barcode", "6900000042%")]


def _load(count):
    from ordering.catalog.models import Product, Variant
    from ordering.catalog.services.products import unit_get_or_create

    rng = random.Random(3)
    unit = unit_get_or_create("bottle")
    products = Product.objects.bulk_create([
        Product(name=f"{rng.choice(WORDS_EN)} {rng.choice(WORDS_ZH)} {n} "
                     f"{rng.choice(WORDS_EN)}", code=f"P{n:06d}", unit=unit)
        for n in range(count)])
    Variant.objects.bulk_create([
        Variant(product=product, code=f"SK{n:06d}", barcode=f"69{n:011d}", list_price="3.50")
        for n, product in enumerate(products)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product; ANALYZE catalog_variant")


def _explain(table, column, pattern, force_index=False):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = {'off' if force_index else 'on'}")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM catalog_{table} "
                       f"WHERE {column} ILIKE %s", [pattern])
        plan = cursor.fetchone()[0][0]
    text = str(plan)
    return plan["Execution Time"], ("trgm" in text or "Index" in text)


def run(*, variants=10000, rounds=7, out=sys.stdout):
    from django_tenants.utils import tenant_context


    with throwaway_tenant("Bench search", "bench-s") as provisioned:
        tenant = provisioned.tenant
        slug = tenant.slug
        with tenant_context(tenant), __import__("django.db").db.transaction.atomic():
            _load(variants)
            out.write(f"{variants} products / variants loaded\n")
            for label, table, column, pattern in QUERIES:
                timings, indexed = [], True
                for _ in range(rounds):
                    ms, used = _explain(table, column, pattern)
                    timings.append(ms)
                    indexed = indexed and used
                forced = statistics.median(_explain(table, column, pattern, True)[0]
                                           for _ in range(rounds))
                out.write(f"{label:26s} median {statistics.median(timings):6.2f} ms at the "
                          f"database ({'index' if indexed else 'planner chose a scan'}); "
                          f"through the index {forced:6.2f} ms\n")

if __name__ == "__main__":
    main(__doc__, run,
         ("--variants", {"type": int, "default": 10000}))

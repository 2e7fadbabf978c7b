from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm, database-wide in the public schema: tenant schemas index product names
    and codes with its operator class (search by partial words, Chinese included)."""

    dependencies = [("tenants", "0004_stock_settings")]
    operations = [TrigramExtension()]

"""Restore an export (``shared.exports``) into a NEW tenant on a new subdomain: the proof
that an export holds everything.

    1. the zip's manifest is read and the dump and every file checked against their
       sha256;
    2. the dumped schema is restored under a new schema name (``tenants.pgtools``:
       through a scratch database where it is renamed), and migrated if the export is
       older than the code;
    3. the files are copied into the new tenant's media directory;
    4. the public rows are made in one transaction: tenant and primary domain
       (``tenants.services.tenant_register_restored``, the subdomain checked as at
       signup), its subscription and the platform audit record.

The rule: a restored tenant starts **suspended**, on the trial plan, billed by hand,
with no Stripe ids (staff can sign in and read, dealers cannot order, nothing is sent
to anyone); an operator reactivates it when it is to be used. A failure after the
schema was made drops the schema and the files again.
"""

import json
import logging
import secrets
import shutil
import zipfile

from django.db import connection, transaction
from django.utils.translation import gettext as _

from billing.services import subscription_ensure
from core.exceptions import NotFoundError
from shared import selectors
from shared.exports import (DUMP, MANIFEST, export_path, export_root, safe_member, sha256_of,
                            tenant_media_root)
from shared.models import ExportStatus
from shared.operators import ops_require
from shared.services import platform_audit
from tenants import pgtools, schemas
from tenants.enums import TenantStatus
from tenants.services import schema_name_for, subdomain_check, tenant_register_restored
from shared.exceptions import RestoreError

log = logging.getLogger(__name__)

RESTORED_STATUS = TenantStatus.SUSPENDED


def export_restore(*, operator, tenant, export, slug, name="", ip=None):
    """Restore ``tenant``'s finished export ``export`` (an id) as a new tenant on ``slug``;
    returns the new tenant."""
    ops_require(operator, "restore")
    found = selectors.export_get(pk=export, tenant=tenant) if str(export).isdigit() else None
    if found is None:
        raise NotFoundError(_("No such export."))
    if found.status != ExportStatus.DONE:
        raise RestoreError(_("Only a finished export can be restored."))
    path = export_path(found)
    if not path.is_file():
        raise RestoreError(_("This export's file has been removed; export again."))
    slug = subdomain_check(slug)
    name = (name or "").strip() or _("%(name)s (restored)") % {"name": tenant.name}
    return restore_file(path, slug=slug, name=name, operator=operator, source=tenant,
                        export=found, ip=ip)


def _manifest(bundle):
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except (KeyError, ValueError):
        raise RestoreError(_("The export has no readable manifest.")) from None
    listed = {entry["path"]: entry for entry in manifest.get("contents", [])}
    if DUMP not in listed:
        raise RestoreError(_("The export holds no database dump."))
    return manifest, listed


def _extract_checked(bundle, member, target, expected):
    """Copy ``member`` to ``target`` and check its sha256 against the manifest's."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with bundle.open(member) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    if expected is None or sha256_of(target) != expected["sha256"]:
        raise RestoreError(_("The export is damaged: %(file)s does not match its manifest.")
                           % {"file": member})


def restore_file(path, *, slug, name, operator=None, source=None, export=None, ip=None):
    """Restore the export zip at ``path`` as a new tenant (see the module's docstring)."""
    connection.set_schema_to_public()
    schema = schema_name_for(slug)
    work = export_root() / f".restore-{secrets.token_hex(6)}"
    media = tenant_media_root(schema)
    schema_made = False
    try:
        work.mkdir(mode=0o700)
        with zipfile.ZipFile(path) as bundle:
            manifest, listed = _manifest(bundle)
            _extract_checked(bundle, DUMP, work / DUMP, listed.get(DUMP))
            pgtools.dump_restore_as(work / DUMP, schema, work=work)
            schema_made = True
            if schemas.migration_lag([schema]):
                schemas.migrate_schema(schema, create=False)
            for member in bundle.namelist():
                relative = safe_member(member, "files")
                if relative is None or member.endswith("/"):
                    continue
                target = (media / relative).resolve()
                if media.resolve() not in target.parents:
                    continue
                _extract_checked(bundle, member, target, listed.get(member))
        source_tenant = manifest.get("tenant", {})
        with transaction.atomic():
            tenant = tenant_register_restored(
                name=name, slug=slug, schema_name=schema,
                owner_email=source_tenant.get("owner_email", ""),
                language=source_tenant.get("default_language", "zh-hans"),
                currency=source_tenant.get("currency", "CNY"), status=RESTORED_STATUS)
            subscription = subscription_ensure(tenant=tenant)
            platform_audit(
                operator=operator, action="tenant.restore", tenant=tenant,
                reason=_("Restored from export %(id)s") % {"id": manifest.get("export_id")},
                before={"tenant": source.pk if source else source_tenant.get("id"),
                        "slug": source.slug if source else source_tenant.get("slug"),
                        "schema": manifest.get("schema"), "export": getattr(export, "pk", None),
                        "exported_at": manifest.get("exported_at")},
                after={"schema": schema, "slug": tenant.slug, "status": tenant.status,
                       "subscription": subscription.status,
                       "tables": len(manifest.get("tables", {})),
                       "files": len(manifest.get("files", []))}, ip=ip)
    except BaseException:
        connection.set_schema_to_public()
        if schema_made:
            pgtools.drop_schema(schema)
        shutil.rmtree(media, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tenant

"""Export a tenant's complete data, for the operators' console: one zip in the private
export directory (``TENANT_EXPORT_ROOT``: never under the media or static roots) with

    manifest.json        tenant, schema, time, row count per table, every file with
                         its size and sha256
    database.dump        ``pg_dump -Fc -n <schema>`` (no owners, no grants)
    data/<table>.csv     every table, readable (sessions, migration history, password
                         and API key hashes left out)
    files/...            the tenant's media directory, as it is
    documents/orders/    each order as its PDF sheet
    documents/statements/  each customer's statement of account (receivables) as PDF

The dump and the CSVs are read from one snapshot (``pg_dump --snapshot``), so their
rows and the manifest's counts agree even while the tenant keeps working. The job runs
in the background (``shared.tasks.tenant_export_task``) and writes its progress to the
``TenantExport`` row; the tenant page polls it. The download link is signed and expires
(``TENANT_EXPORT_LINK_SECONDS``); every download is written to the platform audit log.
Files are removed ``TENANT_EXPORT_KEEP_HOURS`` after they were made
(``exports_purge``, periodic)."""

import hashlib
import json
import logging
import os
import re
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from shared import selectors
from shared.models import ExportStatus, TenantExport
from shared.operators import ops_require
from shared.services import platform_audit
from tenants import pgtools
from shared.exceptions import ExportLinkExpiredError

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
SIGN_SALT = "orderline.shared.exports.download"
# Kept out of the readable copy (they are in the dump): secrets and bookkeeping.
READABLE_SKIP_TABLES = frozenset({"django_migrations", *pgtools.NO_DATA_TABLES})
READABLE_SKIP_COLUMNS = {"roles_user": {"password", "security_stamp"}, "roles_apikey": {"key_hash"}}
FILE_NAME = re.compile(r"^[a-z0-9_]{1,63}-\d{1,18}-\d{14}\.zip$")
CHUNK = 1024 * 1024
# a redelivered task finds its export running: started this long ago, it is taken over
STALE_RUNNING = timedelta(hours=6)


# --- where export files live ----------------------------------------------------------


def export_root():
    """The private export directory (created 0700), refused under a public root."""
    root = Path(settings.TENANT_EXPORT_ROOT).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        served = Path(public).resolve()
        if root == served or served in root.parents:
            raise ImproperlyConfigured("TENANT_EXPORT_ROOT must not be under MEDIA_ROOT or "
                                       "STATIC_ROOT: exports are never served as files")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def export_path(export):
    """The export's zip (its stored name is checked: no path ever comes from the row)."""
    if not FILE_NAME.fullmatch(export.file_name or ""):
        raise NotFoundError(_("This export has no file."))
    return export_root() / export.file_name


def tenant_media_root(schema_name):
    """The tenant's media directory (``MEDIA_ROOT/<schema>``; the name is checked)."""
    return Path(settings.MEDIA_ROOT) / pgtools.schema_name_check(schema_name)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root):
    """``[(relative posix path, absolute path)]`` of the regular files under ``root``
    (symbolic links are not followed), sorted."""
    found = []
    root = Path(root)
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


def safe_member(name, prefix):
    """The part of zip member ``name`` under ``prefix``/ when it is a plain relative path
    (no absolute path, no ``..``); None otherwise."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        return None
    parts = path.parts
    if len(parts) < 2 or parts[0] != prefix:
        return None
    return PurePosixPath(*parts[1:]).as_posix()


# --- request, run ---------------------------------------------------------------------


def export_request(*, operator, tenant, ip=None):
    """Queue an export of ``tenant`` (one at a time per tenant); audited."""
    from core.background import enqueue_on_commit
    from shared.tasks import tenant_export_task

    ops_require(operator, "export")
    if tenant.is_public:
        raise ApplicationError(_("The public schema cannot be exported."))
    with transaction.atomic():
        type(tenant).objects.select_for_update().filter(pk=tenant.pk).first()
        if TenantExport.objects.filter(tenant=tenant, status__in=[
                ExportStatus.QUEUED, ExportStatus.RUNNING]).exists():
            raise ConflictError(_("An export of this tenant is already under way."))
        export = TenantExport.objects.create(
            tenant=tenant, requested_by=operator,
            requested_by_email=(getattr(operator, "email", "") or "")[:254])
        platform_audit(operator=operator, action="tenant.export", tenant=tenant,
                       after={"export": export.pk}, ip=ip)
        enqueue_on_commit(tenant_export_task, export.pk)
    return export


def _progress(export, percent, step):
    export.progress, export.step = percent, step
    TenantExport.objects.filter(pk=export.pk).update(progress=percent, step=step)


def export_run(export_id):
    """Make the export's zip (the background job). Idempotent: a finished export is
    left alone; a failure is kept on the row (``status`` failed, ``error``)."""
    connection.set_schema_to_public()
    export = TenantExport.objects.select_related("tenant").filter(pk=export_id).first()
    if export is None or export.status in (ExportStatus.DONE, ExportStatus.FAILED,
                                           ExportStatus.EXPIRED):
        return export
    now = timezone.now()
    claimed = TenantExport.objects.filter(pk=export.pk).filter(
        status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING, started_at=now)
    if not claimed and export.started_at and now - export.started_at < STALE_RUNNING:
        return export  # another worker has it
    TenantExport.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING,
                                                     started_at=now)
    root = export_root()
    work = root / f".work-{export.pk}"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    try:
        name = f"{pgtools.schema_name_check(export.tenant.schema_name)}-{export.pk}-{stamp}.zip"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(mode=0o700)
        manifest = _export_build(export, work, root / name)
    except Exception as exc:  # noqa: BLE001 - every failure is shown to the operator
        log.exception("export %s of tenant %s failed", export.pk, export.tenant_id)
        TenantExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        export.refresh_from_db()
        return export
    finally:
        shutil.rmtree(work, ignore_errors=True)
        connection.set_schema_to_public()
    finished = timezone.now()
    path = root / name
    TenantExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, progress=100, step="done", file_name=name,
        size=path.stat().st_size, sha256=sha256_of(path),
        tables=len(manifest["tables"]), rows=sum(manifest["tables"].values()),
        files=len(manifest["files"]), error="", finished_at=finished,
        expires_at=finished + timedelta(hours=settings.TENANT_EXPORT_KEEP_HOURS))
    export.refresh_from_db()
    return export


def _export_build(export, work, target):
    tenant = export.tenant
    schema = pgtools.schema_name_check(tenant.schema_name)
    contents = []  # (member name, path on disk)
    _progress(export, 2, "database")
    with pgtools.snapshot(schema) as (cursor, snapshot_id):
        pgtools.schema_dump(schema, work / DUMP, snapshot_id=snapshot_id)
        contents.append((DUMP, work / DUMP))
        _progress(export, 30, "tables")
        counts, tables = {}, pgtools.schema_tables(cursor, schema)
        (work / "data").mkdir()
        for number, (table, columns) in enumerate(tables):
            # the manifest counts what the export holds: no rows of the tables whose
            # data stays behind (sessions, sign-in attempts)
            counts[table] = 0 if table in pgtools.NO_DATA_TABLES else \
                pgtools.row_count(cursor, schema, table)
            if table in READABLE_SKIP_TABLES:
                continue
            shown = [c for c in columns if c not in READABLE_SKIP_COLUMNS.get(table, ())]
            path = work / "data" / f"{table}.csv"
            with open(path, "wb") as out:
                pgtools.table_csv(cursor, schema, table, shown, out)
            contents.append((f"data/{table}.csv", path))
            if number % 10 == 0:
                _progress(export, 30 + 25 * number // max(len(tables), 1), "tables")
    _progress(export, 55, "files")
    files = []
    for relative, path in media_files(tenant_media_root(schema)):
        files.append({"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)})
        contents.append((f"files/{relative}", path))
    _progress(export, 65, "documents")
    contents += _documents(export, work)
    _progress(export, 90, "packing")
    listing = [{"path": member, "size": path.stat().st_size, "sha256": sha256_of(path)}
               for member, path in contents]
    manifest = {
        "format": FORMAT_VERSION,
        "tenant": {"id": tenant.pk, "name": tenant.name, "slug": tenant.slug,
                   "host": tenant.host, "status": tenant.status, "plan": tenant.plan,
                   "default_language": tenant.default_language, "currency": tenant.currency,
                   "owner_email": tenant.owner_email,
                   "created_at": tenant.created_at.isoformat()},
        "schema": schema,
        "exported_at": timezone.now().isoformat(),
        "export_id": export.pk,
        "requested_by": export.requested_by_email,
        "pg_dump": pgtools.tool_version("pg_dump"),
        "tables": counts,
        "files": files,
        "contents": listing,
    }
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as bundle:
        bundle.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for member, path in contents:
            stored = member == DUMP or member.startswith("files/")  # compressed already
            bundle.write(path, member,
                         compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    return manifest


def _clean_name(value):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(value)).strip("._") or "document"


def _documents(export, work):
    """The order sheets and statements of account as PDFs, in the tenant's language."""
    from ordering.finance.documents import statement_filename, statement_pdf
    from ordering.finance.selectors import statement
    from ordering.orders.documents import order_pdf, pdf_available

    tenant = export.tenant
    if not pdf_available():
        return []
    made = []
    folder = work / "documents"
    (folder / "orders").mkdir(parents=True)
    (folder / "statements").mkdir()
    with tenant_context(tenant), translation.override(tenant.default_language):
        orders, statements = selectors.export_documents()
        for order in orders.iterator(chunk_size=200):
            name = f"{_clean_name(order.number or f'order-{order.pk}')}-{order.pk}.pdf"
            path = folder / "orders" / name
            path.write_bytes(order_pdf(order, tenant=tenant))
            made.append((f"documents/orders/{name}", path))
        for customer, start, end in statements:
            period = statement(customer, start=start, end=end)
            name = _clean_name(statement_filename(customer, period, "pdf"))
            path = folder / "statements" / name
            path.write_bytes(statement_pdf(period, customer=customer, tenant=tenant))
            made.append((f"documents/statements/{name}", path))
    return made


# --- download -----------------------------------------------------------------------


def _signer():
    return signing.TimestampSigner(salt=SIGN_SALT)


def download_token(export):
    return _signer().sign(str(export.pk))


def download_url(export):
    """The link on the public domain's console (the only place it resolves)."""
    return reverse("ops:export_download", urlconf=settings.PUBLIC_SCHEMA_URLCONF,
                   kwargs={"pk": export.tenant_id, "token": download_token(export)})


def export_download(*, operator, tenant, token, ip=None):
    """The export a signed link names, for an operator allowed to export: ``(export,
    path)``; audited. An expired link is refused (410), a forged one or another
    tenant's is not found."""
    ops_require(operator, "export")
    try:
        pk = _signer().unsign(token, max_age=settings.TENANT_EXPORT_LINK_SECONDS)
    except signing.SignatureExpired:
        raise ExportLinkExpiredError(_("This download link has expired. Open the tenant "
                                       "page for a new one.")) from None
    except signing.BadSignature:
        raise NotFoundError(_("No such export.")) from None
    export = selectors.export_get(pk=pk, tenant=tenant)
    if export is None:
        raise NotFoundError(_("No such export."))
    if export.status != ExportStatus.DONE or (export.expires_at
                                              and export.expires_at <= timezone.now()):
        raise ExportLinkExpiredError(_("This export is no longer available."))
    path = export_path(export)
    if not path.is_file():
        raise ExportLinkExpiredError(_("This export is no longer available."))
    platform_audit(operator=operator, action="tenant.export_download", tenant=tenant,
                   after={"export": export.pk, "file": export.file_name, "size": export.size,
                          "sha256": export.sha256}, ip=ip)
    return export, path


# --- cleaning -----------------------------------------------------------------------


def exports_purge(*, now=None):
    """Remove the files of expired exports (the rows stay, marked expired), fail exports
    stuck running, and clear work folders no job holds. Returns how many files went."""
    now = now or timezone.now()
    root = export_root()
    removed = 0
    for export in TenantExport.objects.filter(status=ExportStatus.DONE, expires_at__lte=now):
        try:
            export_path(export).unlink(missing_ok=True)
            removed += 1
        except NotFoundError:
            pass
        TenantExport.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED)
    TenantExport.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
                                created_at__lte=now - STALE_RUNNING * 2).update(
        status=ExportStatus.FAILED, error="stopped: the job did not finish", finished_at=now)
    active = set(TenantExport.objects.filter(status__in=[
        ExportStatus.QUEUED, ExportStatus.RUNNING]).values_list("pk", flat=True))
    for entry in root.glob(".work-*"):
        number = entry.name.removeprefix(".work-")
        if not number.isdigit() or int(number) not in active:
            shutil.rmtree(entry, ignore_errors=True)
    known = set(TenantExport.objects.filter(status=ExportStatus.DONE)
                .values_list("file_name", flat=True))
    settled = (now - timedelta(hours=1)).timestamp()  # not one being renamed into place
    for entry in root.glob("*.zip"):
        if entry.name not in known and entry.stat().st_mtime < settled:
            entry.unlink(missing_ok=True)  # its row went with its tenant
            removed += 1
    return removed


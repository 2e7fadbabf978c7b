"""The pages of a spreadsheet import (upload → check → confirm), shared by the
customers and the catalog imports; the jobs themselves are
``ordering.spreadsheets.ImportJobs``.

The upload is checked by a dry run of the app's import service in the background; the
page polls the job's card. The job is a row in the tenant's schema under a random id
that only the user's session knows (``ordering.spreadsheets.models.ImportJob``); only
a file whose every row is valid is kept — in the tenant's private storage — until the
user confirms. The confirmation imports that file (never a path or a file named by
the form) and deletes it.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _, gettext_lazy
from django.views import View

from core.exceptions import ApplicationError
from frontend.common.forms.base import form_add_application_error
from ordering import spreadsheets
from roles.backends import client_ip

MAX_ERRORS_SHOWN = 500

EXPIRED = gettext_lazy("This upload is no longer waiting for confirmation (it was imported, "
                       "cancelled or has expired). Upload the file again.")


def import_guide(kinds, resource_for, kind_labels, column_help):
    """Per kind: its columns with what each takes and whether a new row needs it."""
    guide = []
    for kind in kinds:
        resource = resource_for(kind)
        required = set(resource.required)
        guide.append({"kind": kind, "label": kind_labels[kind], "columns": [
            {"key": key, "header": header, "help": column_help[kind].get(key, ""),
             "required": key in required} for key, header in resource.columns()]})
    return guide


class ImportJobMixin:
    """The import job kept in the session (its token; the job is a row in the
    tenant's schema that names the app and the user it belongs to).

    Subclasses set ``jobs`` (an ``ImportJobs``), ``session_key``, ``kind_labels``,
    ``import_url_name`` and ``status_url_name``, and may override
    ``after_import_url``."""

    jobs = None
    session_key = None
    kind_labels = {}
    import_url_name = None
    status_url_name = None

    def job_token(self):
        pending = self.request.session.get(self.session_key)
        return pending.get("token") if isinstance(pending, dict) else None

    def job(self):
        token = self.job_token()
        return self.jobs.get(token=token, user=self.request.user) if token else None

    def forget_job(self):
        token = self.job_token()
        self.request.session.pop(self.session_key, None)
        if token:
            self.jobs.finish(token=token)

    def after_import_url(self, result):
        return reverse(self.import_url_name)

    def imported(self, job):
        """The job's import is done: say so once and forget it."""
        result = job["result"]
        self.forget_job()
        message = _("Imported %(rows)d rows of %(kind)s: %(created)d new, "
                    "%(updated)d updated.") % {
            "rows": result.rows, "kind": str(self.kind_labels[result.kind]).lower(),
            "created": result.created, "updated": result.updated}
        if result.unchanged:
            message += " " + _("%(n)d were already up to date.") % {"n": result.unchanged}
        messages.success(self.request, message)
        return self.after_import_url(result)

    def status_context(self, job):
        result = job.get("result") if job else None
        errors = result.errors if result is not None else []
        return {"job": job, "result": result, "token": self.job_token() or "",
                "errors": errors[:MAX_ERRORS_SHOWN],
                "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
                "result_label": self.kind_labels.get(job.get("kind"), "") if job else "",
                "running": bool(job) and job["state"] in spreadsheets.RUNNING,
                "import_url": reverse(self.import_url_name),
                "status_url": reverse(self.status_url_name)}


class ImportPageView(ImportJobMixin, View):
    """Upload (action "check"), confirm and cancel. Subclasses add the permission
    mixin and set ``template_name``, ``form_class`` and ``default_kind``; they may add
    to ``page_context``."""

    template_name = None
    form_class = None
    default_kind = None

    def page_context(self):
        return {}

    def make_form(self, *args, **kwargs):
        return self.form_class(*args, user=self.request.user, **kwargs)

    def _render(self, form, job=None, status=200):
        context = {"form": form, **self.page_context(), **self.status_context(job)}
        if job and job["state"] == spreadsheets.FAILED:
            status = 400
        elif job and job.get("result") is not None and not job["result"].ok:
            status = 400
        return render(self.request, self.template_name, context, status=status)

    def initial_kind(self, kind):
        choices = {value for value, _label in self.make_form().fields["kind"].choices}
        return kind if kind in choices else self.default_kind

    def get(self, request):
        job = self.job()
        if job and job["state"] == spreadsheets.IMPORTED:
            return redirect(self.imported(job))
        kind = request.GET.get("kind") or (job or {}).get("kind")
        return self._render(self.make_form(initial={"kind": self.initial_kind(kind)}), job)

    def post(self, request):
        action = request.POST.get("action", "check")
        if action == "confirm":
            return self._confirm(request)
        if action == "cancel":
            self.forget_job()
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return redirect(self.import_url_name)
        return self._check(request)

    def _check(self, request):
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        self.forget_job()
        try:
            token = self.jobs.start(
                actor=request.user, kind=data["kind"], content=data["content"],
                extension=data["extension"], filename=data["file"].name[:200],
                language=translation.get_language() or "", ip=client_ip(request))
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self._render(form, status=400)
        request.session[self.session_key] = {"token": token}
        return self._render(self.make_form(initial={"kind": data["kind"]}), self.job())

    def _confirm(self, request):
        token = self.job_token()
        posted = request.POST.get("token", "")
        try:
            confirmed = bool(token and posted and constant_time_compare(posted, token)
                             and self.jobs.confirm(actor=request.user, token=token,
                                                   language=translation.get_language() or "",
                                                   ip=client_ip(request)))
        except ApplicationError as exc:  # no longer allowed, or the broker is down
            messages.error(request, exc.message)
            return redirect(self.import_url_name)
        if not confirmed:
            messages.error(request, EXPIRED)
            return redirect(self.import_url_name)
        job = self.job()
        if job and job["state"] == spreadsheets.IMPORTED:
            return redirect(self.imported(job))
        # still running (a worker has it), or refused: the page shows which
        return self._render(self.make_form(initial={"kind": job["kind"] if job else None}),
                            job)


class ImportStatusView(ImportJobMixin, View):
    """The job's card, polled by the page while the check or the import runs."""

    status_template = "dashboard/imports/_status.html"

    def get(self, request):
        job = self.job()
        if job and job["state"] == spreadsheets.IMPORTED:
            url = self.imported(job)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
        if not request.headers.get("HX-Request"):
            return redirect(self.import_url_name)
        return render(request, self.status_template, self.status_context(job))

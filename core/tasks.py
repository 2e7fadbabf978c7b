from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

# How long an e-mail's key is kept to refuse a second delivery of its task.
SENT_EMAIL_KEEP = timedelta(days=14)


@shared_task(name="core.tasks.email_send_task", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def email_send_task(recipients, template, context, language, key=None):
    """Render and send one e-mail. With a ``key`` (``core.mail.email_send`` gives every
    message one) a second delivery of the same task sends nothing."""
    if not key:
        return _email_send(recipients, template, context, language)
    from core.models import SentEmail

    with transaction.atomic():
        try:
            with transaction.atomic():
                SentEmail.objects.create(key=key)
        except IntegrityError:  # sent already (or being sent by a run that holds the key)
            return 0
        # The key's row commits only with a sent message: an error rolls it back and
        # the retry sends.
        return _email_send(recipients, template, context, language)


def _email_send(recipients, template, context, language):
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return len(recipients)


@shared_task(name="core.tasks.outbox_dispatch_task")
def outbox_dispatch_task():
    """Beat, every minute: send the tasks the broker could not take when they were
    queued, and forget old e-mail keys."""
    from core.background import outbox_dispatch
    from core.models import SentEmail

    sent = outbox_dispatch()
    SentEmail.objects.filter(sent_at__lt=timezone.now() - SENT_EMAIL_KEEP).delete()
    return sent

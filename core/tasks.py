from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@shared_task(name="core.tasks.email_send_task", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def email_send_task(recipients, template, context, language):
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

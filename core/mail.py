"""E-mail: rendered in the recipient's language by a Celery task sent on commit."""


def email_send(*, to, template, context, language):
    """Queue an e-mail. ``template`` names ``<template>_subject.txt`` / ``_body.txt`` / ``.html``.

    ``context`` must be JSON-serialisable; the task renders it in ``language``.
    Nothing is sent if the surrounding transaction rolls back.
    """
    import uuid

    from core.background import enqueue_on_commit
    from core.tasks import email_send_task

    recipients = [to] if isinstance(to, str) else list(to)
    # The key makes the task safe to deliver twice: the message goes out once.
    enqueue_on_commit(email_send_task, recipients, template, context, language,
                      key=uuid.uuid4().hex)

"""The inbox on its own (nothing of orders): written once per key and recipient, in each
recipient's language, e-mailed once through core's e-mail task, the bell's count."""

import pytest
from django.core import mail
from django.utils.translation import gettext as _

from core.models import SentEmail
from ordering.notifications import selectors, services
from ordering.notifications.models import Notification
from tests.factories.users import UserFactory


@pytest.fixture(autouse=True)
def _mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def test_deliver_writes_and_emails_once_per_key(in_acme):
    ann = UserFactory(email="ann@acme.example", preferred_language="zh-hans")
    bob = UserFactory(email="bob@acme.example", preferred_language="en")
    actor = UserFactory(email="actor@acme.example")

    def send():
        return services.deliver([ann, bob, actor], key="thing:1", kind="thing",
                                title=lambda: _("Mark all as read"), body="b",
                                link="/x/", subject="thing:1", skip=actor.pk)

    assert send() == 2
    assert send() == 2  # a task run twice: nothing new
    notes = {n.recipient_id: n for n in Notification.objects.filter(key="thing:1")}
    assert set(notes) == {ann.pk, bob.pk}
    assert notes[ann.pk].title == "全部标为已读" and notes[bob.pk].title == "Mark all as read"
    assert notes[ann.pk].subject == "thing:1" and all(n.emailed_at for n in notes.values())
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "bob@acme.example"]
    # the e-mails went through core's e-mail task, each with its own key
    keys = [services._email_key(note) for note in notes.values()]
    assert SentEmail.objects.filter(key__in=keys).count() == 2


def test_unread_count_is_cached_and_dropped_on_change(in_acme):
    ann = UserFactory(email="ann@acme.example")
    assert selectors.unread_count(ann) == 0
    services.deliver([ann], key="k1", kind="thing", title=lambda: "One")
    services.deliver([ann], key="k2", kind="thing", title=lambda: "Two")
    assert selectors.unread_count(ann) == 2
    first = selectors.notification_list(user=ann).first()
    assert first.title == "Two"  # newest first
    assert services.mark_read(user=ann, pk=first.pk) == 1
    assert selectors.unread_count(ann) == 1
    assert services.mark_read(user=ann) == 1 and selectors.unread_count(ann) == 0


def test_muted_tells_nobody():
    assert not services.is_muted()
    with services.muted():
        assert services.is_muted()
    assert not services.is_muted()

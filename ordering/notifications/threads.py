"""A message thread along one thing (an order, an inquiry): the dealer's company and the
supplier's staff write to each other; each side sees how many of the other side's
messages it has not read.

The app that owns the thing declares one ``Thread``: its message model (``author``,
``from_dealer``, ``body``, ``created_at`` and a foreign key to the thing), its read model
(``user``, ``read_at``, the same foreign key; unique on thing and user), the name of that
foreign key, ``side`` (the app's check of who may take part: True for the dealer's
side, False for staff, an error otherwise), the app's error class, and ``notify`` (queues
the news of a message for after the commit). The writes (``post``, ``open``,
``mark_read``) and the reads (``messages``, ``with_unread``) are the same for every
thread; the apps' services and selectors call them.
"""

from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from typing import Callable

from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_BODY = 2000
NEVER = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)  # read before any message


@dataclass(frozen=True)
class Thread:
    message_model: type
    read_model: type
    field: str
    side: Callable
    error: type
    notify: Callable

    # --- writes --------------------------------------------------------------------

    def post(self, *, actor, thing, body):
        """A message from ``actor`` on ``thing`` (read by its author at once); the other
        side is told after the commit."""
        with transaction.atomic():
            from_dealer = self.side(actor, thing)
            body = (body or "").strip()
            if not body:
                raise self.error(_("Write a message."), fields={"body": [_("Write a message.")]})
            if len(body) > MAX_BODY:
                raise self.error(_("Keep the message under %(n)d characters.") % {"n": MAX_BODY},
                                 fields={"body": [_("Too long.")]})
            message = self.message_model.objects.create(
                **{self.field: thing}, author=actor, from_dealer=from_dealer, body=body)
            self.mark_read(actor=actor, thing=thing, at=message.created_at)
            self.notify(message)
        return message

    def open(self, *, actor, thing):
        """The thread (``messages``), marked read for the actor: one write, and only when
        something arrived since the actor last read."""
        self.side(actor, thing)
        messages = self.messages(actor=actor, thing=thing)
        if messages and (messages[-1].seen is None or messages[-1].seen < messages[-1].created_at):
            self.mark_read(actor=actor, thing=thing, at=messages[-1].created_at)
        return messages

    def mark_read(self, *, actor, thing, at=None):
        """Upsert how far ``actor`` has read (one statement)."""
        self.read_model.objects.bulk_create(
            [self.read_model(**{self.field: thing}, user=actor, read_at=at or timezone.now())],
            update_conflicts=True, unique_fields=[self.field, "user"], update_fields=["read_at"])

    # --- reads ---------------------------------------------------------------------

    def messages(self, *, actor, thing):
        """The thread, oldest first, with the authors, each annotated with when ``actor``
        last read it (``seen``; None: never). Who may read it is the caller's to check."""
        return list(self.message_model.objects.filter(**{self.field: thing})
                    .select_related("author")
                    .annotate(seen=Subquery(self.read_model.objects.filter(
                        **{self.field: thing}, user=actor).values("read_at")[:1])))

    def with_unread(self, queryset, user, *, dealer):
        """Annotate the things of ``queryset`` with ``unread_messages``: the other side's
        messages after ``user`` last read the thread (all of them when never read). A
        correlated subquery per row, no join and no GROUP BY: on a paged list it runs
        for the page's rows only."""
        read_at = Coalesce(Subquery(self.read_model.objects.filter(
            **{self.field: OuterRef(f"{self.field}_id")}, user=user)
            .values("read_at")[:1]), Value(NEVER))
        unread = (self.message_model.objects.filter(**{self.field: OuterRef("pk")},
                                                    from_dealer=not dealer)
                  .filter(created_at__gt=read_at).order_by()
                  .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
                  .values("n"))
        return queryset.annotate(unread_messages=Subquery(unread, output_field=IntegerField()))

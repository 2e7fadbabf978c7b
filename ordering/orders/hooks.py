"""Where other apps join an order's life without orders importing them: finance posts
an order's charge when it is submitted, reverses it when it is cancelled or rejected,
posts amendments, and decides whether finance review may pass it.

An app registers a function for an event in its ``AppConfig.ready()``; the orders code
calls ``run(event, …)`` inside the transaction of the change, so a hook that raises an
``ApplicationError`` refuses the change and nothing is saved.

Events and their keyword arguments:
- ``order_submitted``: ``order`` (lines saved, status and number set), ``actor``,
  ``use_rebate`` (the dealer chose to pay with its rebate balance); the hook may set the
  order's money fields in memory (``checkout.SUBMIT_FIELDS``), which checkout saves
- ``order_voided``: ``order`` (cancelled or rejected), ``actor``
- ``order_amended``: ``order`` (new totals), ``previous_total``, ``actor``
- ``finance_review``: ``order`` about to pass finance review, ``actor``
- ``return_refunded``: ``request`` (a return, completed with its refund amount and
  method), ``actor``
"""

from collections import defaultdict

EVENTS = ("order_submitted", "order_voided", "order_amended", "finance_review",
          "return_refunded")
_HOOKS = defaultdict(list)


def register(event, function):
    if event not in EVENTS:
        raise ValueError(f"unknown order event {event!r}")
    if function not in _HOOKS[event]:
        _HOOKS[event].append(function)
    return function


def run(event, **kwargs):
    for function in _HOOKS[event]:
        function(**kwargs)

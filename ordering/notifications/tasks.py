"""What the apps' notification tasks share (the tasks live with the apps that have the
news: ``ordering.orders.tasks``, ``ordering.quotes.tasks``)."""

# Acknowledged late and retried on a broker or mail-server error: safe, because
# ``services.deliver`` writes and e-mails each notification once per key.
TASK_OPTIONS = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True,
                "max_retries": 5}

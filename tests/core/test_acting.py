"""A task queued during an operator's support session writes its audit entries as
"operator → user" in the worker too: the operator travels in the task's headers."""

from celery import signals

from core.acting import HEADER, acting_operator, operator_acting


class _Request:
    pass


class _Task:
    def __init__(self, headers):
        self.request = _Request()
        for key, value in headers.items():
            setattr(self.request, key, value)


def test_the_operator_travels_in_the_headers_and_back_into_the_worker():
    headers = {}
    with operator_acting("ops@orderline.example"):
        signals.before_task_publish.send(sender="t", headers=headers, body=None)
    assert headers == {HEADER: "ops@orderline.example"}
    assert acting_operator() == ""
    task = _Task(headers)
    signals.task_prerun.send(sender=task, task_id="1", task=task, args=(), kwargs={})
    assert acting_operator() == "ops@orderline.example"
    signals.task_postrun.send(sender=task, task_id="1", task=task, args=(), kwargs={})
    assert acting_operator() == ""


def test_a_task_queued_outside_a_support_session_acts_for_nobody():
    headers = {}
    signals.before_task_publish.send(sender="t", headers=headers, body=None)
    assert headers == {}
    task = _Task(headers)
    signals.task_prerun.send(sender=task, task_id="2", task=task, args=(), kwargs={})
    assert acting_operator() == ""
    signals.task_postrun.send(sender=task, task_id="2", task=task, args=(), kwargs={})

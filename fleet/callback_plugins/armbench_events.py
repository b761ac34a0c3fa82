# armbench fleet's stdout callback: one JSON object per line for every host's task start,
# result and poll, which `armbench fleet run` reads to show progress and build
# fleet-summary.json. It emits only what the summary needs (host, task, status, message,
# return code, a short stderr tail): never a task's arguments or variables, so nothing
# from the inventory (passwords, key paths) reaches the summary or the logs.
from __future__ import annotations

import json
import sys
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: armbench_events
    type: stdout
    short_description: JSON lines of per-host task events for armbench fleet
    description:
      - One JSON object per line on stdout, for armbench fleet run to read.
"""

TAIL = 2000


def _text(value, limit=TAIL):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value)
    text = str(value)
    return text[-limit:] if len(text) > limit else text


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "armbench_events"

    def _emit(self, event, host=None, task=None, **fields):
        record = {"event": event, "time": time.time()}
        if host is not None:
            record["host"] = host
        if task is not None:
            record["task"] = task
        for key, value in fields.items():
            if value is not None:
                record[key] = value
        sys.stdout.write(json.dumps(record, default=str) + "\n")
        sys.stdout.flush()

    def _result(self, event, result, **fields):
        r = result._result
        self._emit(
            event,
            host=result._host.get_name(),
            task=result._task.get_name(),
            msg=_text(r.get("msg")),
            rc=r.get("rc") if isinstance(r.get("rc"), int) else None,
            stderr=_text(r.get("stderr")),
            **fields,
        )

    def v2_playbook_on_start(self, playbook):
        self._emit("start")

    def v2_runner_on_start(self, host, task):
        self._emit("task", host=host.get_name(), task=task.get_name())

    def v2_runner_on_ok(self, result):
        self._result("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result("failed", result, ignored=bool(ignore_errors))

    def v2_runner_on_unreachable(self, result):
        self._result("unreachable", result)

    def v2_runner_on_skipped(self, result):
        self._emit("skipped", host=result._host.get_name(), task=result._task.get_name())

    def v2_runner_on_async_poll(self, result):
        self._emit("poll", host=result._host.get_name(), task=result._task.get_name())

    def v2_playbook_on_no_hosts_matched(self):
        self._emit("no_hosts")

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            s = stats.summarize(host)
            hosts[host] = {k: s.get(k, 0) for k in ("ok", "failures", "unreachable", "skipped", "rescued", "ignored")}
        self._emit("stats", hosts=hosts)

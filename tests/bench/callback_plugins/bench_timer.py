# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's task timer (tests/bench/benchmark.py, sections 3 and 5): not part of the collection.

Writes, at the end of the playbook, the start and end (``time.monotonic()``) of every task to the
JSON file named by ``EOS_BENCH_TIMER_FILE``: ``{"tasks": [{"name", "start", "end"}]}``. A task
starts when the strategy announces it and ends with the last host result (for a ``loop:``, the
host's result after its last item). That is the task's own time on the controller, without
ansible-playbook's start-up (imports, inventory, parsing) and exit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timer
type: aggregate
short_description: Task start and end times for the benchmark
description:
  - Writes every task's start and end time to the file named by E(EOS_BENCH_TIMER_FILE).
requirements:
  - enabled in the benchmark's environment (ANSIBLE_CALLBACKS_ENABLED)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._tasks.append({"name": task.get_name(), "start": time.monotonic(), "end": None})

    def _ended(self, *args, **kwargs):
        if self._tasks:
            self._tasks[-1]["end"] = time.monotonic()

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = _ended
    v2_runner_on_unreachable = _ended

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("EOS_BENCH_TIMER_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump({"tasks": self._tasks}, handle)

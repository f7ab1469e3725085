# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only stdout callback: one JSON line per task result, so tests can read every result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: eos_results
type: stdout
short_description: One JSON line per task result (easystack.eos tests only)
description:
  - Prints each task result as a JSON object with the task name, host, status and result.
"""

import json

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "eos_results"

    def _emit(self, status, result):
        record = {
            "status": status,
            "task": result.task_name or result._task.get_name(),  # pylint: disable=protected-access
            "action": result._task.action,  # pylint: disable=protected-access
            "host": result._host.get_name(),  # pylint: disable=protected-access
            "result": self._clean_results(result._result, result._task.action)  # pylint: disable=protected-access
            or result._result,  # pylint: disable=protected-access
        }
        self._display.display(json.dumps(record, default=str, sort_keys=True))

    def _clean_results(self, result, task_name):
        super(CallbackModule, self)._clean_results(result, task_name)
        return result

    def v2_runner_on_ok(self, result):
        self._emit("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._emit("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._emit("unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._emit("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._emit("item_failed", result)

# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_all: bounded parallelism where every item is accounted for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

import pytest

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.parallel import run_all


class Gauge:
    def __init__(self):
        self.now = self.most = 0
        self.lock = threading.Lock()
        self.threads = set()

    def work(self, item):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.current_thread().name)
        time.sleep(0.005)
        with self.lock:
            self.now -= 1
        if item % 3 == 0:
            raise EosError("item %d failed" % item)
        return item * 10


@pytest.mark.parametrize("workers", [1, 3, 50])
def test_results_in_order_failures_kept_and_parallelism_bounded(workers):
    gauge = Gauge()
    outcomes = run_all(gauge.work, list(range(30)), workers)
    assert [result for result, error in outcomes] == [
        None if i % 3 == 0 else i * 10 for i in range(30)]
    assert [str(error) for result, error in outcomes if error] == [
        "item %d failed" % i for i in range(0, 30, 3)]
    assert gauge.most <= min(workers, 16)
    if workers > 1:
        assert gauge.most >= 2
    else:
        assert gauge.threads == {threading.current_thread().name}  # no pool for one worker


def test_a_bug_is_not_swallowed():
    def broken(item):
        raise KeyError(item)

    with pytest.raises(KeyError):
        run_all(broken, [1, 2], 2)


def test_no_items_no_work():
    assert run_all(lambda item: item, [], 4) == []


def test_a_failure_carries_what_was_done_before_it():
    error = EosError("2 of 5 failed", result={"changed": True, "domains": [{"changed": True}]})
    assert error.fail_kwargs() == {"msg": "2 of 5 failed", "changed": True,
                                   "domains": [{"changed": True}]}
    assert "domains" not in EosError("x").fail_kwargs()

# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Bounded parallelism for the list forms: many requests in flight, every one accounted for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import Callable, List, Optional, Sequence, Tuple, TypeVar

T = TypeVar("T")
R = TypeVar("R")

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError

MAX_WORKERS = 16  # session.POOL_SIZE keeps this many connections open


def check_workers(workers: int) -> None:
    """The ``parallel`` option's bounds, checked before anything is sent."""
    if not 1 <= workers <= MAX_WORKERS:
        raise EosError("parallel must be between 1 and %d (it is %d). Nothing was sent"
                       % (MAX_WORKERS, workers))


def run_all(work: Callable[[T], R], items: Sequence[T],
            workers: int) -> List[Tuple[Optional[R], Optional[EosError]]]:
    """``[(result, EosError or None)]`` of ``work(item)`` for each item, in the order of ``items``.

    Up to ``workers`` run at once; a failing item never stops the others (each write that was
    sent gets reported). Anything but an EosError is a bug and propagates.
    """
    def one(item: T) -> Tuple[Optional[R], Optional[EosError]]:
        try:
            return work(item), None
        except EosError as error:
            return None, error

    if workers <= 1 or len(items) <= 1:
        return [one(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor  # here: only the list forms need threads
    with ThreadPoolExecutor(max_workers=min(workers, MAX_WORKERS, len(items))) as pool:
        return list(pool.map(one, items))

# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""A task's one re-login, for all the threads that share its client.

A token refused mid-task (expired, revoked, or a stale cached one) is renewed once: the first
thread to see the 401 logs in again, and the others use its token. When that login is refused,
or its token is refused too, the task stops, and every later call fails at once,
``not_attempted`` (one refused login per department would lock the account under Keystone's
``[security_compliance]``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # annotations only: the client imports this file
    from ansible_collections.easystack.eos.plugins.module_utils.auth import Token
    from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient

import threading

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError


class Relogin:
    """The re-login state of one client (an EosClient: its ``token``, ``token_cache``,
    ``settings`` and ``authenticate``)."""

    def __init__(self, client: "EosClient") -> None:
        self.client = client
        # the EosError that stopped the task; later calls are not sent
        self.stopped: Optional[EosError] = None
        self._lock = threading.Lock()
        self._done = False  # the one re-login of this task has been made

    def unless_stopped(self, what: str, refused: bool = False) -> None:
        """Raise a ``not_attempted`` EosError for ``what`` when the task has stopped."""
        if self.stopped is not None:
            raise EosError("%s %s: the task had stopped: %s" % (
                what, "was refused (401) and not tried again" if refused else "was not sent",
                self.stopped), not_attempted=True)

    def renew(self, token: "Token", refused: EosError, what: str) -> None:
        """``token`` was refused (the EosError ``refused``, for the call ``what``): log in
        again, once per task. A second refusal, or a refused login, stops the task."""
        client = self.client
        with self._lock:
            self.unless_stopped(what, refused=True)
            if client.token is not token:  # another thread renewed it already: use that one
                return
            if self._done:
                refused.message += (". A fresh token for %s was refused too, so the task "
                                    "stopped (no further login is tried)"
                                    % client.settings.describe_identity())
                self.stopped = refused
                raise refused
            self._done = True
            if client.token_cache is not None:
                client.token_cache.drop()
            try:
                client.authenticate(use_cache=False)
            except EosError as error:
                error.message += (" (logging in again after the token was refused mid-task; "
                                  "no further login is tried)")
                self.stopped = error
                raise

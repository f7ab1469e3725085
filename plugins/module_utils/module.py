# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""The base every easystack.eos module is built on: connection options, client, failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Optional

if TYPE_CHECKING:  # annotations only: the client is imported where it is made (``client``)
    from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient

# ansible-core ships no type information (no py.typed): its names are Any here.
from ansible.module_utils.basic import (  # type: ignore[import-untyped]
    AnsibleModule, missing_required_lib)

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.options import (
    ConnectionSettings, connection_argument_spec, resolve_connection)
from ansible_collections.easystack.eos.plugins.module_utils.payload_import import settle
from ansible_collections.easystack.eos.plugins.module_utils.secrets import hidden, learn
from ansible_collections.easystack.eos.plugins.module_utils.transport import REQUESTS_IMPORT_ERROR
from ansible_collections.easystack.eos.plugins.module_utils.urls import is_https, is_loopback


class EosModule:
    """An AnsibleModule with the connection options added, and an authenticated client.

    ``run(action)`` calls ``action(self)`` and turns any EosError into a clean ``fail_json``
    naming the status, request id and URL; secrets learnt at run time are masked in all output,
    in the forms a server may echo them too.

    ``required_text``: options that, when given, must not be empty or whitespace only (an unset
    variable renders as ""): checked before anything is sent.
    """

    def __init__(self, argument_spec: Dict[str, Any], required_text: Iterable[str] = (),
                 **kwargs: Any) -> None:
        settle()  # the module's imports are done: out of the garbage collector's way
        spec = connection_argument_spec()
        clash = set(spec) & set(argument_spec)
        if clash:  # a programming error, caught by the unit tests
            raise ValueError("module options shadow connection options: %s" % sorted(clash))
        spec.update(argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.ansible.fail_json(msg=missing_required_lib(
                "requests", reason="to talk to the EOS API: pip install requests, or the "
                "python3-requests package, for the Python that runs the module"),
                exception=REQUESTS_IMPORT_ERROR)
        self.params = self.ansible.params
        self._client: Optional["EosClient"] = None
        self._settings: Optional[ConnectionSettings] = None
        for secret in list(self.ansible.no_log_values):  # the no_log options' values
            self.mask(secret)
        for name in required_text:
            value = self.params.get(name)
            if value is not None and not str(value).strip():
                self.ansible.fail_json(msg=(
                    "Option '%s' is empty%s: give it a value. Nothing was sent. (An unset or empty "
                    "variable renders as '', for example lookup('env', ...) of an unset variable)"
                    % (name, " or only whitespace" if value else "")))

    def mask(self, secret: Any) -> None:
        """Keep ``secret`` out of all output, raw and in the forms a server may echo it in: the
        secrets registry hides them in messages, ansible (no_log_values) in the whole result."""
        self.ansible.no_log_values.update(learn(secret))

    @property
    def check_mode(self) -> bool:
        return self.ansible.check_mode

    @property
    def settings(self) -> ConnectionSettings:
        """The resolved connection settings: ``run`` resolves them before the action runs."""
        if self._settings is None:  # a programming error, caught by the unit tests
            raise RuntimeError("EosModule.settings used before run() resolved them")
        return self._settings

    def resolve_settings(self) -> ConnectionSettings:
        """Resolve the connection options, keep their secrets out of all output, and warn about
        settings that expose the connection. Once per run, before anything is sent."""
        settings = resolve_connection(self.params)
        for secret in settings.secrets:
            self.mask(secret)
        auth_url = hidden(settings.auth["auth_url"])
        if settings.verify is False:
            self.ansible.warn("TLS certificate verification is off (validate_certs: false): "
                              "the connection to %s can be intercepted" % auth_url)
        if not is_https(auth_url) and not is_loopback(auth_url):
            self.ansible.warn("auth_url %s is plain http://: the credentials and every token "
                              "travel unencrypted and can be read on the way. Use the "
                              "https:// endpoint" % auth_url)
        self._settings = settings
        return settings

    @property
    def client(self) -> "EosClient":
        if self._client is None:
            # Imported here so that a module's --help-like failures do not pay for it.
            from ansible_collections.easystack.eos.plugins.module_utils.client import EosClient
            cache = None
            if self.settings.token_cache:
                from ansible_collections.easystack.eos.plugins.module_utils.token_cache import TokenCache
                cache = TokenCache(self.settings)
            self._client = EosClient(self.settings, on_secret=self.mask, token_cache=cache)
        return self._client

    def fail(self, error: EosError) -> None:
        self.ansible.fail_json(**error.fail_kwargs())

    def run(self, action: Callable[["EosModule"], Dict[str, Any]]) -> None:
        try:
            self.resolve_settings()
            result = action(self)
        except EosError as error:
            self.fail(error)
        self.ansible.exit_json(**result)

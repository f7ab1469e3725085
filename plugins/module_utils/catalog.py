# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Internal to easystack.eos, not a public API: no compatibility promise (docs/development.md).
"""Where requests go: the API root of each service, from auth_url, endpoint_override or the
token's service catalog (``Endpoints``), and the catalog search itself (``find_endpoint``)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.options import ConnectionSettings

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown
from ansible_collections.easystack.eos.plugins.module_utils.urls import checked_url, weaker_than


class NoEndpoint(EosError):
    """The catalog has no endpoint of that type, interface and region."""


def api_root(url: str) -> str:
    """The URL below which ``/v3/...`` paths go: endpoints come with or without ``/v3``."""
    url = url.rstrip("/")
    if url.endswith("/v3"):
        url = url[:-3]
    return url


def find_endpoint(catalog: List[Dict[str, Any]], service_type: str, interface: str,
                  region: Optional[str] = None) -> str:
    """The API root of ``service_type`` for ``interface`` (and ``region`` when given).

    Without a region, the endpoint must be unique; an ambiguous or missing match is an error
    that lists what the catalog does offer.
    """
    offered = []
    for service in catalog:  # shapes checked when the token was read (auth.Token)
        for endpoint in service.get("endpoints") or []:
            offered.append((service.get("type"), endpoint.get("interface"),
                            endpoint.get("region_id") or endpoint.get("region"),
                            endpoint.get("url")))
    matches = [entry for entry in offered
               if entry[0] == service_type and entry[1] == interface
               and (region is None or entry[2] == region)]
    if len(matches) == 1:
        return api_root(matches[0][3])
    if matches:
        regions = sorted(set(shown(entry[2], 60) for entry in matches))
        raise EosError("The catalog has %s endpoints (%s) in several regions (%s): set region_name"
                       % (service_type, interface, ", ".join(regions)))
    listing = "; ".join(shown("%s %s %s %s" % entry, 200)
                        for entry in sorted(offered, key=str)[:20]) or "nothing"
    if len(offered) > 20:
        listing += "; and %d more" % (len(offered) - 20)
    raise NoEndpoint("No %s endpoint for interface %s%s in the catalog. It offers: %s. Set "
                     "service_type, interface or region_name to match, or endpoint_override"
                     % (service_type, interface, " in region %s" % region if region else "",
                        listing))


class Endpoints:
    """The API roots of one task's services, found once per token (a new token's catalog may
    differ: ``forget``). ``quota`` is endpoint_override or the catalog's ``service_type``;
    ``identity`` is the catalog's, else auth_url's (identity is often in one region only)."""

    def __init__(self, settings: "ConnectionSettings") -> None:
        self.settings = settings
        self.found: Dict[str, str] = {}  # service: API root, for the current token

    @property
    def auth_root(self) -> str:
        return api_root(self.settings.auth["auth_url"])

    def forget(self) -> None:
        self.found = {}

    def root(self, service: str, catalog: List[Dict[str, Any]]) -> str:
        """API root of ``quota`` or ``identity``, from the token's ``catalog`` if need be."""
        if service in self.found:
            return self.found[service]
        settings = self.settings
        if service == "quota" and settings.endpoint_override:
            root = api_root(settings.endpoint_override)
        elif service == "quota":
            root = self._from_catalog(catalog, settings.service_type)
        else:
            try:
                root = self._from_catalog(catalog, "identity")
            except NoEndpoint:
                root = self.auth_root  # identity is often registered in one region only
        self.found[service] = root
        return root

    def _from_catalog(self, catalog: List[Dict[str, Any]], service_type: str) -> str:
        """A catalog endpoint, checked: a URL that reads as it goes, and no weaker than auth_url.

        The token (and a user's new password) go to it, so an ``http://`` endpoint behind an
        ``https://`` auth_url is refused unless ``allow_http_endpoints`` says otherwise.
        """
        settings = self.settings
        root = find_endpoint(catalog, service_type, settings.interface, settings.region_name)
        what = "The catalog's %s endpoint (%s)" % (service_type, settings.interface)
        # endpoint_override replaces the quota endpoint only; identity lookups use the catalog.
        fix = "Fix the catalog%s" % (
            " or set endpoint_override" if service_type == settings.service_type
            and service_type != "identity" else "")
        checked_url(root, what, api_root=True, fix=fix)
        if weaker_than(root, settings.auth["auth_url"]) and not settings.allow_http_endpoints:
            raise EosError(
                "%s %s is plain http:// while auth_url %s is https://: the token and any password "
                "sent there would travel unencrypted, so nothing was sent. %s, or set "
                "allow_http_endpoints: true to accept it"
                % (what, root, settings.auth["auth_url"], fix))
        return root

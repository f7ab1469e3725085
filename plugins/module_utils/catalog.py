# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing an endpoint from a token's service catalog."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown


class NoEndpoint(EosError):
    """The catalog has no endpoint of that type, interface and region."""


def api_root(url):
    """The URL below which ``/v3/...`` paths go: endpoints come with or without ``/v3``."""
    url = url.rstrip("/")
    if url.endswith("/v3"):
        url = url[:-3]
    return url


def find_endpoint(catalog, service_type, interface, region=None):
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

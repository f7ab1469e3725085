# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: connection_options
short_description: The modules' connection options from the C(eos_*) variables that are set
version_added: 0.1.0
author:
  - easystack.eos maintainers (@easystack)
description:
  - Returns a dict of the modules' connection options (C(cloud), C(auth), C(region_name), ...)
    from the variables of the same name with an C(eos_) prefix (C(eos_cloud), C(eos_auth),
    C(eos_region_name), ...), for each variable that is set and not V(null).
  - The collection's roles use it as their module task's C(module_defaults), so that an unset
    variable leaves the play's C(module_defaults) for C(group/easystack.eos.eos), the E(OS_*)
    environment or C(clouds.yaml) in charge (an option passed as C(omit) would hide the play's
    C(module_defaults) value instead).
  - The option names come from the modules' own argument spec, so a new connection option needs
    no change here.
options: {}
"""

EXAMPLES = r"""
- name: Hand the eos_* variables to a module as its defaults
  module_defaults:
    easystack.eos.eos_domain_usage_info: "{{ lookup('easystack.eos.connection_options') }}"
  easystack.eos.eos_domain_usage_info:
  vars:
    eos_region_name: RegionOne
"""

RETURN = r"""
_raw:
  description: One dict - connection option name to the value of its C(eos_) variable.
  type: list
  elements: dict
"""

from ansible.plugins.loader import lookup_loader
from ansible.plugins.lookup import LookupBase

from ansible_collections.easystack.eos.plugins.module_utils.options import variable_options


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        names = variable_options()
        present = [name for name in names if name in (variables or {})]
        # The builtin vars lookup templates the values as Ansible would (a vaulted password,
        # a lookup inside eos_auth), in every ansible-core this collection supports.
        values = lookup_loader.get("ansible.builtin.vars", loader=self._loader,
                                   templar=self._templar).run(present, variables=variables)
        return [dict((names[name], value) for name, value in zip(present, values)
                     if value is not None)]

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: eos_user_password
short_description: Reset an EasyStack EOS user's password as an administrator, idempotently
version_added: 0.1.0
description:
  - An administrator sets a user's password (C(PATCH /v3/users/{user_id})). The password is never
    shown, returned, logged or put in a diff; the API cannot read it back either.
  - With O(update_password=on_mismatch) (the default), the module first finds out whether the
    user's password already is O(password) by logging in once as that user (an unscoped
    C(POST /v3/auth/tokens)); only when that login is refused is the password written.
  - "Keystone's C([security_compliance]) rules, as the module meets them (Keystone 30, tested):
    C(password_regex) applies to this reset too, and a refusal fails the task with
    C(password_regex_description); C(unique_last_password_count) is not checked on an admin reset
    (a vendor build that checks it fails the task with its reason);
    C(change_password_upon_first_use) marks the new password expired, and a password that is the
    requested one but expired is left as it is (no rewrite, a warning, RV(password_check) says
    so); a locked account answers the check login like a wrong password (Keystone does not say
    which), so the password is written, and on Keystone an admin reset also clears the lockout -
    the next run then finds the password set."
  - "Keystone's multi-factor rules (a user's C(multi_factor_auth_rules)): a right password
    earns a 401 with an C(Openstack-Auth-Receipt) instead of a token - the check login calls
    that C(mfa_required), the password is the requested one and is not rewritten (a warning,
    RV(password_check) says so); the receipt is a secret and never shown."
extends_documentation_fragment:
  - easystack.eos.connection
  - easystack.eos.attributes
  - easystack.eos.attributes.action_module
options:
  user:
    description: The user whose password to set, by name (within O(domain)) or ID.
    type: str
    required: true
  domain:
    description:
      - The user's domain (name or ID), used when O(user) is a name.
    type: str
    default: Default
  password:
    description:
      - The user's new password. The administrator's own credentials are in O(auth) or the cloud.
    type: str
    required: true
  update_password:
    description:
      - V(on_mismatch) - write the password only when the user cannot log in with it. A password
        that is the requested one but has expired is not rewritten (Keystone says so in its
        answer); the result says it is expired. Nor is one that is right but for which the
        user's MFA rules ask for another factor (Keystone answers with an MFA receipt).
      - V(always) - write it on every run (always reports a change); no login is attempted.
      - The check of V(on_mismatch) is one login per task, also in check mode. When the password
        differs it counts as one failed login towards a lockout where the cloud enforces one
        (C([security_compliance] lockout_failure_attempts)); the reset that follows clears the
        count on Keystone. A task that runs in check mode again and again with a differing
        password can lock the account; use O(update_password=always) with C(--check) to avoid
        any login.
      - A disabled user cannot log in (Keystone answers a right and a wrong password alike), so
        the check cannot tell; the password is then always written, with a warning.
    type: str
    choices: [on_mismatch, always]
    default: on_mismatch
"""

EXAMPLES = r"""
- name: Reset a user's password from an Ansible Vault variable
  easystack.eos.eos_user_password:
    cloud: eos-prod
    user: bob
    domain: acme
    password: "{{ vault_bob_password }}"

- name: Rotate service accounts' passwords on every run
  easystack.eos.eos_user_password:
    user: "{{ item.name }}"
    domain: "{{ item.domain }}"
    password: "{{ item.password }}"
    update_password: always
  loop: "{{ eos_service_accounts }}"
  loop_control:
    label: "{{ item.domain }}/{{ item.name }}"
  no_log: true  # the loop items hold the passwords

# Ad hoc (the value still never shows in the output):
#   ansible localhost -m easystack.eos.eos_user_password -a 'user=bob domain=acme password={{ new }}' -e @vault.yml --check --diff
"""

RETURN = r"""
user:
  description: The user after the task; no password of any kind.
  returned: always
  type: dict
  contains:
    id:
      description: User ID.
      type: str
    name:
      description: User name.
      type: str
    domain_id:
      description: The user's domain ID.
      type: str
    enabled:
      description: Whether the user is enabled.
      type: bool
    password_expires_at:
      description: When the password expires, if the cloud sets an expiry.
      type: str
    options:
      description: The user's Keystone options (lockout, expiry and MFA settings).
      type: dict
  sample:
    {"id": "5df4ae79648b4d7e954382da88cc69ef", "name": "bob", "domain_id": "default",
     "enabled": true, "password_expires_at": null, "options": {}}
password_state:
  description:
    - What the module found and did, without revealing anything about the password -
      V(unchanged) (it already worked), V(updated), V(would_update) (check mode).
  returned: always
  type: str
  sample: updated
password_check:
  description:
    - What the check could verify before any change, in words - that the password is the
      requested one, that it is but has expired, that it is but the user's MFA rules ask for
      another factor, that it differs (or the account is locked, which Keystone answers
      alike), or why it was not checked (O(update_password=always), a disabled user).
  returned: always
  type: str
  sample: is the requested one, but has expired
write:
  description:
    - The password write (the C(PATCH)) the task sent, for audit trails (the callback
      P(easystack.eos.quota_audit#callback) records one event from it), with the same two keys
      as M(easystack.eos.eos_domain_quota)'s C(write) - C(request_id), the request id of its
      answer or V(null), and C(outcome), V(success), V(failure) (nothing written) or V(unknown)
      (it may have been applied). No password of any kind.
    - Absent when nothing was sent (the password was already the requested one, check mode, a
      failure before the write). When the write failed, the failure carries it too, with RV(user).
  returned: when a write was sent, also when it failed
  type: dict
  sample: {"request_id": "req-5c0b3f5e-6a63-4f3e-9b6e-2f1d8a9c0e11", "outcome": "success"}
"""

# First: the module_utils below are then compiled once from the payload (payload_import.py).
from ansible_collections.easystack.eos.plugins.module_utils import payload_import  # noqa: F401  pylint: disable=unused-import
from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule
from ansible_collections.easystack.eos.plugins.module_utils.password_tasks import run


def main():
    module = EosModule(
        argument_spec=dict(
            user=dict(type="str", required=True),
            domain=dict(type="str", default="Default"),
            password=dict(type="str", required=True, no_log=True),
            update_password=dict(type="str", default="on_mismatch", no_log=False,
                                 choices=["on_mismatch", "always"]),
        ),
        supports_check_mode=True,
        required_text=("user", "domain", "password"),
    )
    module.run(run)


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What eos_user_password does: find the user, check the password by one login, write it.

Internal to the collection. ``run(module)`` is the module's action. The password is a secret
(``no_log``): it reaches no output; the result says in words what the check found.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:  # annotations only
    from ansible_collections.easystack.eos.plugins.module_utils.module import EosModule

from ansible_collections.easystack.eos.plugins.module_utils.client import (
    EXPIRED, MATCH, MFA_REQUIRED, REFUSED)
from ansible_collections.easystack.eos.plugins.module_utils.eos_api import (
    check_password, set_user_password, verify_lost_write)
from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError, write_record
from ansible_collections.easystack.eos.plugins.module_utils.lookups import find_user
from ansible_collections.easystack.eos.plugins.module_utils.untrusted import shown

USER_FIELDS = ("id", "name", "domain_id", "enabled", "password_expires_at", "options")
# Before the login that verifies a change whose answer was lost: time for a write the server
# was still processing to land, and for Keystone, which records revocations by the second.
SETTLE = 2.0


# What the check login found, in words (the diff and the result's password_check).
CHECK_WORDS = {
    MATCH: "is the requested one",
    EXPIRED: "is the requested one, but has expired",
    MFA_REQUIRED: "is the requested one, but the user's MFA rules ask for another factor",
    REFUSED: "differs from the requested one",
}
# A refused login may also be a locked account: Keystone words both alike.
REFUSED_DETAIL = ("differs from the requested one, or the account is locked (Keystone answers "
                  "both alike; the reset clears a lockout)")


def public_fields(user: Dict[str, Any]) -> Dict[str, Any]:
    return dict((key, user.get(key)) for key in USER_FIELDS)


def write_password(module: "EosModule", user: Dict[str, Any], password: str,
                   sent: Optional[List[Optional[str]]] = None) -> Dict[str, Any]:
    """PATCH the password once (never resent: a lost answer may hide an applied change).

    When the answer is lost, one login as the user tells whether the password took; the
    result then says so, or the task fails saying the write may have been applied.
    ``sent``: the request id of the PATCH's answer is appended to it.
    """
    try:
        return set_user_password(module.client, user, password,
                                 lambda error: lost_answer(module, user, password, error), sent)
    except EosError as error:
        if error.status == 400 and not error.maybe_applied:
            # Keystone's password rules (password_regex, a vendor's history check): its message
            # carries password_regex_description, which is what the user needs to fix the value.
            raise EosError("Keystone refused the new password of user %s: %s. Choose a password "
                           "that meets the cloud's rules; nothing was changed"
                           % (shown(user.get("name"), 64), error.server_message), status=400,
                           request_id=error.request_id, method="PATCH", url=error.url)
        raise


def lost_answer(module: "EosModule", user: Dict[str, Any], password: str,
                error: EosError) -> Dict[str, Any]:
    """The password PATCH got no usable answer: one login as the user says whether it took."""
    client = module.client
    if not user.get("enabled", True):
        error.message += (". The user is disabled, so no login can tell whether the "
                          "password was set")
        raise error
    verify_lost_write(
        client, error, lambda: check_password(client, user["id"], password) != REFUSED, SETTLE,
        check="The login that would tell whether it was set",
        not_taken="A login with the new password did not succeed afterwards, so it was most "
                  "likely not set; running the task again sets it")
    module.ansible.warn("The answer to the password change was lost (%s); a login "
                        "with the new password then succeeded, so it is set" % error.message)
    return user


def describe(user: Dict[str, Any], state: str) -> Dict[str, Any]:
    """A diff side: non-secret fields, and in words whether the password matches."""
    return {"user": user.get("name"), "domain_id": user.get("domain_id"),
            "password_expires_at": user.get("password_expires_at"), "password": state}


def run(module: "EosModule") -> Dict[str, Any]:
    """The module's action: find the user, check the password (unless always), write it."""
    client = module.client
    params = module.params
    user = find_user(client, params["user"], params["domain"])
    if params["update_password"] == "always":
        needed, before_state = True, "not checked (update_password=always)"
        verified = before_state
    elif not user.get("enabled", True):
        module.ansible.warn("User %s is disabled, so whether its password already matches cannot "
                            "be checked: the password is written anyway"
                            % shown(user.get("name"), 64))
        needed, before_state = True, "not checked (user disabled)"
        verified = before_state
    else:
        check = check_password(client, user["id"], params["password"])
        needed = check == REFUSED
        before_state = CHECK_WORDS[check]
        verified = REFUSED_DETAIL if check == REFUSED else before_state
        if check == EXPIRED:
            module.ansible.warn("User %s's password is the requested one but has expired "
                                "(Keystone: it must be changed at the next login); it is left as "
                                "it is" % shown(user.get("name"), 64))
        if check == MFA_REQUIRED:
            module.ansible.warn("User %s's password is the requested one; Keystone issued no "
                                "token because the user's MFA rules (multi_factor_auth_rules) ask "
                                "for another factor too. The password is left as it is"
                                % shown(user.get("name"), 64))

    after = user
    sent: List[Optional[str]] = []
    if needed and not module.check_mode:
        try:
            after = write_password(module, user, params["password"], sent)
        except EosError as error:
            if not error.not_attempted:  # the write was sent: its failure reports it
                error.result = {"user": public_fields(user),
                                "write": write_record(sent[-1] if sent else None, error)}
            raise
    if not needed:
        state, after_state = "unchanged", before_state
    elif module.check_mode:
        state, after_state = "would_update", "would be set to the requested one"
    else:
        state, after_state = "updated", "set to the requested one"
    result = {"changed": needed, "user": public_fields(after), "password_state": state,
              "password_check": verified}
    if needed and not module.check_mode:  # the write was sent: the audit trail's key
        result["write"] = write_record(sent[-1] if sent else None)
    if module.ansible._diff:  # pylint: disable=protected-access
        result["diff"] = {"before": describe(user, before_state),
                          "after": describe(after, after_state)}
    return result

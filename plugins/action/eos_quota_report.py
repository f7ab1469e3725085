# -*- coding: utf-8 -*-
# Copyright: easystack.eos contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""easystack.eos.eos_quota_report: read with eos_domain_usage_info, write the report on the
controller. The documentation is plugins/modules/eos_quota_report.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.easystack.eos.plugins.module_utils.errors import EosError
from ansible_collections.easystack.eos.plugins.module_utils.files import file_mode
from ansible_collections.easystack.eos.plugins.module_utils.options import connection_argument_spec
from ansible_collections.easystack.eos.plugins.module_utils.parallel import check_workers
from ansible_collections.easystack.eos.plugins.plugin_utils.report import ReportError, build, threshold_value
from ansible_collections.easystack.eos.plugins.plugin_utils.report_files import (
    ReportFileError, write_report)

READER = "easystack.eos.eos_domain_usage_info"
REPORT_SPEC = dict(
    domains=dict(type="list", elements="str"),
    all_domains=dict(type="bool", default=False),
    platform=dict(type="bool", default=True),
    platform_domains=dict(type="list", elements="str", default=["Default"]),
    regions=dict(type="list", elements="str", default=[]),
    threshold=dict(type="float", default=80.0),
    parallel=dict(type="int", default=4),
    dest=dict(type="path", required=True),
    name=dict(type="str", default="eos-quota-report"),
    mode=dict(type="raw", default="0644"),
    title=dict(type="str", default="EasyStack EOS quota report"),
    zero_rows=dict(type="bool", default=False),
    return_rows=dict(type="bool", default=False),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = True  # the reads run on the task's host, like any module

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        spec = dict(REPORT_SPEC, **connection_argument_spec())
        dummy, args = self.validate_argument_spec(argument_spec=spec)
        if args["all_domains"] and args["domains"]:  # all_domains=false beside domains is fine
            raise AnsibleActionFail("domains and all_domains=true are mutually exclusive: "
                                    "all_domains already reads every department")
        if args["name"] in ("", ".", "..") or "/" in args["name"]:
            raise AnsibleActionFail("name is the files' base name (no directory), not %r" % (args["name"],))
        try:
            check_workers(args["parallel"])  # the list forms' bounds, worded as theirs
        except EosError as error:
            raise AnsibleActionFail("%s" % (error,))
        try:
            mode = file_mode(args["mode"])
        except ValueError as error:
            raise AnsibleActionFail("%s" % (error,))
        try:  # before anything is read
            threshold_value(args["threshold"])
        except ReportError as error:
            raise AnsibleActionFail("%s" % (error,))
        # only the connection options the task gave (module_defaults included): the reader's own
        # defaults, OS_* variables and clouds.yaml stay in charge of the rest
        connection = dict((key, value) for key, value in self._task.args.items()
                          if key in connection_argument_spec())
        region = args["regions"][0] if len(args["regions"]) == 1 else None

        started = time.monotonic()
        platform = None
        if args["platform"]:
            platform = self.read(dict(connection, region=region), task_vars)["summary"]
        domains = []
        if args["all_domains"] or args["domains"]:
            many = dict(connection, region=region, parallel=args["parallel"])
            if args["all_domains"]:
                many["all_domains"] = True
            else:
                many["domains"] = args["domains"]
            domains = self.read(many, task_vars)["domains"]
        read_seconds = time.monotonic() - started
        try:
            report = build(platform, domains, threshold=args["threshold"], regions=args["regions"],
                           all_domains=args["all_domains"], platform_domains=args["platform_domains"])
            files = write_report(report, args["dest"], args["name"], mode, args["title"],
                                 zero_rows=args["zero_rows"], check_mode=self._task.check_mode)
        except (ReportError, ReportFileError) as error:
            raise AnsibleActionFail("%s" % (error,))
        summary = dict(report["summary"], html=files["html"], csv=files["csv"],
                       generated=files["generated"])
        result.update(
            changed=files["changed"], summary=summary, html=files["html"], csv=files["csv"],
            generated=files["generated"], departments=len(domains),
            rows=report["rows"] if args["return_rows"] else None,
            timing={"read_seconds": round(read_seconds, 3),
                    "render_seconds": files["render_seconds"]},
            size={"html_bytes": files["html_bytes"], "csv_bytes": files["csv_bytes"]},
        )
        if not args["return_rows"]:
            del result["rows"]
        return result

    def read(self, module_args, task_vars):
        """One eos_domain_usage_info run on the task's host; its failure is this task's."""
        module_args = dict((key, value) for key, value in module_args.items() if value is not None)
        answer = self._execute_module(module_name=READER, module_args=module_args,
                                      task_vars=task_vars)
        if answer.get("failed"):
            raise AnsibleActionFail("Reading the quotas failed (%s): %s"
                                    % (READER, answer.get("msg", "no message")),
                                    result=dict((key, answer[key]) for key in
                                                ("status", "request_id", "url", "method")
                                                if key in answer))
        return answer

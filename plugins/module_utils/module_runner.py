# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The part of every module's main() that touches AnsibleModule.

Only modules import this file. Action plugins run ``operations`` directly.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.portsip.pbx.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.portsip.pbx.plugins.module_utils.common import client_from_params
from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxError


def run_module(module, operation):
    """Call ``operation(client, module)`` with a client for the module's parameters, then exit.

    The client signs out before the module exits, also on failure. A PbxError
    becomes fail_json with its message and details; sign-out problems become
    warnings.
    """
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    client = None
    try:
        client = client_from_params(module.params)
        with client:
            result = operation(client, module)
    except PbxError as exc:
        _report_warnings(module, client)
        module.fail_json(msg=exc.message, **exc.details)

    _report_warnings(module, client)
    module.exit_json(**result)


def _report_warnings(module, client):
    for warning in (client.warnings if client is not None else []):
        module.warn(warning)

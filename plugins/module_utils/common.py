# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every portsip.pbx module and plugin.

The argument spec here matches the ``portsip.pbx.connection`` doc fragment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.portsip.pbx.plugins.module_utils.client import PbxClient


CONNECTION_ARGUMENT_SPEC = dict(
    pbx_url=dict(type='str', required=True, fallback=(env_fallback, ['PORTSIP_PBX_URL'])),
    pbx_token=dict(type='str', no_log=True, fallback=(env_fallback, ['PORTSIP_PBX_TOKEN'])),
    pbx_username=dict(type='str', fallback=(env_fallback, ['PORTSIP_PBX_USERNAME'])),
    pbx_password=dict(type='str', no_log=True, fallback=(env_fallback, ['PORTSIP_PBX_PASSWORD'])),
    pbx_domain=dict(type='str', fallback=(env_fallback, ['PORTSIP_PBX_DOMAIN'])),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    timeout=dict(type='int', default=30),
    use_proxy=dict(type='bool', default=True),
)

CONNECTION_MUTUALLY_EXCLUSIVE = [('pbx_token', 'pbx_username')]
CONNECTION_REQUIRED_ONE_OF = [('pbx_token', 'pbx_username')]
CONNECTION_REQUIRED_TOGETHER = [('pbx_username', 'pbx_password')]

DECT_PHONE_ARGUMENT_SPEC = dict(
    dect_phone_id=dict(type='str'),
    dect_phone=dict(type='str'),
)
DECT_PHONE_MUTUALLY_EXCLUSIVE = [('dect_phone_id', 'dect_phone')]
DECT_PHONE_REQUIRED_ONE_OF = [('dect_phone_id', 'dect_phone')]


def argument_spec(**options):
    """Return the connection and phone options merged with a module's own options."""
    spec = dict(CONNECTION_ARGUMENT_SPEC)
    spec.update(DECT_PHONE_ARGUMENT_SPEC)
    spec.update(options)
    return spec


def dect_members_argument_spec():
    """Return the full argument spec of portsip.pbx.dect_members."""
    return argument_spec(
        members=dict(
            type='list',
            elements='dict',
            required=True,
            options=dict(
                extension_number=dict(type='raw', required=True),
                ipui=dict(type='str'),
                handset_index=dict(type='int'),
            ),
        ),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        exclusive=dict(type='bool', default=False),
    )


def dect_member_info_argument_spec():
    """Return the full argument spec of portsip.pbx.dect_member_info."""
    return argument_spec(extension_number=dict(type='raw'))


def argument_constraints():
    """Return the keyword arguments for AnsibleModule (or ArgumentSpecValidator) constraints."""
    return dict(
        mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE + DECT_PHONE_MUTUALLY_EXCLUSIVE,
        required_one_of=CONNECTION_REQUIRED_ONE_OF + DECT_PHONE_REQUIRED_ONE_OF,
        required_together=CONNECTION_REQUIRED_TOGETHER,
    )


def client_from_params(params, **overrides):
    """Create a PbxClient from validated module parameters. Sends no request."""
    options = dict(
        token=params.get('pbx_token'),
        username=params.get('pbx_username'),
        password=params.get('pbx_password'),
        domain=params.get('pbx_domain'),
        validate_certs=params.get('validate_certs', True),
        ca_path=params.get('ca_path'),
        timeout=params.get('timeout', 30),
        use_proxy=params.get('use_proxy', True),
    )
    options.update(overrides)
    return PbxClient(params['pbx_url'], **options)


def connection_key(params):
    """Return a hashable key of the options that identify one PBX session.

    An action plugin that keeps clients across loop items reuses a client
    only when every one of these options is equal.
    """
    return tuple(params.get(name) for name in sorted(CONNECTION_ARGUMENT_SPEC))

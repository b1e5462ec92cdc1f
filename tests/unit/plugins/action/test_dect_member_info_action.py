# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the dect_member_info action plugin: module name, results, caches and module parity."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from unittest import mock

import pytest

from ansible_collections.portsip.pbx.plugins.action.dect_member_info import ActionModule as DectMemberInfoAction
from ansible_collections.portsip.pbx.plugins.action.dect_members import ActionModule as DectMembersAction
from ansible_collections.portsip.pbx.plugins.modules import dect_member_info as dect_member_info_module
from ansible_collections.portsip.pbx.plugins.plugin_utils import controller_action
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import PBX_URL, TOKEN, call
from ansible_collections.portsip.pbx.tests.unit.plugins.plugin_utils.action_harness import (
    IPUI,
    MEMBERS_PATH,
    NO_LOG_MASK,
    PHONE_ID,
    PHONE_NAME,
    PHONE_PATH,
    item,
    make_action,
    run_action,
    run_module_main,
)

MODULE_NAME = 'portsip.pbx.dect_member_info'


def info_args(**options):
    args = {'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'dect_phone_id': PHONE_ID}
    args.update(options)
    return args


def by_name(**options):
    args = info_args(dect_phone=PHONE_NAME)
    del args['dect_phone_id']
    args.update(options)
    return args


def test_module_name_on_target(pbx):
    args = info_args(extension_number='101')
    action = make_action(DectMemberInfoAction, args, transport='ssh')
    action._execute_module = mock.MagicMock(return_value={'changed': False, 'is_member': True})

    result = action.run(task_vars={})

    kwargs = action._execute_module.call_args.kwargs
    assert kwargs['module_name'] == MODULE_NAME
    assert kwargs['module_args'] == args
    assert result == {'changed': False, 'is_member': True}
    assert pbx.clients == []


def test_lists_members(pbx):
    pbx.members[PHONE_ID] = [item('102', 2), item('101', 1, IPUI)]

    result = run_action(DectMemberInfoAction, info_args())

    assert pbx.calls == [('GET', MEMBERS_PATH)]
    assert result['changed'] is False
    assert result['dect_phone_id'] == PHONE_ID
    assert result['members'] == [
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI, 'display_name': 'Nurse 101'},
        {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': 'Nurse 102'},
    ]
    assert result['invocation']['module_args']['pbx_token'] == NO_LOG_MASK


@pytest.mark.parametrize('extension_number, is_member', [('101', True), ('102', False)])
def test_checks_one_extension(pbx, extension_number, is_member):
    result = run_action(DectMemberInfoAction, by_name(extension_number=extension_number))

    assert result['is_member'] is is_member
    assert result['dect_phone_id'] == PHONE_ID
    assert 'failed' not in result


def test_invalid_extension_fails(pbx):
    result = run_action(DectMemberInfoAction, info_args(extension_number='12'))

    assert result['failed'] is True
    assert result['msg'].startswith("dect_member_info: extension_number '12' is invalid: it must be 3 to 64 digits")
    assert pbx.calls == []


def test_unknown_option_message(pbx, capsys):
    args = info_args(members=[{'extension_number': '101'}])
    expected = run_module_main(dect_member_info_module.main, args, capsys, MODULE_NAME)

    result = run_action(DectMemberInfoAction, args)

    assert result['msg'].startswith(f'Unsupported parameters for ({MODULE_NAME}) module: members.')
    assert result['msg'] == expected['msg']
    assert pbx.clients == []


def test_loop_reads_phone_list_once(pbx):
    results = [run_action(DectMemberInfoAction, by_name(extension_number=number)) for number in ('101', '102', '103')]

    assert [result['is_member'] for result in results] == [True, False, False]
    assert pbx.count('GET', '/dect_phones') == 1
    assert len(pbx.clients) == 1


def test_shares_cache_with_dect_members(pbx):
    args = by_name(extension_number='102')
    changed = run_action(DectMembersAction, dict(by_name(), members=[{'extension_number': '102'}]))
    info = run_action(DectMemberInfoAction, args)

    assert changed['added'] == ['102']
    assert info['is_member'] is True
    assert pbx.count('GET', '/dect_phones') == 1
    assert len(pbx.clients) == 1
    assert len(controller_action._CLIENTS) == 1


@pytest.mark.parametrize('extension_number', [None, '101', '102'])
def test_result_matches_module(http, capsys, extension_number):
    args = info_args()
    if extension_number is None:
        calls = [call('GET', MEMBERS_PATH, reply={'items': [item('101', 1, IPUI)]})]
    elif extension_number == '101':
        args['extension_number'] = extension_number
        calls = [call('GET', f'{MEMBERS_PATH}/101', reply=item('101', 1, IPUI))]
    else:
        args['extension_number'] = extension_number
        calls = [
            call('GET', f'{MEMBERS_PATH}/{extension_number}', status=404, reply={'errors': [{'message': 'Not found'}]}),
            call('GET', PHONE_PATH, reply={'id': PHONE_ID, 'name': PHONE_NAME, 'lines': 8}),
        ]

    http.expect(*calls)
    expected = run_module_main(dect_member_info_module.main, args, capsys, MODULE_NAME)
    http.expect(*calls)
    result = run_action(DectMemberInfoAction, args)

    assert 'failed' not in expected
    assert result == expected
    assert TOKEN not in json.dumps(result)

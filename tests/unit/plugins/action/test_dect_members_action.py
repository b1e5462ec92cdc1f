# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the dect_members action plugin: module name, check mode, diff and module parity."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from unittest import mock

import pytest

from ansible_collections.portsip.pbx.plugins.action import dect_members as dect_members_action
from ansible_collections.portsip.pbx.plugins.action.dect_members import ActionModule as DectMembersAction
from ansible_collections.portsip.pbx.plugins.modules import dect_members as dect_members_module
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import call
from ansible_collections.portsip.pbx.tests.unit.plugins.plugin_utils.action_harness import (
    MEMBERS_PATH,
    PHONE_ID,
    PHONE_PATH,
    item,
    make_action,
    phone,
    run_action,
    run_module_main,
    token_args,
)

MODULE_NAME = 'portsip.pbx.dect_members'
FLAG_COMBINATIONS = [(False, False), (True, False), (False, True), (True, True)]


def test_module_name_on_target():
    args = token_args(state='absent')
    action = make_action(DectMembersAction, args, transport='ssh')
    action._execute_module = mock.MagicMock(return_value={'changed': False})

    action.run(task_vars={'inventory_hostname': 'pbx-host'})

    kwargs = action._execute_module.call_args.kwargs
    assert kwargs['module_name'] == MODULE_NAME
    assert kwargs['module_args'] == args
    assert kwargs['task_vars'] == {'inventory_hostname': 'pbx-host'}


@pytest.mark.parametrize('check_mode, diff', FLAG_COMBINATIONS)
def test_task_flags_reach_manage_members(monkeypatch, pbx, check_mode, diff):
    seen = []
    manage_members = dect_members_action.manage_members

    def spy(client, params, check_mode=False, diff=False, phones=None):
        seen.append({'check_mode': check_mode, 'diff': diff})
        return manage_members(client, params, check_mode=check_mode, diff=diff, phones=phones)

    monkeypatch.setattr(dect_members_action, 'manage_members', spy)

    run_action(DectMembersAction, token_args(), check_mode=check_mode, diff=diff)

    assert seen == [{'check_mode': check_mode, 'diff': diff}]


def test_check_mode_sends_no_write(pbx):
    result = run_action(DectMembersAction, token_args(members=[{'extension_number': '102'}]), check_mode=True)

    assert result['changed'] is True
    assert result['added'] == ['102']
    assert [member['extension_number'] for member in result['members']] == ['101', '102']
    assert pbx.calls == [('GET', MEMBERS_PATH), ('GET', PHONE_PATH)]
    assert [member['extension_number'] for member in pbx.members[PHONE_ID]] == ['101']


def test_change_writes_and_verifies(pbx):
    result = run_action(DectMembersAction, token_args(members=[{'extension_number': '102', 'handset_index': 1}],
                                                      exclusive=True))

    assert pbx.calls == [
        ('GET', MEMBERS_PATH),
        ('POST', MEMBERS_PATH, {'items': [{'extension_number': '102', 'ipui': '', 'handset_index': '1'}]}),
        ('GET', MEMBERS_PATH),
    ]
    assert result['changed'] is True
    assert result['added'] == ['102']
    assert result['removed'] == ['101']


def test_diff_only_when_requested(pbx):
    args = token_args(members=[{'extension_number': '101'}], state='absent')

    plain = run_action(DectMembersAction, args, check_mode=True)
    with_diff = run_action(DectMembersAction, args, check_mode=True, diff=True)

    assert 'diff' not in plain
    assert with_diff['diff']['before'] == {'members': [{'extension_number': '101', 'handset_index': 1, 'ipui': ''}]}
    assert with_diff['diff']['after'] == {'members': []}
    assert with_diff['diff']['before_header'] == f"DECT phone id '{PHONE_ID}'"


@pytest.mark.parametrize('check_mode, diff', FLAG_COMBINATIONS)
def test_result_matches_module(http, capsys, check_mode, diff):
    args = token_args(members=[{'extension_number': '102', 'handset_index': 2}])
    before = {'items': [item('101', 1)]}
    after = {'items': [item('101', 1), item('102', 2)]}
    calls = [call('GET', MEMBERS_PATH, reply=before), call('GET', PHONE_PATH, reply=phone())]
    if not check_mode:
        calls += [
            call('POST', MEMBERS_PATH, {'items': [
                {'extension_number': '101', 'ipui': '', 'handset_index': '1'},
                {'extension_number': '102', 'ipui': '', 'handset_index': '2'},
            ]}),
            call('GET', MEMBERS_PATH, reply=after),
        ]

    http.expect(*calls)
    expected = run_module_main(dect_members_module.main, args, capsys, MODULE_NAME, check_mode=check_mode, diff=diff)
    http.expect(*calls)
    result = run_action(DectMembersAction, args, check_mode=check_mode, diff=diff)

    assert expected['changed'] is True
    assert result == expected

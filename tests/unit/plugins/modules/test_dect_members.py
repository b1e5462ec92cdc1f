# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the dect_members module: each test lists the exact HTTP calls it expects."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from unittest import mock

import pytest

from ansible_collections.portsip.pbx.plugins.modules import dect_members
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import (
    PASSWORD,
    PBX_URL,
    SECRETS,
    SESSION_TOKEN,
    TOKEN,
    call,
    sign_in_call,
    sign_out_call,
    warning_texts,
)

PHONE_ID = '1001'
MEMBERS = f'/dect_phones/{PHONE_ID}/members'
IPUI = '0328D3C918'
PHONE = {'id': PHONE_ID, 'name': 'Ward A base', 'mac': '80:5E:C0:11:22:33', 'template': 'w70b',
         'vendor': 'Yealink', 'model': 'W70B', 'lines': 8}
OTHER_PHONE = {'id': '1002', 'name': 'Ward B base', 'mac': '80:5E:C0:00:00:02', 'lines': 4}


def member(extension_number, handset_index, ipui=None):
    return {'id': f'm-{extension_number}', 'extension_number': extension_number,
            'display_name': f'Nurse {extension_number}', 'ipui': ipui, 'handset_index': str(handset_index)}


def wire(extension_number, handset_index, ipui=''):
    return {'extension_number': extension_number, 'ipui': ipui, 'handset_index': str(handset_index)}


def token_args(**options):
    args = {'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'dect_phone_id': PHONE_ID}
    args.update(options)
    return args


def password_args(**options):
    args = {'pbx_url': PBX_URL, 'pbx_username': 'admin', 'pbx_password': PASSWORD, 'pbx_domain': 'example.com',
            'dect_phone': '80-5e-c0-11-22-33'}
    args.update(options)
    return args


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


def test_unchanged_one_request(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('101', '01', IPUI.lower()), member('102', 2)]}))

    run = run_module(dect_members.main, token_args(members=[
        {'extension_number': '102', 'handset_index': '2'},
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI},
    ]))

    assert run.exit_code == 0
    assert run.result['changed'] is False
    assert run.result['members'] == [
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI, 'display_name': 'Nurse 101'},
        {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': 'Nurse 102'},
    ]


def test_bearer_token_sent(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': []}))

    run_module(dect_members.main, token_args(members=[]))

    assert http.seen[0]['authorization'] == f'Bearer {TOKEN}'


def test_add_member_by_id(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        call('GET', f'/dect_phones/{PHONE_ID}', reply=PHONE),
        call('POST', MEMBERS, {'items': [wire('101', 1), wire('102', 2, IPUI)]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2, IPUI)]}),
    )

    run = run_module(dect_members.main, token_args(members=[{'extension_number': '102', 'ipui': IPUI.lower()}]))

    assert run.exit_code == 0
    assert run.result['changed'] is True
    assert run.result['added'] == ['102']
    assert run.result['removed'] == []
    assert run.result['updated'] == []
    assert run.result['dect_phone_id'] == PHONE_ID


def test_add_member_check_mode(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        call('GET', f'/dect_phones/{PHONE_ID}', reply=PHONE),
    )

    run = run_module(dect_members.main, token_args(members=[{'extension_number': '102', 'ipui': IPUI.lower()}]),
                     check_mode=True)

    assert run.result['changed'] is True
    assert run.result['added'] == ['102']
    assert run.result['members'][1] == {'extension_number': '102', 'handset_index': 2, 'ipui': IPUI,
                                        'display_name': ''}


def test_update_without_lines_read(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}),
        call('POST', MEMBERS, {'items': [wire('101', 2), wire('102', 1)]}),
        call('GET', MEMBERS, reply={'items': [member('101', 2), member('102', 1)]}),
    )

    run = run_module(dect_members.main, token_args(members=[
        {'extension_number': '101', 'handset_index': 2},
        {'extension_number': '102', 'handset_index': 1},
    ]))

    assert run.result['changed'] is True
    assert run.result['updated'] == ['101', '102']


def test_update_check_mode(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}))

    run = run_module(dect_members.main, token_args(members=[
        {'extension_number': '101', 'handset_index': 2},
        {'extension_number': '102', 'handset_index': 1},
    ]), check_mode=True)

    assert run.result['changed'] is True
    assert run.result['updated'] == ['101', '102']


def test_exclusive_empty_list(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}),
        call('POST', MEMBERS, {'items': []}),
        call('GET', MEMBERS, reply={'items': []}),
    )

    run = run_module(dect_members.main, token_args(members=[], exclusive=True))

    assert run.result['changed'] is True
    assert run.result['removed'] == ['101', '102']
    assert run.result['members'] == []


def test_exclusive_empty_check_mode(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}))

    run = run_module(dect_members.main, token_args(members=[], exclusive=True), check_mode=True)

    assert run.result['changed'] is True
    assert run.result['removed'] == ['101', '102']
    assert run.result['members'] == []


def test_absent_removes_member(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1), member('104', 2, IPUI)]}),
        call('POST', MEMBERS, {'items': [wire('101', 1)]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
    )

    run = run_module(dect_members.main, token_args(
        state='absent', members=[{'extension_number': '104', 'handset_index': 7, 'ipui': 'ignored'}]))

    assert run.result['changed'] is True
    assert run.result['removed'] == ['104']


def test_absent_check_mode(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('101', 1), member('104', 2, IPUI)]}))

    run = run_module(dect_members.main, token_args(state='absent', members=[{'extension_number': '104'}]),
                     check_mode=True)

    assert run.result['changed'] is True
    assert run.result['removed'] == ['104']


def test_diff_output(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('102', 2), member('101', 1)]}))

    run = run_module(dect_members.main, token_args(members=[{'extension_number': '101', 'ipui': IPUI}]),
                     check_mode=True, diff=True)

    assert run.result['diff']['before'] == {'members': [
        {'extension_number': '101', 'handset_index': 1, 'ipui': ''},
        {'extension_number': '102', 'handset_index': 2, 'ipui': ''},
    ]}
    assert run.result['diff']['after'] == {'members': [
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI},
        {'extension_number': '102', 'handset_index': 2, 'ipui': ''},
    ]}


def test_credentials_by_mac(http, run_module):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', reply={'items': [OTHER_PHONE, PHONE]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        call('POST', MEMBERS, {'items': [wire('101', 1), wire('102', 2)]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}),
        sign_out_call(),
    )

    run = run_module(dect_members.main, password_args(members=[{'extension_number': '102'}]))

    assert run.result['changed'] is True
    assert http.seen[1]['authorization'] == f'Bearer {SESSION_TOKEN}'
    assert http.seen[-1]['authorization'] == f'Bearer {SESSION_TOKEN}'
    assert_no_secret(run.output)


def test_credentials_by_mac_check_mode(http, run_module):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', reply={'items': [OTHER_PHONE, PHONE]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        sign_out_call(),
    )

    run = run_module(dect_members.main, password_args(members=[{'extension_number': '102'}]), check_mode=True)

    assert run.result['changed'] is True
    assert run.result['added'] == ['102']
    assert_no_secret(run.output)


def test_token_hidden_in_result(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': []}))

    run = run_module(dect_members.main, token_args(members=[]))

    assert run.exit_code == 0
    assert_no_secret(run.output)


def test_echoed_token_masked(http, run_module):
    http.expect(call('GET', MEMBERS, status=400,
                     reply={'errors': [{'code': 'VALIDATE_FAILED', 'message': f'Bad token {TOKEN}'}]}))

    run = run_module(dect_members.main, token_args(members=[]))

    assert run.failed
    assert 'Bad token ********' in run.result['msg']
    assert_no_secret(run.output)


def test_password_hidden_on_failure(http, run_module):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', reply={'items': [PHONE]}),
        call('GET', MEMBERS, status=500, reply={'errors': [{'code': 'UNKNOWN', 'message': 'Database error'}]}),
        sign_out_call(),
    )

    run = run_module(dect_members.main, password_args(members=[]))

    assert run.exit_code == 1
    assert 'Database error' in run.result['msg']
    assert run.result['status'] == 500
    assert_no_secret(run.output)


def test_sign_in_rejected(http, run_module):
    http.expect(call('POST', '/auth/sign_in', {'username': 'admin', 'password': PASSWORD, 'domain': 'example.com'},
                     status=401, reply={'errors': [{'code': 'UNAUTHORIZED', 'message': 'Invalid credentials'}]}))

    run = run_module(dect_members.main, password_args(members=[]))

    assert run.failed
    assert 'Invalid credentials' in run.result['msg']
    assert 'pbx_username' in run.result['msg']
    assert_no_secret(run.output)


def test_two_factor_account(http, run_module):
    http.expect(call('POST', '/auth/sign_in', {'username': 'admin', 'password': PASSWORD, 'domain': 'example.com'},
                     reply={'two_factor_enabled': True, 'token': 'otp'}))

    run = run_module(dect_members.main, password_args(members=[]))

    assert run.failed
    assert 'pbx_token' in run.result['msg']
    assert_no_secret(run.output)


def test_sign_out_failure_warns(http, run_module):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', reply={'items': [PHONE]}),
        call('GET', MEMBERS, reply={'items': []}),
        sign_out_call(status=500),
    )

    run = run_module(dect_members.main, password_args(members=[]))

    assert run.exit_code == 0
    assert warning_texts(run.result) == ['Sign-out from the PBX failed with HTTP 500; the session expires on its own.']


def test_unknown_phone_id(http, run_module):
    http.expect(call('GET', '/dect_phones/999/members', status=404,
                     reply={'errors': [{'code': 'NOT_FOUND', 'message': 'Not found'}]}))

    run = run_module(dect_members.main, token_args(dect_phone_id='999', members=[]))

    assert run.failed
    assert "DECT phone id '999' not found" in run.result['msg']
    assert run.result['status'] == 404


def test_verify_mismatch_fails(http, run_module):
    http.expect(
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        call('POST', MEMBERS, {'items': [wire('101', 1, IPUI)]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
    )

    run = run_module(dect_members.main, token_args(members=[{'extension_number': '101', 'ipui': IPUI}]))

    assert run.failed
    assert 'reading it back shows a different list' in run.result['msg']
    assert run.result['expected_members'][0]['ipui'] == IPUI
    assert run.result['members'][0]['ipui'] == ''


def test_slot_conflict_fails(http, run_module):
    http.expect(call('GET', MEMBERS, reply={'items': [member('101', 1), member('102', 2)]}))

    run = run_module(dect_members.main, token_args(members=[{'extension_number': '103', 'handset_index': 2}]))

    assert run.failed
    assert 'Extension 103' in run.result['msg']
    assert 'extension 102' in run.result['msg']


@pytest.mark.parametrize('members, fragment', [
    pytest.param([{'extension_number': '12'}], "'12'", id='short-extension'),
    pytest.param([{'extension_number': '101', 'ipui': '02877 0123456 5'}], 'check digit 5', id='bad-ipei'),
    pytest.param([{'extension_number': '101', 'handset_index': 0}], 'handset_index 0', id='slot-zero'),
    pytest.param([{'extension_number': '101'}, {'extension_number': '101'}], 'listed twice', id='duplicate'),
    pytest.param([{'extension_number': '101', 'slot': 1}], 'slot', id='unknown-key'),
])
def test_invalid_members_no_request(http, run_module, members, fragment):
    run = run_module(dect_members.main, token_args(members=members))

    assert run.failed
    assert fragment in run.result['msg']
    assert http.seen == []


@pytest.mark.parametrize('args, fragment', [
    pytest.param(token_args(members=[], state='absent', exclusive=True), 'exclusive', id='exclusive-absent'),
    pytest.param(token_args(members=[], pbx_username='admin', pbx_password='other-password'), 'mutually exclusive',
                 id='token-and-username'),
    pytest.param(token_args(members=[], dect_phone='Ward A base'), 'mutually exclusive', id='id-and-name'),
    pytest.param({'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'members': []}, 'one of the following',
                 id='no-phone'),
    pytest.param({'pbx_url': PBX_URL, 'dect_phone_id': PHONE_ID, 'members': []}, 'one of the following',
                 id='no-auth'),
    pytest.param(token_args(members=[], pbx_url='pbx.example.com'), "pbx_url 'pbx.example.com'",
                 id='url-without-scheme'),
    pytest.param(token_args(members=[], timeout=0), 'timeout 0', id='timeout-zero'),
])
def test_invalid_options_no_request(http, run_module, args, fragment):
    run = run_module(dect_members.main, args)

    assert run.failed
    assert fragment in run.result['msg']
    assert http.seen == []
    assert_no_secret(run.output)


def test_url_from_environment(http, run_module, monkeypatch):
    monkeypatch.setenv('PORTSIP_PBX_URL', 'https://pbx.example.com:8887/api/')
    http.expect(call('GET', MEMBERS, reply={'items': []}))

    run = run_module(dect_members.main, {'pbx_token': TOKEN, 'dect_phone_id': PHONE_ID, 'members': []})

    assert run.exit_code == 0


def test_missing_requests_library(http, run_module):
    with mock.patch('ansible_collections.portsip.pbx.plugins.module_utils.module_runner.HAS_REQUESTS', False):
        run = run_module(dect_members.main, token_args(members=[]))

    assert run.failed
    assert 'requests' in run.result['msg']
    assert 'Failed to import the required Python library' in run.result['msg']
    assert http.seen == []

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the dect_member_info module: each test lists the exact HTTP calls it expects."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from unittest import mock

import pytest

from ansible_collections.portsip.pbx.plugins.modules import dect_member_info
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import (
    PASSWORD,
    PBX_URL,
    SECRETS,
    SESSION_TOKEN,
    TOKEN,
    call,
    sign_in_call,
    sign_out_call,
)

RUNNER = 'ansible_collections.portsip.pbx.plugins.module_utils.module_runner'
PHONE_ID = '1001'
MEMBERS = f'/dect_phones/{PHONE_ID}/members'
IPUI = '0328D3C918'
PHONE = {'id': PHONE_ID, 'name': 'Ward A base', 'mac': '80:5E:C0:11:22:33', 'lines': 8}
NOT_FOUND = {'errors': [{'code': 'NOT_FOUND', 'message': 'Not found'}]}


def member(extension_number, handset_index, ipui=None):
    return {'id': f'm-{extension_number}', 'extension_number': extension_number,
            'display_name': f'Nurse {extension_number}', 'ipui': ipui, 'handset_index': str(handset_index)}


def token_args(**options):
    args = {'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'dect_phone_id': PHONE_ID}
    args.update(options)
    return args


def token_args_by_name(name='Ward A base', **options):
    args = {'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'dect_phone': name}
    args.update(options)
    return args


def password_args(**options):
    args = {'pbx_url': PBX_URL, 'pbx_username': 'admin', 'pbx_password': PASSWORD, 'pbx_domain': 'example.com',
            'dect_phone': 'Ward A base'}
    args.update(options)
    return args


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize('check_mode', [False, True], ids=['normal', 'check-mode'])
def test_list_members(http, run_module, check_mode):
    http.expect(call('GET', MEMBERS, reply={'items': [member('102', '02'), member('101', 1, IPUI.lower())]}))

    run = run_module(dect_member_info.main, token_args(), check_mode=check_mode)

    assert run.exit_code == 0
    assert run.result['changed'] is False
    assert run.result['dect_phone_id'] == PHONE_ID
    assert run.result['members'] == [
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI, 'display_name': 'Nurse 101'},
        {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': 'Nurse 102'},
    ]
    assert 'is_member' not in run.result


@pytest.mark.parametrize('check_mode', [False, True], ids=['normal', 'check-mode'])
def test_member_found(http, run_module, check_mode):
    http.expect(call('GET', f'{MEMBERS}/101', reply=member('101', 1, IPUI)))

    run = run_module(dect_member_info.main, token_args(extension_number='101'), check_mode=check_mode)

    assert run.result['is_member'] is True
    assert run.result['member'] == {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI,
                                    'display_name': 'Nurse 101'}
    assert 'members' not in run.result


def test_non_member_by_id(http, run_module):
    http.expect(
        call('GET', f'{MEMBERS}/105', status=404, reply=NOT_FOUND),
        call('GET', f'/dect_phones/{PHONE_ID}', reply=PHONE),
    )

    run = run_module(dect_member_info.main, token_args(extension_number='105'))

    assert run.exit_code == 0
    assert run.result['is_member'] is False
    assert run.result['member'] is None


def test_unknown_phone_by_id(http, run_module):
    http.expect(
        call('GET', '/dect_phones/999/members/105', status=404, reply=NOT_FOUND),
        call('GET', '/dect_phones/999', status=404, reply=NOT_FOUND),
    )

    run = run_module(dect_member_info.main, token_args(dect_phone_id='999', extension_number='105'))

    assert run.failed
    assert "DECT phone id '999' not found" in run.result['msg']


def test_non_member_by_name(http, run_module):
    http.expect(
        call('GET', '/dect_phones', reply={'items': [PHONE]}),
        call('GET', f'{MEMBERS}/105', status=404, reply=NOT_FOUND),
    )

    run = run_module(dect_member_info.main, token_args_by_name(extension_number='105'))

    assert run.result['is_member'] is False
    assert run.result['dect_phone_id'] == PHONE_ID


def test_name_not_found(http, run_module):
    http.expect(call('GET', '/dect_phones', reply={'items': [PHONE]}))

    run = run_module(dect_member_info.main, token_args_by_name('Ward Z base'))

    assert run.failed
    assert "DECT phone 'Ward Z base' not found" in run.result['msg']


def test_credentials_sign_in_and_out(http, run_module):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', reply={'items': [PHONE]}),
        call('GET', MEMBERS, reply={'items': [member('101', 1)]}),
        sign_out_call(),
    )

    run = run_module(dect_member_info.main, password_args())

    assert run.result['members'][0]['extension_number'] == '101'
    assert http.seen[2]['authorization'] == f'Bearer {SESSION_TOKEN}'
    assert_no_secret(run.output)


def test_sign_out_after_failure(http, run_module, backoff_delays):
    http.expect(
        sign_in_call(),
        call('GET', '/dect_phones', status=503),
        call('GET', '/dect_phones', status=503),
        call('GET', '/dect_phones', status=503),
        call('GET', '/dect_phones', status=503),
        sign_out_call(),
    )

    run = run_module(dect_member_info.main, password_args())

    assert run.failed
    assert 'HTTP 503' in run.result['msg']
    assert backoff_delays == [1.0, 2.0, 4.0]
    assert_no_secret(run.output)


def test_token_hidden_in_output(http, run_module):
    http.expect(call('GET', MEMBERS, status=401,
                     reply={'errors': [{'code': 'UNAUTHORIZED', 'message': f'token {TOKEN} expired'}]}))

    run = run_module(dect_member_info.main, token_args())

    assert run.failed
    assert 'pbx_token' in run.result['msg']
    assert_no_secret(run.output)


@pytest.mark.parametrize('args, fragment', [
    pytest.param(token_args(extension_number='10'), "'10'", id='short-extension'),
    pytest.param(token_args(extension_number='+4930'), "'+4930'", id='plus-sign'),
    pytest.param(token_args(dect_phone='Ward A base'), 'mutually exclusive', id='id-and-name'),
    pytest.param({'pbx_url': PBX_URL, 'pbx_token': TOKEN}, 'one of the following', id='no-phone'),
    pytest.param(token_args(members=[]), 'members', id='unsupported-option'),
])
def test_invalid_options_no_request(http, run_module, args, fragment):
    run = run_module(dect_member_info.main, args)

    assert run.failed
    assert fragment in run.result['msg']
    assert http.seen == []


def test_missing_requests_library(http, run_module):
    with mock.patch(RUNNER + '.HAS_REQUESTS', False):
        run = run_module(dect_member_info.main, token_args())

    assert run.failed
    assert 'Failed to import the required Python library (requests)' in run.result['msg']
    assert http.seen == []

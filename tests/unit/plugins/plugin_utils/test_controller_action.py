# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of PbxControllerAction, through the dect_members action plugin that subclasses it.

They cover the choice between the controller path and the module path,
argument validation, no_log masking, the per-process client and phone list
caches, sign-out at exit and the task environment.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import atexit
import json
import multiprocessing.util
import os
from unittest import mock

import pytest

from ansible_collections.portsip.pbx.plugins.action.dect_members import ActionModule as DectMembersAction
from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxApiError,
    PbxAuthError,
    PbxConnectionError,
)
from ansible_collections.portsip.pbx.plugins.modules import dect_members as dect_members_module
from ansible_collections.portsip.pbx.plugins.plugin_utils import controller_action
from ansible_collections.portsip.pbx.plugins.plugin_utils.controller_action import (
    RUN_IN_CONTROLLER_VAR,
    close_clients,
)
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import (
    PASSWORD,
    PBX_URL,
    SESSION_TOKEN,
    TOKEN,
    call,
    sign_in_call,
    sign_out_call,
)
from ansible_collections.portsip.pbx.tests.unit.plugins.plugin_utils.action_harness import (
    IPUI,
    MEMBERS_PATH,
    NO_LOG_MASK,
    PHONE_ID,
    PHONE_NAME,
    item,
    make_action,
    phone,
    run_action,
    run_module_main,
    token_args,
)

MODULE_NAME = 'portsip.pbx.dect_members'
REMOTE_RESULT = {'changed': False, 'dect_phone_id': PHONE_ID, 'members': []}
OTHER_URL = 'https://pbx2.example.com:8887'


def password_args(**options):
    args = token_args(pbx_username='admin', pbx_password=PASSWORD, pbx_domain='example.com')
    del args['pbx_token']
    args.update(options)
    return args


def by_name(**options):
    args = token_args(dect_phone=PHONE_NAME)
    del args['dect_phone_id']
    args.update(options)
    return args


def without(args, name):
    reduced = dict(args)
    del reduced[name]
    return reduced


# Controller path or module path
@pytest.mark.parametrize('value', [True, 'yes', 'true', '1', 'on'])
def test_local_connection_runs_in_controller(value):
    action = make_action(DectMembersAction, token_args())

    assert action._runs_in_controller({}) is True
    assert action._runs_in_controller({RUN_IN_CONTROLLER_VAR: value}) is True


def test_controller_path_skips_module(pbx):
    action = make_action(DectMembersAction, token_args())
    action._execute_module = mock.MagicMock()

    result = action.run(task_vars={})

    action._execute_module.assert_not_called()
    assert len(pbx.clients) == 1
    assert pbx.calls == [('GET', MEMBERS_PATH)]
    assert result['changed'] is False
    assert 'failed' not in result


MODULE_PATH_CASES = [
    pytest.param({'transport': 'ssh'}, {}, id='ssh-transport'),
    pytest.param({}, {RUN_IN_CONTROLLER_VAR: False}, id='variable-false'),
    pytest.param({}, {RUN_IN_CONTROLLER_VAR: 'no'}, id='variable-string-no'),
    pytest.param({'async_val': 30}, {}, id='async'),
    pytest.param({'become': True}, {}, id='become'),
]


@pytest.mark.parametrize('options, task_vars', MODULE_PATH_CASES)
def test_module_path_cases(options, task_vars):
    action = make_action(DectMembersAction, token_args(), **options)

    assert action._runs_in_controller(task_vars) is False


@pytest.mark.parametrize('options, task_vars', MODULE_PATH_CASES)
def test_module_path_runs_module(pbx, options, task_vars):
    args = token_args()
    action = make_action(DectMembersAction, args, **options)
    action._execute_module = mock.MagicMock(return_value=dict(REMOTE_RESULT))

    result = action.run(task_vars=dict(task_vars))

    action._execute_module.assert_called_once()
    kwargs = action._execute_module.call_args.kwargs
    assert kwargs['module_name'] == MODULE_NAME
    assert kwargs['module_args'] == args
    assert kwargs['task_vars'] == task_vars
    assert result == REMOTE_RESULT
    assert pbx.clients == []


def test_without_requests_not_in_controller(monkeypatch):
    monkeypatch.setattr(controller_action, 'HAS_REQUESTS', False)
    action = make_action(DectMembersAction, token_args())

    assert action._runs_in_controller({}) is False


def test_without_requests_runs_module(monkeypatch, pbx):
    monkeypatch.setattr(controller_action, 'HAS_REQUESTS', False)
    args = token_args()
    action = make_action(DectMembersAction, args)
    action._execute_module = mock.MagicMock(return_value=dict(REMOTE_RESULT))

    result = action.run(task_vars={})

    kwargs = action._execute_module.call_args.kwargs
    assert kwargs['module_name'] == MODULE_NAME
    assert kwargs['module_args'] == args
    assert result == REMOTE_RESULT
    assert pbx.clients == []


def test_async_task_wraps_module():
    action = make_action(DectMembersAction, token_args(), async_val=30)
    action._execute_module = mock.MagicMock(return_value={'started': 1, 'finished': 0, 'ansible_job_id': 'j1'})

    action.run(task_vars={})

    assert action._execute_module.call_args.kwargs.get('wrap_async')


def test_templated_variable_rendered():
    action = make_action(DectMembersAction, token_args())
    action._templar.template.side_effect = lambda value, *args, **kwargs: True if value == '{{ flag }}' else value

    assert action._runs_in_controller({RUN_IN_CONTROLLER_VAR: '{{ flag }}', 'flag': True}) is True


# Argument validation
INVALID_ARGS = [
    pytest.param(token_args(bogus='x'), id='unknown-option'),
    pytest.param(without(token_args(), 'members'), id='missing-members'),
    pytest.param(token_args(pbx_username='admin', pbx_password=PASSWORD), id='token-and-username'),
    pytest.param(without(token_args(), 'pbx_token'), id='no-credentials'),
    pytest.param(token_args(dect_phone=PHONE_NAME), id='phone-id-and-name'),
    pytest.param(token_args(timeout='soon'), id='timeout-not-int'),
]


def test_unknown_option_message(pbx):
    result = run_action(DectMembersAction, token_args(bogus='x'))

    assert result['failed'] is True
    assert result['msg'].startswith(
        f'Unsupported parameters for ({MODULE_NAME}) module: bogus. Supported parameters include: ca_path, ')
    assert pbx.clients == []


def test_missing_members_message(pbx):
    result = run_action(DectMembersAction, without(token_args(), 'members'))

    assert result == {'failed': True, 'msg': 'missing required arguments: members'}
    assert pbx.clients == []


def test_token_and_username_message(pbx):
    result = run_action(DectMembersAction, token_args(pbx_username='admin', pbx_password=PASSWORD))

    assert result == {'failed': True, 'msg': 'parameters are mutually exclusive: pbx_token|pbx_username'}
    assert pbx.clients == []


@pytest.mark.parametrize('args', INVALID_ARGS)
def test_invalid_args_match_module(pbx, capsys, args):
    expected = run_module_main(dect_members_module.main, args, capsys, MODULE_NAME)

    result = run_action(DectMembersAction, args)

    assert expected['failed'] is True
    assert result['failed'] is True
    assert result['msg'] == expected['msg']
    assert pbx.calls == []


def test_invalid_value_masks_token(pbx):
    result = run_action(DectMembersAction, token_args(state=TOKEN))

    assert result['failed'] is True
    assert result['msg'] == 'value of state must be one of: present, absent, got: ********'
    assert TOKEN not in json.dumps(result)


# Results of the controller path
def test_pbx_error_becomes_failure(pbx):
    pbx.failures[('GET', MEMBERS_PATH)] = PbxApiError(
        f'GET /api{MEMBERS_PATH} failed with HTTP 500: database locked.',
        method='GET', path='/api' + MEMBERS_PATH, status=500, errors=[{'message': 'database locked'}])

    result = run_action(DectMembersAction, token_args())

    assert result['failed'] is True
    assert result['msg'] == f'GET /api{MEMBERS_PATH} failed with HTTP 500: database locked.'
    assert result['status'] == 500
    assert result['errors'] == [{'message': 'database locked'}]
    assert result['invocation']['module_args']['dect_phone_id'] == PHONE_ID


def test_invalid_url_fails_without_client():
    result = run_action(DectMembersAction, token_args(pbx_url='ftp://pbx.example.com'))

    assert result['failed'] is True
    assert result['msg'].startswith("pbx_url 'ftp://pbx.example.com' is not an http(s) URL.")
    assert controller_action._CLIENTS == {}


def test_token_in_error_masked(pbx):
    pbx.failures[('GET', MEMBERS_PATH)] = PbxAuthError(
        f'The PBX rejected the access token {TOKEN}.', method='GET', path='/api' + MEMBERS_PATH,
        status=401, errors=[{'message': f'unknown token {TOKEN}'}])

    result = run_action(DectMembersAction, token_args())

    assert result['failed'] is True
    assert result['msg'] == 'The PBX rejected the access token ********.'
    assert result['errors'] == [{'message': 'unknown token ********'}]
    assert result['invocation']['module_args']['pbx_token'] == NO_LOG_MASK
    assert TOKEN not in json.dumps(result)


def test_password_masked_everywhere(pbx):
    def warn_with_password(method, path):
        pbx.clients[0].warnings.append(f'Password {PASSWORD} expires in 3 days.')

    pbx.on_request = warn_with_password
    pbx.failures[('GET', MEMBERS_PATH)] = PbxAuthError(
        f'The PBX rejected password {PASSWORD}.', method='GET', path='/api' + MEMBERS_PATH, status=403)

    result = run_action(DectMembersAction, password_args())

    assert result['failed'] is True
    assert result['msg'] == 'The PBX rejected password ********.'
    assert result['warnings'] == ['Password ******** expires in 3 days.']
    assert result['invocation']['module_args']['pbx_password'] == NO_LOG_MASK
    assert PASSWORD not in json.dumps(result)


def test_invocation_lists_all_options(pbx):
    result = run_action(DectMembersAction, password_args())

    assert result['invocation'] == {'module_args': {
        'pbx_url': PBX_URL,
        'pbx_token': None,
        'pbx_username': 'admin',
        'pbx_password': NO_LOG_MASK,
        'pbx_domain': 'example.com',
        'validate_certs': True,
        'ca_path': None,
        'timeout': 30,
        'use_proxy': True,
        'dect_phone_id': PHONE_ID,
        'dect_phone': None,
        'members': [{'extension_number': '101', 'ipui': None, 'handset_index': None}],
        'state': 'present',
        'exclusive': False,
    }}


def test_invocation_follows_setting(pbx, monkeypatch):
    monkeypatch.setattr(controller_action.PbxControllerAction, '_injects_invocation',
                        staticmethod(lambda task_vars: False))

    result = run_action(DectMembersAction, password_args())

    assert 'invocation' not in result
    assert result['dect_phone_id'] == PHONE_ID


def test_client_warnings_reported_once(pbx):
    def warn_once(method, path):
        pbx.clients[0].warnings.append('The PBX licence expires in 3 days.')
        pbx.on_request = None

    pbx.on_request = warn_once

    first = run_action(DectMembersAction, token_args())
    second = run_action(DectMembersAction, token_args())

    assert first['warnings'] == ['The PBX licence expires in 3 days.']
    assert 'warnings' not in second
    assert pbx.clients[0].warnings == []


# Client cache
def test_same_options_share_client(pbx):
    run_action(DectMembersAction, token_args())
    run_action(DectMembersAction, token_args(members=[{'extension_number': '102'}], state='absent'))

    assert len(pbx.clients) == 1
    assert len(controller_action._CLIENTS) == 1
    assert pbx.count('GET', MEMBERS_PATH) == 2


@pytest.mark.parametrize('option, value', [
    ('pbx_url', OTHER_URL),
    ('pbx_token', 'tok-SECRET-other'),
    ('pbx_domain', 'other.example.com'),
    ('validate_certs', False),
    ('ca_path', '/etc/pki/pbx-ca.pem'),
    ('timeout', 10),
    ('use_proxy', False),
])
def test_different_options_new_client(pbx, option, value):
    run_action(DectMembersAction, token_args())
    run_action(DectMembersAction, token_args(**{option: value}))

    assert len(pbx.clients) == 2
    assert pbx.clients[0].params[option] != value
    assert pbx.clients[1].params[option] == value
    assert len(controller_action._CLIENTS) == 2


def test_client_kept_after_failure(pbx):
    pbx.failures[('GET', MEMBERS_PATH)] = PbxConnectionError('Connection to the PBX failed.')

    failed = run_action(DectMembersAction, token_args())
    succeeded = run_action(DectMembersAction, token_args())

    assert failed['failed'] is True
    assert 'failed' not in succeeded
    assert len(pbx.clients) == 1


# Phone list cache
def test_phone_list_read_once(pbx):
    first = run_action(DectMembersAction, by_name())
    second = run_action(DectMembersAction, by_name(members=[{'extension_number': '102'}]))

    assert pbx.count('GET', '/dect_phones') == 1
    assert first['dect_phone_id'] == PHONE_ID
    assert second['dect_phone_id'] == PHONE_ID
    assert second['added'] == ['102']


def test_phone_list_dropped_after_failure(pbx):
    run_action(DectMembersAction, by_name())
    pbx.failures[('GET', MEMBERS_PATH)] = PbxConnectionError('Connection to the PBX failed.')

    failed = run_action(DectMembersAction, by_name())

    assert failed['failed'] is True
    assert controller_action._PHONE_LISTS == {}

    run_action(DectMembersAction, by_name())

    assert pbx.count('GET', '/dect_phones') == 2


def test_new_phone_found_after_failure(pbx):
    pbx.phones = []

    failed = run_action(DectMembersAction, by_name())

    assert failed['failed'] is True
    assert failed['msg'].startswith(f"DECT phone '{PHONE_NAME}' not found")

    pbx.phones = [phone()]
    found = run_action(DectMembersAction, by_name())

    assert found['dect_phone_id'] == PHONE_ID
    assert 'failed' not in found


def test_phone_list_per_pbx(pbx):
    run_action(DectMembersAction, by_name())
    run_action(DectMembersAction, by_name(pbx_url=OTHER_URL))
    run_action(DectMembersAction, by_name(pbx_url=OTHER_URL))

    assert pbx.count('GET', '/dect_phones') == 2
    assert len(controller_action._PHONE_LISTS) == 2


def test_phone_id_reads_no_list(pbx):
    run_action(DectMembersAction, token_args())

    assert pbx.count('GET', '/dect_phones') == 0
    assert controller_action._PHONE_LISTS == {}


# Sign-out at exit
def test_close_clients_closes_each(pbx):
    run_action(DectMembersAction, by_name())
    run_action(DectMembersAction, by_name(pbx_url=OTHER_URL))

    close_clients()

    assert [client.close_count for client in pbx.clients] == [1, 1]
    assert controller_action._CLIENTS == {}
    assert controller_action._PHONE_LISTS == {}


def test_close_clients_twice(pbx):
    run_action(DectMembersAction, token_args())

    close_clients()
    close_clients()

    assert pbx.clients[0].close_count == 1
    assert controller_action._CLIENTS == {}


def test_close_clients_nothing_cached():
    close_clients()

    assert controller_action._CLIENTS == {}


def test_close_clients_ignores_errors(pbx):
    run_action(DectMembersAction, token_args())
    run_action(DectMembersAction, token_args(pbx_url=OTHER_URL))
    pbx.close_error = PbxConnectionError('Connection to the PBX failed.')

    close_clients()

    assert [client.close_count for client in pbx.clients] == [1, 1]
    assert controller_action._CLIENTS == {}


def test_new_client_after_close(pbx):
    run_action(DectMembersAction, token_args())
    close_clients()

    run_action(DectMembersAction, token_args())

    assert len(pbx.clients) == 2
    assert pbx.clients[1].close_count == 0


def test_close_clients_signs_out(http):
    members = {'items': [item('101', 1, IPUI)]}
    http.expect(
        sign_in_call(),
        call('GET', MEMBERS_PATH, reply=members),
        call('GET', MEMBERS_PATH, reply=members),
    )

    first = run_action(DectMembersAction, password_args())
    second = run_action(DectMembersAction, password_args())

    assert 'failed' not in first
    assert 'failed' not in second
    assert SESSION_TOKEN not in json.dumps([first, second])

    http.expect(sign_out_call())
    close_clients()

    assert http.expected == []
    assert http.seen[-1]['url'].endswith('/api/auth/sign_out')
    assert http.seen[-1]['authorization'] == f'Bearer {SESSION_TOKEN}'


def test_exit_handlers_registered_once(monkeypatch, pbx):
    finalizers = []
    exit_handlers = []
    monkeypatch.setattr(controller_action, '_FINALIZER', [])
    monkeypatch.setattr(multiprocessing.util, 'Finalize',
                        lambda obj, callback, **kwargs: finalizers.append((obj, callback, kwargs)))
    monkeypatch.setattr(atexit, 'register', exit_handlers.append)

    run_action(DectMembersAction, token_args())
    run_action(DectMembersAction, token_args(pbx_url=OTHER_URL))

    assert finalizers == [(None, close_clients, {'exitpriority': 10})]
    assert exit_handlers == [close_clients]


# Task environment
def test_environment_set_during_operation(monkeypatch, pbx):
    monkeypatch.setenv('HTTPS_PROXY', 'http://original.example.com:3128')
    variables = {'HTTPS_PROXY': 'http://proxy.example.com:3128', 'NO_PROXY': 'localhost'}
    seen = []

    def compute_environment(self, raw_environment_out=None):
        raw_environment_out.update(variables)
        return ''

    monkeypatch.setattr(DectMembersAction, '_compute_environment_string', compute_environment)
    pbx.on_request = lambda method, path: seen.append((os.environ.get('HTTPS_PROXY'), os.environ.get('NO_PROXY')))

    run_action(DectMembersAction, token_args())

    assert seen == [('http://proxy.example.com:3128', 'localhost')]
    assert os.environ['HTTPS_PROXY'] == 'http://original.example.com:3128'
    assert 'NO_PROXY' not in os.environ


def test_environment_from_task(pbx):
    seen = []
    pbx.on_request = lambda method, path: seen.append(os.environ.get('NO_PROXY'))

    run_action(DectMembersAction, token_args(), environment=[{'NO_PROXY': 'pbx.example.com'}, {}])

    assert seen == ['pbx.example.com']
    assert 'NO_PROXY' not in os.environ


def test_environment_values_as_strings(pbx):
    seen = []
    pbx.on_request = lambda method, path: seen.append(os.environ.get('PBX_RETRIES'))

    run_action(DectMembersAction, token_args(), environment=[{'PBX_RETRIES': 3}])

    assert seen == ['3']
    assert 'PBX_RETRIES' not in os.environ


def test_environment_token_fallback_masked(pbx):
    result = run_action(DectMembersAction, without(token_args(), 'pbx_token'),
                        environment=[{'PORTSIP_PBX_TOKEN': TOKEN}])

    assert 'failed' not in result
    assert pbx.clients[0].params['pbx_token'] == TOKEN
    assert result['invocation']['module_args']['pbx_token'] == NO_LOG_MASK
    assert 'PORTSIP_PBX_TOKEN' not in os.environ


def test_environment_restored_after_exception(pbx):
    pbx.failures[('GET', MEMBERS_PATH)] = RuntimeError('unexpected fault in the fake PBX')

    with pytest.raises(RuntimeError):
        run_action(DectMembersAction, token_args(), environment=[{'NO_PROXY': 'pbx.example.com'}])

    assert 'NO_PROXY' not in os.environ


def test_environment_unused_on_module_path(pbx):
    action = make_action(DectMembersAction, token_args(), transport='ssh',
                         environment=[{'NO_PROXY': 'pbx.example.com'}])
    seen = []
    action._execute_module = mock.MagicMock(
        side_effect=lambda **kwargs: seen.append(os.environ.get('NO_PROXY')) or dict(REMOTE_RESULT))

    action.run(task_vars={})

    assert seen == [None]

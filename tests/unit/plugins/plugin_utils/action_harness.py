# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fakes and fixtures for tests of the action plugins that run modules in the controller.

``make_action`` builds an ActionModule as the task executor does, from
MagicMock-based task, connection, play context, loader and templar objects.
``FakePbx`` replaces client_from_params with clients that send nothing over
the network. Tests that need the real PbxClient use the ``http`` fixture,
which installs the scripted requests adapter of module_harness.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json
from unittest import mock
from urllib.parse import unquote

import pytest
from requests.adapters import HTTPAdapter

from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxNotFoundError
from ansible_collections.portsip.pbx.plugins.plugin_utils import controller_action
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import (
    PBX_URL,
    TOKEN,
    ScriptedTransport,
    module_args,
)

# The replacement that remove_values puts in place of a no_log value.
NO_LOG_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'

PHONE_ID = '1001'
PHONE_NAME = 'Ward A base'
PHONE_PATH = f'/dect_phones/{PHONE_ID}'
MEMBERS_PATH = f'/dect_phones/{PHONE_ID}/members'
IPUI = '0328D3C918'

# Environment variables that would change the options or the HTTP session of a run.
RUNNER_VARIABLES = ('PORTSIP_PBX_URL', 'PORTSIP_PBX_TOKEN', 'PORTSIP_PBX_USERNAME', 'PORTSIP_PBX_PASSWORD',
                    'PORTSIP_PBX_DOMAIN', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'HTTPS_PROXY', 'https_proxy',
                    'NO_PROXY', 'no_proxy')


def phone(phone_id=PHONE_ID, name=PHONE_NAME, mac='80:5E:C0:11:22:33', lines=8):
    return {'id': phone_id, 'name': name, 'mac': mac, 'vendor': 'Yealink', 'model': 'W70B', 'lines': lines}


def item(extension_number, handset_index, ipui=''):
    """Return a member as the PBX lists it, with an id and a display name."""
    return {'id': f'm-{extension_number}', 'extension_number': extension_number,
            'display_name': f'Nurse {extension_number}', 'ipui': ipui, 'handset_index': str(handset_index)}


def token_args(**options):
    """Return dect_members task arguments that authenticate with a static token."""
    args = {'pbx_url': PBX_URL, 'pbx_token': TOKEN, 'dect_phone_id': PHONE_ID,
            'members': [{'extension_number': '101'}]}
    args.update(options)
    return args


def not_found(path):
    return PbxNotFoundError(f'GET /api{path} failed with HTTP 404: Not found.',
                            method='GET', path='/api' + path, status=404, errors=[])


class FakeClient:
    """A stand-in for PbxClient that passes every request to its FakePbx."""

    def __init__(self, pbx, params):
        self.pbx = pbx
        self.params = params
        self.warnings = []
        self.close_count = 0

    def get(self, path):
        return self.pbx.handle('GET', path)

    def post(self, path, body=None):
        return self.pbx.handle('POST', path, body)

    def close(self):
        self.close_count += 1
        if self.pbx.close_error is not None:
            raise self.pbx.close_error


class FakePbx:
    """An in-memory PBX with DECT phones and their members, shared by every client it creates.

    ``calls`` records each request as (method, path) or (method, path, body).
    ``failures`` maps (method, path) to an exception that the next matching
    request raises, once. ``on_request(method, path)`` runs before each reply.
    """

    def __init__(self, phones=None, members=None):
        self.phones = copy.deepcopy(phones if phones is not None else [phone()])
        self.members = copy.deepcopy(members if members is not None else {PHONE_ID: [item('101', 1)]})
        self.calls = []
        self.clients = []
        self.failures = {}
        self.on_request = None
        self.close_error = None

    def client_from_params(self, params, **overrides):
        client = FakeClient(self, dict(params))
        self.clients.append(client)
        return client

    def count(self, method, path):
        return sum(1 for call in self.calls if call[:2] == (method, path))

    def _phone(self, phone_id):
        for entry in self.phones:
            if entry['id'] == phone_id:
                return entry
        return None

    def handle(self, method, path, body=None):
        self.calls.append((method, path) if method == 'GET' else (method, path, copy.deepcopy(body)))
        if self.on_request is not None:
            self.on_request(method, path)
        failure = self.failures.pop((method, path), None)
        if failure is not None:
            raise failure

        parts = [unquote(part) for part in path.strip('/').split('/')]
        if method == 'POST':
            stored = [dict(entry, id=f"m-{entry['extension_number']}",
                           display_name=f"Nurse {entry['extension_number']}") for entry in body['items']]
            self.members[parts[1]] = stored
            return None
        if parts == ['dect_phones']:
            return {'items': copy.deepcopy(self.phones)}
        if parts[0] != 'dect_phones' or self._phone(parts[1]) is None:
            raise not_found(path)
        if len(parts) == 2:
            return copy.deepcopy(self._phone(parts[1]))
        current = self.members.get(parts[1], [])
        if len(parts) == 3:
            return {'items': copy.deepcopy(current)}
        for entry in current:
            if entry['extension_number'] == parts[3]:
                return copy.deepcopy(entry)
        raise not_found(path)


def make_action(action_class, args, transport='local', become=False, check_mode=False, diff=False,
                async_val=0, environment=None):
    """Build ``action_class`` for a task with ``args``, as the task executor would.

    The templar returns every value unchanged, so ``environment`` (a list of
    dicts, as Task.environment is) reaches _compute_environment_string as given.
    """
    task = mock.MagicMock()
    task.args = copy.deepcopy(args)
    task.action = action_class.MODULE_NAME
    task.async_val = async_val
    task.check_mode = check_mode
    task.diff = diff
    task.environment = environment

    connection = mock.MagicMock()
    connection.transport = transport
    connection.has_native_async = False
    connection._shell.tmpdir = None

    play_context = mock.MagicMock()
    play_context.become = become

    templar = mock.MagicMock()
    templar.template.side_effect = lambda value, *args, **kwargs: value

    return action_class(task=task, connection=connection, play_context=play_context,
                        loader=mock.MagicMock(), templar=templar, shared_loader_obj=None)


def run_action(action_class, args, task_vars=None, **options):
    return make_action(action_class, args, **options).run(task_vars=task_vars or {})


def run_module_main(main, args, capsys, module_name, check_mode=False, diff=False):
    """Run a module's main() with ``args`` under ``module_name`` and return its parsed result.

    ansible-core 2.21 adds ``invocation`` to a module result only on request
    (INJECT_INVOCATION), and 2.16 always adds it but rejects that request as an
    unsupported parameter. So the request goes only to versions that know it.
    """
    arguments = copy.deepcopy(args)
    arguments.update({'_ansible_module_name': module_name, '_ansible_check_mode': check_mode,
                      '_ansible_diff': diff, '_ansible_remote_tmp': '/tmp', '_ansible_keep_remote_files': False})
    if 'inject_invocation' in PASS_VARS:
        arguments['_ansible_inject_invocation'] = True
    capsys.readouterr()
    with module_args(arguments):
        with pytest.raises(SystemExit):
            main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture(autouse=True)
def clear_caches():
    """Start and end every test with no cached client and no cached phone list."""
    controller_action._CLIENTS.clear()
    controller_action._PHONE_LISTS.clear()
    yield
    controller_action._CLIENTS.clear()
    controller_action._PHONE_LISTS.clear()


@pytest.fixture(autouse=True)
def inject_invocation(monkeypatch):
    """Make the plugin add ``invocation`` on every ansible-core, as modules before 2.21 do.

    ansible-core 2.21 adds it only with INJECT_INVOCATION; the parity and
    masking tests read it, and test_invocation_follows_setting covers the off case.
    """
    monkeypatch.setattr(controller_action.PbxControllerAction, '_injects_invocation',
                        staticmethod(lambda task_vars: True))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the test runner's PORTSIP_PBX_*, CA bundle and proxy variables out of the runs."""
    for name in RUNNER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pbx(monkeypatch):
    """Return a FakePbx with one phone and member 101, installed in place of client_from_params."""
    fake = FakePbx()
    monkeypatch.setattr(controller_action, 'client_from_params', fake.client_from_params)
    return fake


@pytest.fixture
def http(monkeypatch):
    """Return the scripted requests transport; the test fails if an expected request was not sent."""
    transport = ScriptedTransport()

    def send(adapter, request, **kwargs):
        return transport.send(adapter, request, **kwargs)

    monkeypatch.setattr(HTTPAdapter, 'send', send)
    yield transport
    assert transport.expected == [], 'expected requests were not sent'

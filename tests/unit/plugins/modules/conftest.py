# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures that run a module's main() against the scripted transport of module_harness."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
from requests.adapters import HTTPAdapter

from ansible_collections.portsip.pbx.plugins.module_utils import module_runner
from ansible_collections.portsip.pbx.plugins.module_utils.common import client_from_params
from ansible_collections.portsip.pbx.tests.unit.plugins.modules.module_harness import (
    ModuleRun,
    ScriptedTransport,
    module_args,
)


@pytest.fixture
def http(monkeypatch):
    """Return the scripted transport; the test fails if an expected request was not sent."""
    transport = ScriptedTransport()

    def send(adapter, request, **kwargs):
        return transport.send(adapter, request, **kwargs)

    monkeypatch.setattr(HTTPAdapter, 'send', send)
    yield transport
    assert transport.expected == [], 'expected requests were not sent'


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep PORTSIP_PBX_* fallbacks and CA bundle variables of the test runner out of the modules."""
    for name in ('PORTSIP_PBX_URL', 'PORTSIP_PBX_TOKEN', 'PORTSIP_PBX_USERNAME', 'PORTSIP_PBX_PASSWORD',
                 'PORTSIP_PBX_DOMAIN', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def backoff_delays(monkeypatch):
    """Record the client's retry waits instead of sleeping, and return the list of delays in seconds.

    PbxClient binds time.sleep as a default argument, so patching time.sleep would not reach it.
    """
    delays = []

    def client_with_recorded_waits(params, **overrides):
        return client_from_params(params, sleep=delays.append, **overrides)

    monkeypatch.setattr(module_runner, 'client_from_params', client_with_recorded_waits)
    return delays


@pytest.fixture
def run_module(capsys):
    """Return a function that runs a module's main() with arguments and returns a ModuleRun."""

    def run(main, args, check_mode=False, diff=False):
        arguments = dict(args)
        arguments['_ansible_check_mode'] = check_mode
        arguments['_ansible_diff'] = diff
        arguments['_ansible_remote_tmp'] = '/tmp'
        arguments['_ansible_keep_remote_files'] = False
        capsys.readouterr()
        with module_args(arguments):
            with pytest.raises(SystemExit) as exit_info:
                main()
        output = capsys.readouterr().out
        return ModuleRun(exit_info.value.code, json.loads(output), output)

    return run

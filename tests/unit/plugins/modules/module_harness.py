# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Module arguments, expected HTTP calls and a scripted transport for module tests.

The conftest fixtures install ScriptedTransport at requests' adapter level,
so the real Session builds each request (URL, JSON body, headers) and the
test checks exactly what would go over the wire. No socket is opened.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json

import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils import basic
from ansible.module_utils.common import warnings
from ansible.module_utils.common.text.converters import to_bytes

try:
    # ansible-core 2.19 and later pass module arguments through this helper.
    from ansible.module_utils.testing import patch_module_args
except ImportError:
    patch_module_args = None

PBX_URL = 'https://pbx.example.com:8887'
API = PBX_URL + '/api'
TOKEN = 'tok-SECRET-7f3a9c'
PASSWORD = 'pw-SECRET-51d2e8'
SESSION_TOKEN = 'session-SECRET-0a1b2c'
SECRETS = (TOKEN, PASSWORD, SESSION_TOKEN)


@contextlib.contextmanager
def module_args(args):
    """Expose ``args`` to AnsibleModule as if the controller had sent them.

    Warnings and deprecations collected by earlier runs in this process are
    cleared first, because a real module runs in a fresh process.
    """
    warnings._global_warnings.clear()
    warnings._global_deprecations.clear()
    # ansible-core 2.19+ sends module warnings to the controller's display once any
    # controller code (an action plugin test) has been imported into this process.
    internal = getattr(warnings, '_internal', None)
    was_controller = getattr(internal, 'is_controller', None)
    if was_controller:
        internal.is_controller = False
    try:
        if patch_module_args is not None:
            with patch_module_args(args):
                yield
            return
        yield from _legacy_module_args(args)
    finally:
        if was_controller:
            internal.is_controller = True


def _legacy_module_args(args):
    serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    original = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = serialized
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = original


def call(method, path, body=None, status=200, reply=None, headers=None):
    """Describe one expected request (method, path below /api, JSON body) and its scripted reply."""
    return {'method': method, 'url': API + path, 'json': body, 'status': status, 'reply': reply,
            'headers': headers or {}}


def sign_in_call(domain='example.com'):
    body = {'username': 'admin', 'password': PASSWORD}
    if domain is not None:
        body['domain'] = domain
    return call('POST', '/auth/sign_in', body, reply={
        'access_token': SESSION_TOKEN, 'refresh_token': 'refresh', 'expires_in': 3600, 'token_type': 'Bearer'})


def sign_out_call(status=200):
    return call('POST', '/auth/sign_out', status=status)


class ScriptedTransport:
    """A replacement for HTTPAdapter.send that checks each request against the next expected call."""

    def __init__(self):
        self.expected = []
        self.seen = []

    def expect(self, *calls):
        self.expected.extend(calls)

    def send(self, adapter, request, **kwargs):
        body = json.loads(request.body) if request.body else None
        seen = {'method': request.method, 'url': request.url, 'json': body,
                'authorization': request.headers.get('Authorization')}
        self.seen.append(seen)
        if not self.expected:
            raise AssertionError(f"unexpected request {seen['method']} {seen['url']} {seen['json']!r}")
        expected = self.expected.pop(0)
        actual_call = (seen['method'], seen['url'], seen['json'])
        expected_call = (expected['method'], expected['url'], expected['json'])
        if actual_call != expected_call:
            raise AssertionError(f'request {actual_call!r} does not match the expected {expected_call!r}')
        return self._response(request, expected)

    @staticmethod
    def _response(request, expected):
        response = requests.Response()
        response.status_code = expected['status']
        response.headers = CaseInsensitiveDict(expected['headers'])
        if expected['reply'] is None:
            response._content = b''
        else:
            response._content = json.dumps(expected['reply']).encode('utf-8')
            response.headers.setdefault('Content-Type', 'application/json')
        response._content_consumed = True
        response.encoding = 'utf-8'
        response.url = request.url
        response.request = request
        return response


def warning_texts(result):
    """Return the warning messages of a module result.

    ansible-core 2.16 returns each warning as a string; 2.19 and later return a
    serialized WarningSummary with the text in ``event.msg``.
    """
    texts = []
    for warning in result.get('warnings', []):
        if isinstance(warning, dict):
            texts.append(warning.get('event', {}).get('msg', ''))
        else:
            texts.append(warning)
    return texts


class ModuleRun:
    """The outcome of one main() call: exit code, parsed JSON result and raw standard output."""

    def __init__(self, exit_code, result, output):
        self.exit_code = exit_code
        self.result = result
        self.output = output

    @property
    def failed(self):
        return bool(self.result.get('failed'))

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of PbxClient against a fake requests session that replays scripted replies."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils
import json
import time

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.portsip.pbx.plugins.module_utils.client import (
    MAX_RETRY_AFTER,
    PbxClient,
    normalize_base_url,
    parse_retry_after,
)
from ansible_collections.portsip.pbx.plugins.module_utils.common import client_from_params
from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxApiError,
    PbxAuthError,
    PbxConnectionError,
    PbxError,
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
)

BASE = 'https://pbx.example.com:8887/api'
TOKEN = 'tok-SECRET-7f3a9c'
PASSWORD = 'pw-SECRET-51d2e8'
SESSION_TOKEN = 'session-SECRET-0a1b2c'
SECRETS = (TOKEN, PASSWORD, SESSION_TOKEN)


def reply(status=200, body=None, text=None, headers=None):
    """Build a requests.Response with a JSON body, a raw text body, or no body."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    if text is not None:
        response._content = text.encode('utf-8')
    elif body is not None:
        response._content = json.dumps(body).encode('utf-8')
        response.headers.setdefault('Content-Type', 'application/json')
    else:
        response._content = b''
    response.encoding = 'utf-8'
    # The body is already in memory, so Response.close() has no raw connection to release.
    response._content_consumed = True
    return response


class FakeSession:
    """A fake requests.Session that records each request and returns the next scripted reply.

    A scripted reply that is an exception instance is raised instead of returned.
    """

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []
        self.headers = {}
        self.verify = None
        self.trust_env = None
        self.closed = False

    def request(self, method, url, json=None, headers=None, timeout=None, verify=None):
        self.calls.append({'method': method, 'url': url, 'json': json, 'headers': dict(headers or {}),
                           'timeout': timeout, 'verify': verify})
        if not self.replies:
            raise AssertionError(f'unexpected request {method} {url}')
        outcome = self.replies.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self):
        self.closed = True

    @property
    def requests(self):
        return [(call['method'], call['url']) for call in self.calls]


class SleepRecorder:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


def token_client(*replies, **options):
    session = FakeSession(*replies)
    sleep = SleepRecorder()
    client = PbxClient(BASE, token=TOKEN, session=session, sleep=sleep, **options)
    return client, session, sleep


def password_client(*replies, **options):
    session = FakeSession(*replies)
    sleep = SleepRecorder()
    client = PbxClient(BASE, username='admin', password=PASSWORD, domain='example.com',
                       session=session, sleep=sleep, **options)
    return client, session, sleep


def signed_in():
    return reply(200, {'access_token': SESSION_TOKEN, 'refresh_token': 'refresh', 'expires_in': 3600,
                       'token_type': 'Bearer'})


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


# URL normalisation
@pytest.mark.parametrize('url, expected', [
    pytest.param('https://pbx.example.com:8887', BASE, id='no-path'),
    pytest.param('https://pbx.example.com:8887/', BASE, id='trailing-slash'),
    pytest.param('https://pbx.example.com:8887/api', BASE, id='api-given'),
    pytest.param('https://pbx.example.com:8887/api/', BASE, id='api-trailing-slash'),
    pytest.param('  https://pbx.example.com:8887  ', BASE, id='blanks-stripped'),
    pytest.param('http://10.0.0.5:8899', 'http://10.0.0.5:8899/api', id='plain-http'),
    pytest.param('HTTPS://pbx.example.com', 'https://pbx.example.com/api', id='upper-case-scheme'),
    pytest.param('https://host/pbx', 'https://host/pbx/api', id='path-prefix'),
])
def test_normalize_base_url(url, expected):
    assert normalize_base_url(url) == expected


def test_base_url_host_named_api():
    assert normalize_base_url('https://api') == 'https://api/api'


@pytest.mark.parametrize('url', [
    pytest.param('pbx.example.com:8887', id='no-scheme'),
    pytest.param('ftp://pbx.example.com', id='ftp-scheme'),
    pytest.param('https://', id='no-host'),
    pytest.param('', id='empty'),
])
def test_base_url_invalid_names_value(url):
    with pytest.raises(PbxValidationError) as error:
        normalize_base_url(url)

    assert f"pbx_url '{url}'" in str(error.value)
    assert 'https://pbx.example.com:8887' in str(error.value)


def test_base_url_none_invalid():
    with pytest.raises(PbxValidationError, match="pbx_url ''"):
        normalize_base_url(None)


def test_client_rejects_invalid_url():
    session = FakeSession()

    with pytest.raises(PbxValidationError):
        PbxClient('pbx.example.com', token=TOKEN, session=session)

    assert session.calls == []


def test_url_without_host_rejected():
    with pytest.raises(PbxValidationError, match="'https://:8887'"):
        normalize_base_url('https://:8887')


# Session settings
def test_session_defaults():
    client, session, _sleep = token_client()

    assert session.verify is True
    assert session.trust_env is True
    assert session.headers['Accept'] == 'application/json'
    assert 'Authorization' not in session.headers


def test_validate_certs_false_disables_verify():
    _client, session, _sleep = token_client(validate_certs=False)

    assert session.verify is False


def test_ca_path_sets_verify():
    _client, session, _sleep = token_client(ca_path='/etc/pki/pbx-ca.pem')

    assert session.verify == '/etc/pki/pbx-ca.pem'


@pytest.mark.parametrize('options, verify', [
    pytest.param({}, True, id='default'),
    pytest.param({'ca_path': '/etc/pki/pbx-ca.pem'}, '/etc/pki/pbx-ca.pem', id='ca-path'),
    pytest.param({'validate_certs': False}, False, id='no-validation'),
])
def test_verify_sent_with_each_request(options, verify):
    client, session, _sleep = token_client(reply(200, {}), reply(200, {}), **options)

    client.get('/a')
    client.post('/b', {})

    assert [call['verify'] for call in session.calls] == [verify, verify]


def test_validate_certs_false_beats_ca_path():
    _client, session, _sleep = token_client(ca_path='/etc/pki/pbx-ca.pem', validate_certs=False)

    assert session.verify is False


def test_use_proxy_false_disables_trust_env():
    _client, session, _sleep = token_client(use_proxy=False)

    assert session.trust_env is False


def test_client_from_params_maps_options():
    session = FakeSession()
    params = {
        'pbx_url': 'https://pbx.example.com:8887', 'pbx_token': TOKEN, 'pbx_username': None,
        'pbx_password': None, 'pbx_domain': None, 'validate_certs': True,
        'ca_path': '/etc/pki/pbx-ca.pem', 'timeout': 12, 'use_proxy': False,
    }

    client = client_from_params(params, session=session)

    assert client.base_url == BASE
    assert client.timeout == 12
    assert session.verify == '/etc/pki/pbx-ca.pem'
    assert session.trust_env is False


# Token authentication
def test_token_sent_as_bearer():
    client, session, _sleep = token_client(reply(200, {'items': []}))

    client.get('/dect_phones')

    assert session.calls[0]['headers']['Authorization'] == f'Bearer {TOKEN}'


def test_get_url_and_timeout():
    client, session, _sleep = token_client(reply(200, {'items': []}), timeout=7)

    client.get('/dect_phones')

    assert session.requests == [('GET', f'{BASE}/dect_phones')]
    assert session.calls[0]['timeout'] == 7


def test_get_returns_decoded_json():
    client, _session, _sleep = token_client(reply(200, {'items': [{'id': '1'}]}))

    assert client.get('/dect_phones') == {'items': [{'id': '1'}]}


def test_post_sends_json_body():
    client, session, _sleep = token_client(reply(200, {'ok': True}))

    result = client.post('/dect_phones/1/members', {'items': []})

    assert result == {'ok': True}
    assert session.calls[0]['json'] == {'items': []}


def test_token_client_skips_sign_in():
    client, session, _sleep = token_client(reply(200, {'items': []}))

    with client:
        client.get('/dect_phones')

    assert session.requests == [('GET', f'{BASE}/dect_phones')]
    assert session.closed


def test_request_count_counts_every_send():
    client, _session, _sleep = token_client(reply(503), reply(200, {}), reply(200, {}))

    client.get('/a')
    client.get('/b')

    assert client.request_count == 3


# Sign-in with credentials
def test_sign_in_body_and_token_use():
    client, session, _sleep = password_client(signed_in(), reply(200, {'items': []}))

    client.get('/dect_phones')

    assert session.requests == [('POST', f'{BASE}/auth/sign_in'), ('GET', f'{BASE}/dect_phones')]
    assert session.calls[0]['json'] == {'username': 'admin', 'password': PASSWORD, 'domain': 'example.com'}
    assert 'Authorization' not in session.calls[0]['headers']
    assert session.calls[1]['headers']['Authorization'] == f'Bearer {SESSION_TOKEN}'


def test_sign_in_without_domain():
    session = FakeSession(signed_in(), reply(200, {}))
    client = PbxClient(BASE, username='admin', password=PASSWORD, session=session)

    client.get('/dect_phones')

    assert session.calls[0]['json'] == {'username': 'admin', 'password': PASSWORD}


def test_sign_in_once_for_many_requests():
    client, session, _sleep = password_client(signed_in(), reply(200, {}), reply(200, {}))

    client.get('/a')
    client.get('/b')

    assert [call['url'] for call in session.calls].count(f'{BASE}/auth/sign_in') == 1


def test_close_signs_out_when_signed_in():
    client, session, _sleep = password_client(signed_in(), reply(200, {}), reply(200))

    with client:
        client.get('/dect_phones')

    assert session.requests[-1] == ('POST', f'{BASE}/auth/sign_out')
    assert session.calls[-1]['headers']['Authorization'] == f'Bearer {SESSION_TOKEN}'
    assert not client.signed_in
    assert session.closed


def test_close_without_requests_no_sign_out():
    client, session, _sleep = password_client()

    client.close()

    assert session.calls == []
    assert session.closed


def test_close_twice_signs_out_once():
    client, session, _sleep = password_client(signed_in(), reply(200, {}), reply(200))
    client.get('/dect_phones')

    client.close()
    client.close()

    assert session.requests.count(('POST', f'{BASE}/auth/sign_out')) == 1


def test_sign_out_http_error_warns():
    client, _session, _sleep = password_client(signed_in(), reply(200, {}), reply(500))
    client.get('/dect_phones')

    client.close()

    assert len(client.warnings) == 1
    assert 'HTTP 500' in client.warnings[0]


def test_sign_out_connection_error_warns():
    client, session, sleep = password_client(
        signed_in(), reply(200, {}), requests.exceptions.ConnectionError('connection reset'))
    client.get('/dect_phones')

    client.close()

    assert 'Sign-out from the PBX failed' in client.warnings[0]
    assert 'connection reset' in client.warnings[0]
    assert sleep.delays == []
    assert session.closed


def test_sign_out_tls_error_warns():
    client, _session, _sleep = password_client(
        signed_in(), reply(200, {}), requests.exceptions.SSLError('certificate verify failed'))
    client.get('/dect_phones')

    client.close()

    assert 'certificate verify failed' in client.warnings[0]


def test_two_factor_account_fails():
    client, session, _sleep = password_client(reply(200, {'two_factor_enabled': True, 'token': 'otp-token'}))

    with pytest.raises(PbxAuthError) as error:
        client.get('/dect_phones')

    assert 'two-factor' in str(error.value)
    assert 'pbx_token' in str(error.value)
    assert "'admin'" in str(error.value)
    assert len(session.calls) == 1
    assert not client.signed_in


def test_sign_in_without_access_token():
    client, _session, _sleep = password_client(reply(200, {'token_type': 'Bearer'}))

    with pytest.raises(PbxResponseError, match='without an access_token'):
        client.get('/dect_phones')


def test_sign_in_reply_not_object():
    client, _session, _sleep = password_client(reply(200, ['token']))

    with pytest.raises(PbxResponseError, match='not a JSON object'):
        client.get('/dect_phones')


def test_sign_in_rejected_names_credentials():
    client, session, _sleep = password_client(
        reply(401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'Invalid username or password'}]}))

    with pytest.raises(PbxAuthError) as error:
        client.get('/dect_phones')

    assert 'POST /api/auth/sign_in failed with HTTP 401' in str(error.value)
    assert 'Invalid username or password' in str(error.value)
    assert 'pbx_username' in str(error.value)
    assert len(session.calls) == 1


def test_session_token_expired_signs_in_again():
    second_token = 'session-SECRET-second'
    client, session, _sleep = password_client(
        signed_in(), reply(200, {}), reply(401), reply(200, {'access_token': second_token}), reply(200, {'n': 2}))

    client.get('/a')
    result = client.get('/b')

    assert result == {'n': 2}
    assert session.requests == [
        ('POST', f'{BASE}/auth/sign_in'), ('GET', f'{BASE}/a'), ('GET', f'{BASE}/b'),
        ('POST', f'{BASE}/auth/sign_in'), ('GET', f'{BASE}/b'),
    ]
    assert session.calls[-1]['headers']['Authorization'] == f'Bearer {second_token}'


def test_second_401_not_retried_again():
    client, session, _sleep = password_client(signed_in(), reply(401), signed_in(), reply(401))

    with pytest.raises(PbxAuthError, match='HTTP 401'):
        client.get('/a')

    assert len(session.calls) == 4


def test_static_token_401_not_retried():
    client, session, _sleep = token_client(reply(401))

    with pytest.raises(PbxAuthError) as error:
        client.get('/dect_phones')

    assert 'pbx_token' in str(error.value)
    assert 'expired' in str(error.value)
    assert len(session.calls) == 1


def test_403_mentions_permission():
    client, _session, _sleep = token_client(reply(403, {'errors': [{'code': 'FORBIDDEN', 'message': 'Forbidden'}]}))

    with pytest.raises(PbxAuthError) as error:
        client.get('/dect_phones')

    assert 'HTTP 403' in str(error.value)
    assert 'permission' in str(error.value)
    assert 'pbx_token' in str(error.value)


def test_403_credentials_hint():
    client, _session, _sleep = password_client(signed_in(), reply(403))

    with pytest.raises(PbxAuthError) as error:
        client.get('/dect_phones')

    assert 'pbx_username' in str(error.value)
    assert 'permission' in str(error.value)


# Error statuses and bodies
def test_404_raises_not_found():
    client, _session, _sleep = token_client(
        reply(404, {'errors': [{'code': 'NOT_FOUND', 'message': 'DECT phone not found'}]}))

    with pytest.raises(PbxNotFoundError) as error:
        client.get('/dect_phones/9')

    assert error.value.status == 404
    assert error.value.path == '/api/dect_phones/9'
    assert 'DECT phone not found' in str(error.value)


def test_error_messages_joined():
    body = {'errors': [
        {'code': 'VALIDATE_FAILED', 'message': 'Invalid handset index', 'detail': 'handset_index must be 1-8'},
        {'code': 'VALIDATE_FAILED', 'message': 'Duplicate IPUI'},
    ]}
    client, _session, _sleep = token_client(reply(400, body))

    with pytest.raises(PbxApiError) as error:
        client.post('/dect_phones/7/members', {'items': []})

    assert str(error.value) == (
        'POST /api/dect_phones/7/members failed with HTTP 400: '
        'Invalid handset index (handset_index must be 1-8); Duplicate IPUI.')
    assert error.value.method == 'POST'
    assert error.value.path == '/api/dect_phones/7/members'
    assert error.value.status == 400
    assert error.value.errors == body['errors']
    assert error.value.details == {'status': 400, 'errors': body['errors']}


def test_error_detail_object_shown():
    detail = {'field': 'items[0].extension_number', 'value': '999', 'reason': 'extension does not exist'}
    client, _session, _sleep = token_client(reply(400, {'errors': [
        {'code': 'VALIDATE_FAILED', 'message': 'field validation failed', 'detail': detail}]}))

    with pytest.raises(PbxApiError) as error:
        client.post('/dect_phones/7/members', {'items': []})

    assert "'999'" not in str(error.value)
    assert '"value": "999"' in str(error.value)
    assert '"reason": "extension does not exist"' in str(error.value)


def test_error_detail_object_truncated():
    client, _session, _sleep = token_client(reply(400, {'errors': [
        {'code': 'VALIDATE_FAILED', 'message': 'field validation failed', 'detail': {'text': 'x' * 1000}}]}))

    with pytest.raises(PbxApiError) as error:
        client.post('/dect_phones/7/members', {'items': []})

    assert len(str(error.value)) < 450
    assert str(error.value).endswith('...).')


def test_error_code_without_message():
    client, _session, _sleep = token_client(reply(400, {'errors': [{'code': 'UNKNOWN'}]}))

    with pytest.raises(PbxApiError, match='HTTP 400: UNKNOWN'):
        client.get('/x')


def test_error_without_message():
    client, _session, _sleep = token_client(reply(400, {'status': 'bad'}))

    with pytest.raises(PbxApiError, match='no error message'):
        client.get('/x')


def test_500_not_retried():
    client, session, sleep = token_client(reply(500, {'errors': [{'code': 'UNKNOWN', 'message': 'Internal'}]}))

    with pytest.raises(PbxApiError) as error:
        client.get('/dect_phones')

    assert error.value.status == 500
    assert 'Internal' in str(error.value)
    assert len(session.calls) == 1
    assert sleep.delays == []


def test_html_error_page():
    client, _session, _sleep = token_client(
        reply(500, text='<html><body>Internal Server Error</body></html>', headers={'Content-Type': 'text/html'}))

    with pytest.raises(PbxApiError) as error:
        client.get('/dect_phones')

    assert 'HTTP 500' in str(error.value)
    assert 'not JSON (text/html)' in str(error.value)


def test_html_page_on_200():
    client, _session, _sleep = token_client(
        reply(200, text='<html>Sign in to the portal</html>', headers={'Content-Type': 'text/html'}))

    with pytest.raises(PbxResponseError) as error:
        client.get('/dect_phones')

    assert 'GET /api/dect_phones returned HTTP 200' in str(error.value)
    assert 'text/html' in str(error.value)


def test_empty_get_body_fails():
    client, _session, _sleep = token_client(reply(200))

    with pytest.raises(PbxResponseError) as error:
        client.get('/dect_phones')

    assert 'HTTP 200' in str(error.value)
    assert 'empty body' in str(error.value)


def test_empty_error_body():
    client, _session, _sleep = token_client(reply(400))

    with pytest.raises(PbxApiError, match='HTTP 400: the reply body is empty'):
        client.get('/dect_phones')


@pytest.mark.parametrize('status', [200, 204])
def test_empty_post_body_is_none(status):
    client, _session, _sleep = token_client(reply(status))

    assert client.post('/dect_phones/1/members', {'items': []}) is None


def test_blank_post_body_is_none():
    client, _session, _sleep = token_client(reply(200, text='  \n'))

    assert client.post('/dect_phones/1/members', {'items': []}) is None


# Retries
@pytest.mark.parametrize('failure', [
    pytest.param(lambda: requests.exceptions.ConnectionError('connection refused'), id='connection-error'),
    pytest.param(lambda: requests.exceptions.ConnectTimeout('connect timeout'), id='connect-timeout'),
    pytest.param(lambda: requests.exceptions.ReadTimeout('read timeout'), id='read-timeout'),
    pytest.param(lambda: reply(502), id='http-502'),
    pytest.param(lambda: reply(503), id='http-503'),
    pytest.param(lambda: reply(504), id='http-504'),
    pytest.param(lambda: reply(429), id='http-429-no-retry-after'),
])
def test_retried_then_succeeds(failure):
    client, session, sleep = token_client(failure(), failure(), failure(), reply(200, {'ok': 1}))

    assert client.get('/dect_phones') == {'ok': 1}
    assert sleep.delays == [1.0, 2.0, 4.0]
    assert len(session.calls) == 4


@pytest.mark.parametrize('status', [502, 503, 504, 429])
def test_retry_status_gives_up(status):
    client, session, sleep = token_client(*[reply(status) for dummy in range(4)])

    with pytest.raises(PbxApiError) as error:
        client.get('/dect_phones')

    assert error.value.status == status
    assert 'still unavailable after 4 attempts' in str(error.value)
    assert sleep.delays == [1.0, 2.0, 4.0]
    assert len(session.calls) == 4


def test_connection_error_gives_up():
    failures = [requests.exceptions.ConnectionError('connection refused') for dummy in range(4)]
    client, session, sleep = token_client(*failures)

    with pytest.raises(PbxConnectionError) as error:
        client.get('/dect_phones')

    assert 'Connection to https://pbx.example.com:8887/api failed' in str(error.value)
    assert 'connection refused' in str(error.value)
    assert 'Gave up after 4 attempts' in str(error.value)
    assert sleep.delays == [1.0, 2.0, 4.0]
    assert len(session.calls) == 4


def test_timeout_names_seconds():
    client, _session, _sleep = token_client(*[requests.exceptions.ReadTimeout('slow') for dummy in range(4)], timeout=9)

    with pytest.raises(PbxConnectionError) as error:
        client.get('/dect_phones')

    assert 'timed out after 9 seconds' in str(error.value)


def test_backoff_scales():
    client, _session, sleep = token_client(reply(503), reply(503), reply(200, {}), backoff=0.5)

    client.get('/dect_phones')

    assert sleep.delays == [0.5, 1.0]


def test_max_retries_zero():
    client, session, sleep = token_client(reply(503), max_retries=0)

    with pytest.raises(PbxApiError, match='after 1 attempts'):
        client.get('/dect_phones')

    assert sleep.delays == []
    assert len(session.calls) == 1


def test_tls_error_not_retried():
    client, session, sleep = token_client(requests.exceptions.SSLError('certificate verify failed'))

    with pytest.raises(PbxConnectionError) as error:
        client.get('/dect_phones')

    assert 'TLS connection' in str(error.value)
    assert 'certificate verify failed' in str(error.value)
    assert 'ca_path' in str(error.value)
    assert len(session.calls) == 1
    assert sleep.delays == []


def test_sign_in_retried():
    client, session, sleep = password_client(reply(503), signed_in(), reply(200, {}))

    client.get('/dect_phones')

    assert session.requests[:2] == [('POST', f'{BASE}/auth/sign_in'), ('POST', f'{BASE}/auth/sign_in')]
    assert sleep.delays == [1.0]


def test_retry_after_seconds():
    client, _session, sleep = token_client(reply(429, headers={'Retry-After': '7'}), reply(200, {}))

    client.get('/dect_phones')

    assert sleep.delays == [7.0]


def test_retry_after_http_date():
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    client, _session, sleep = token_client(reply(429, headers={'Retry-After': when}), reply(200, {}))

    client.get('/dect_phones')

    assert len(sleep.delays) == 1
    assert 17 <= sleep.delays[0] <= 20


def test_retry_after_past_date_no_wait():
    when = email.utils.formatdate(time.time() - 100, usegmt=True)
    client, _session, sleep = token_client(reply(429, headers={'Retry-After': when}), reply(200, {}))

    client.get('/dect_phones')

    assert sleep.delays == [0.0]


def test_retry_after_unparsable_uses_backoff():
    client, _session, sleep = token_client(reply(429, headers={'Retry-After': 'soon'}), reply(200, {}))

    client.get('/dect_phones')

    assert sleep.delays == [1.0]


def test_retry_after_only_for_429():
    client, _session, sleep = token_client(reply(503, headers={'Retry-After': '30'}), reply(200, {}))

    client.get('/dect_phones')

    assert sleep.delays == [1.0]


@pytest.mark.parametrize('retry_after', [
    pytest.param(str(MAX_RETRY_AFTER + 1), id='seconds'),
    pytest.param('3600', id='an-hour'),
    pytest.param(email.utils.formatdate(time.time() + 600, usegmt=True), id='http-date'),
])
def test_long_retry_after_fails_at_once(retry_after):
    client, session, sleep = token_client(
        reply(429, {'errors': [{'code': 'RATE_LIMITED', 'message': 'Too many requests'}]},
              headers={'Retry-After': retry_after}))

    with pytest.raises(PbxApiError) as error:
        client.get('/dect_phones')

    assert error.value.status == 429
    assert 'Too many requests' in str(error.value)
    assert 'longer than the 60 seconds' in str(error.value)
    assert sleep.delays == []
    assert len(session.calls) == 1


def test_retry_after_at_limit_waits():
    client, _session, sleep = token_client(reply(429, headers={'Retry-After': '60'}), reply(200, {}))

    client.get('/dect_phones')

    assert sleep.delays == [60.0]


@pytest.mark.parametrize('value, expected', [
    pytest.param(None, None, id='missing'),
    pytest.param('5', 5.0, id='seconds'),
    pytest.param(' 2.5 ', 2.5, id='fraction'),
    pytest.param('-3', 0.0, id='negative'),
    pytest.param('later', None, id='text'),
    pytest.param('Wed, 21 Oct 2015 07:28:00 GMT', 10.0, id='http-date'),
])
def test_parse_retry_after(value, expected):
    now = email.utils.parsedate_to_datetime('Wed, 21 Oct 2015 07:27:50 GMT').timestamp()

    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize('failure', [
    pytest.param(requests.exceptions.TooManyRedirects('Exceeded 30 redirects.'), id='too-many-redirects'),
    pytest.param(requests.exceptions.ChunkedEncodingError('Connection broken'), id='chunked-encoding'),
    pytest.param(requests.exceptions.InvalidURL('No host supplied'), id='invalid-url'),
])
def test_other_requests_errors_wrapped(failure):
    client, _session, _sleep = token_client(failure, failure, failure, failure)

    with pytest.raises(PbxError):
        client.get('/dect_phones')


# Secrets never appear in messages
ERROR_SCRIPTS = [
    pytest.param('token', [reply(401)], id='token-401'),
    pytest.param('token', [reply(403, {'errors': [{'message': 'Forbidden'}]})], id='token-403'),
    pytest.param('token', [reply(404)], id='token-404'),
    pytest.param('token', [reply(500, text='<html>oops</html>', headers={'Content-Type': 'text/html'})],
                 id='token-html-500'),
    pytest.param('token', [reply(200)], id='token-empty-body'),
    pytest.param('token', [reply(200, text='not json')], id='token-not-json'),
    pytest.param('token', [reply(503)] * 4, id='token-503-exhausted'),
    pytest.param('token', [reply(429, headers={'Retry-After': '999'})], id='token-long-retry-after'),
    pytest.param('token', [requests.exceptions.ConnectionError('refused')] * 4, id='token-connection'),
    pytest.param('token', [requests.exceptions.ReadTimeout('slow')] * 4, id='token-timeout'),
    pytest.param('token', [requests.exceptions.SSLError('bad certificate')], id='token-tls'),
    pytest.param('password', [reply(401, {'errors': [{'message': 'Bad password'}]})], id='sign-in-401'),
    pytest.param('password', [reply(200, {'two_factor_enabled': True, 'token': 'otp'})], id='two-factor'),
    pytest.param('password', [reply(200, {})], id='sign-in-no-token'),
    pytest.param('password', [reply(200, text='<html/>')], id='sign-in-html'),
    pytest.param('password', [signed_in(), reply(401), signed_in(), reply(401)], id='session-401-twice'),
    pytest.param('password', [signed_in(), reply(404)], id='session-404'),
    pytest.param('password', [requests.exceptions.ConnectionError('refused')] * 4, id='sign-in-connection'),
]


@pytest.mark.parametrize('auth, script', ERROR_SCRIPTS)
def test_errors_hide_secrets(auth, script):
    make_client = token_client if auth == 'token' else password_client
    client, _session, _sleep = make_client(*script)

    with pytest.raises(PbxError) as error:
        client.get('/dect_phones')

    assert_no_secret(str(error.value))
    assert_no_secret(repr(error.value.details))


@pytest.mark.parametrize('failure', [
    pytest.param(reply(500), id='http-500'),
    pytest.param(requests.exceptions.ConnectionError('reset'), id='connection-error'),
    pytest.param(requests.exceptions.SSLError('bad certificate'), id='tls-error'),
])
def test_sign_out_warning_hides_secrets(failure):
    client, _session, _sleep = password_client(signed_in(), reply(200, {}), failure)
    client.get('/dect_phones')

    client.close()

    assert len(client.warnings) == 1
    assert_no_secret(client.warnings[0])

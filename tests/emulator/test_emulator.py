"""Tests of the PortSIP PBX emulator, run against a real emulator process over HTTPS.

Run with: python3 -m pytest tests/emulator -q
"""

import contextlib
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, 'pbx_emulator.py')

with open(os.path.join(HERE, 'seed.json'), encoding='utf-8') as seed_file:
    SEED = json.load(seed_file)

PHONE_IDS = {phone['name']: phone['id'] for phone in SEED['dect_phones']}
WARD_A = PHONE_IDS['Ward A base']
WARD_B = PHONE_IDS['Ward B base']
EXTENSION_IDS = {extension['extension_number']: extension['id'] for extension in SEED['extensions']}
MEMBERS_PATH = '/api/dect_phones/%s/members' % WARD_A
UNKNOWN_PHONE = 'Tm9TdWNoUGhvbmVJZA'
STATIC_TOKEN = 'emulator-static-token'
USE_STATIC_TOKEN = object()

START_TIMEOUT_SECONDS = 20


class Response:
    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers
        self.data = data

    def json(self):
        return json.loads(self.data.decode('utf-8'))


class Client:
    """Small HTTPS client that verifies the emulator certificate against the generated CA."""

    def __init__(self, info):
        self.info = info
        self.url = info['url']
        self.port = info['port']
        self.context = ssl.create_default_context(cafile=info['ca_path'])

    def request(self, method, path, body=None, token=USE_STATIC_TOKEN, headers=None, data=None, timeout=10,
                base_url=None):
        request_headers = dict(headers or {})
        if token is USE_STATIC_TOKEN:
            token = self.info['token']
        if token is not None:
            request_headers['Authorization'] = 'Bearer %s' % token
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            request_headers['Content-Type'] = 'application/json'
        request = urllib.request.Request((base_url or self.url) + path, data=data, headers=request_headers,
                                         method=method)
        try:
            with open_https(request, self.context, timeout) as reply:
                return Response(reply.status, reply.headers, reply.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.headers, error.read())

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body=body, **kwargs)

    def connection(self, timeout=10):
        return http.client.HTTPSConnection('127.0.0.1', self.port, context=self.context, timeout=timeout)

    def reset(self):
        assert self.post('/_emulator/reset', {}, token=None).status == 200

    def state(self):
        return self.get('/_emulator/state', token=None).json()

    def request_log(self):
        return self.get('/_emulator/requests', token=None).json()

    def set_faults(self, faults):
        reply = self.post('/_emulator/faults', {'faults': faults}, token=None)
        assert reply.status == 200, reply.data
        return reply.json()

    def set_quirks(self, **quirks):
        reply = self.post('/_emulator/quirks', quirks, token=None)
        assert reply.status == 200, reply.data
        return reply.json()

    def members(self, phone_id=WARD_A):
        return self.get('/api/dect_phones/%s/members' % phone_id).json()['items']

    def stored_members(self, phone_id=WARD_A):
        return self.state()['members'][phone_id]


def open_https(request, context, timeout):
    """Send a urllib request over HTTPS that verifies certificates with `context`."""
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    return opener.open(request, timeout=timeout)


def wait_for_state_file(state_dir, process):
    path = os.path.join(state_dir, 'emulator.json')
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError('emulator exited with code %s during start' % process.returncode)
        try:
            with open(path, encoding='utf-8') as state_file:
                info = json.load(state_file)
            if info.get('pid') == process.pid:
                return info
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError('emulator did not write %s within %d s' % (path, START_TIMEOUT_SECONDS))


@contextlib.contextmanager
def running_emulator(state_dir, *extra_args):
    """Run a foreground emulator in `state_dir` and yield its emulator.json contents."""
    state_dir = str(state_dir)
    os.makedirs(state_dir, exist_ok=True)
    with open(os.path.join(state_dir, 'stderr.txt'), 'w', encoding='utf-8') as output:
        process = subprocess.Popen([sys.executable, EMULATOR, '--state-dir', state_dir] + list(extra_args),
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            yield wait_for_state_file(state_dir, process)
        finally:
            process.terminate()
            process.wait(timeout=15)


def run_cli(*args, timeout=60):
    return subprocess.run([sys.executable, EMULATOR] + list(args), capture_output=True, text=True,
                          timeout=timeout, check=False)


def process_running(pid):
    """Return whether `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as stat_file:
            return stat_file.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return True


def error_fields(reply):
    return [error['detail']['field'] for error in reply.json()['errors'] if isinstance(error.get('detail'), dict)]


def member(extension_number, handset_index, ipui=''):
    return {'extension_number': extension_number, 'ipui': ipui, 'handset_index': handset_index}


@pytest.fixture(scope='module')
def emulator(tmp_path_factory):
    with running_emulator(tmp_path_factory.mktemp('emulator')) as info:
        yield info


@pytest.fixture
def client(emulator):
    client = Client(emulator)
    client.reset()
    return client


# ---------------------------------------------------------------------------
# TLS and emulator.json


def test_tls_verifies_with_generated_ca(client):
    assert client.get('/api/dect_phones').status == 200


def test_tls_verifies_localhost_name(client):
    reply = client.get('/api/dect_phones', base_url='https://localhost:%d' % client.port)
    assert reply.status == 200


def test_tls_rejects_system_trust_store(client):
    request = urllib.request.Request(client.url + '/api/dect_phones')
    with pytest.raises(urllib.error.URLError) as raised:
        open_https(request, ssl.create_default_context(), timeout=10)
    assert isinstance(raised.value.reason, ssl.SSLCertVerificationError)


def test_state_file_fields(emulator):
    assert emulator['url'] == 'https://127.0.0.1:%d' % emulator['port']
    assert os.path.isfile(emulator['ca_path'])
    assert emulator['token'] == STATIC_TOKEN
    assert emulator['username'] == 'tenant_admin'
    assert emulator['password'] == 'emulator-password'
    assert emulator['domain'] == 'pbx.example.test'
    assert emulator['two_factor_accounts'][0]['username'] == 'twofactor_admin'


def test_state_file_private(emulator):
    mode = os.stat(os.path.join(os.path.dirname(emulator['ca_path']), 'emulator.json')).st_mode
    assert mode & 0o077 == 0


# ---------------------------------------------------------------------------
# Authentication


def test_auth_missing_header_rejected(client):
    reply = client.get('/api/dect_phones', token=None)
    assert reply.status == 401
    assert reply.json()['errors'][0]['code'] == 'UNAUTHORIZED'
    assert reply.headers['WWW-Authenticate'] == 'Bearer'


def test_auth_unknown_token_rejected(client):
    assert client.get('/api/dect_phones', token='not-a-token').status == 401


def test_auth_basic_scheme_rejected(client):
    reply = client.get('/api/dect_phones', token=None, headers={'Authorization': 'Basic ' + STATIC_TOKEN})
    assert reply.status == 401


def test_auth_scheme_case_insensitive(client):
    reply = client.get('/api/dect_phones', token=None, headers={'Authorization': 'bearer ' + STATIC_TOKEN})
    assert reply.status == 200


def test_sign_in_returns_bearer_token(client):
    reply = client.post('/api/auth/sign_in', {'username': 'tenant_admin', 'password': 'emulator-password',
                                              'domain': 'pbx.example.test'}, token=None)
    body = reply.json()
    assert reply.status == 200
    assert body['token_type'] == 'Bearer'
    assert body['expires_in'] == 3600
    assert body['access_token']
    assert body['refresh_token']
    assert client.get('/api/dect_phones', token=body['access_token']).status == 200


def test_sign_in_domain_case_insensitive(client):
    reply = client.post('/api/auth/sign_in', {'username': 'tenant_admin', 'password': 'emulator-password',
                                              'domain': 'PBX.Example.Test'}, token=None)
    assert reply.status == 200


@pytest.mark.parametrize('credentials', [
    {'username': 'tenant_admin', 'password': 'wrong', 'domain': 'pbx.example.test'},
    {'username': 'nobody', 'password': 'emulator-password', 'domain': 'pbx.example.test'},
    {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'other.example.test'},
    {'username': 'tenant_admin', 'password': 'emulator-password'},
], ids=['password', 'username', 'domain', 'no-domain'])
def test_sign_in_wrong_credentials_rejected(client, credentials):
    reply = client.post('/api/auth/sign_in', credentials, token=None)
    assert reply.status == 401
    assert reply.json()['errors'][0]['code'] == 'UNAUTHORIZED'


@pytest.mark.parametrize('body, field', [
    ({'password': 'emulator-password', 'domain': 'pbx.example.test'}, 'username'),
    ({'username': '', 'password': 'emulator-password'}, 'username'),
    ({'username': 'tenant_admin', 'domain': 'pbx.example.test'}, 'password'),
    ({'username': 'tenant_admin', 'password': 5}, 'password'),
    ([], 'body'),
], ids=['no-username', 'blank-username', 'no-password', 'number-password', 'array'])
def test_sign_in_invalid_body_rejected(client, body, field):
    reply = client.post('/api/auth/sign_in', body, token=None)
    assert reply.status == 400
    assert reply.json()['errors'][0]['code'] == 'VALIDATE_FAILED'
    assert field in error_fields(reply)


def test_sign_in_malformed_json_rejected(client):
    reply = client.post('/api/auth/sign_in', data=b'{"username": ', token=None,
                        headers={'Content-Type': 'application/json'})
    assert reply.status == 400
    assert reply.json()['errors'][0]['code'] == 'VALIDATE_FAILED'


def test_sign_out_revokes_token(client):
    token = client.post('/api/auth/sign_in', {'username': 'tenant_admin', 'password': 'emulator-password',
                                              'domain': 'pbx.example.test'}, token=None).json()['access_token']
    reply = client.post('/api/auth/sign_out', token=token)
    assert reply.status == 200
    assert reply.data == b''
    assert client.get('/api/dect_phones', token=token).status == 401


def test_sign_out_keeps_static_token(client):
    assert client.post('/api/auth/sign_out').status == 200
    assert client.get('/api/dect_phones').status == 200


def test_sign_out_needs_token(client):
    assert client.post('/api/auth/sign_out', token=None).status == 401


def test_sessions_counted_in_state(client):
    credentials = {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'pbx.example.test'}
    token = client.post('/api/auth/sign_in', credentials, token=None).json()['access_token']
    assert client.state()['sessions'] == {'active': 1, 'signed_in': 1, 'signed_out': 0}
    client.post('/api/auth/sign_out', token=token)
    assert client.state()['sessions'] == {'active': 0, 'signed_in': 1, 'signed_out': 1}


def test_two_factor_account_returns_token(client):
    reply = client.post('/api/auth/sign_in', {'username': 'twofactor_admin', 'password': 'emulator-2fa-password',
                                              'domain': 'pbx.example.test'}, token=None)
    body = reply.json()
    assert reply.status == 200
    assert body['two_factor_enabled'] is True
    assert body['token']
    assert 'access_token' not in body


def test_two_factor_token_not_bearer(client):
    token = client.post('/api/auth/sign_in', {'username': 'twofactor_admin', 'password': 'emulator-2fa-password',
                                              'domain': 'pbx.example.test'}, token=None).json()['token']
    assert client.get('/api/dect_phones', token=token).status == 401
    assert client.state()['sessions']['active'] == 0


def test_refresh_token_replaces_session(client):
    credentials = {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'pbx.example.test'}
    first = client.post('/api/auth/sign_in', credentials, token=None).json()
    reply = client.post('/api/auth/refresh_token', {'refresh_token': first['refresh_token']}, token=None)
    second = reply.json()
    assert reply.status == 200
    assert client.get('/api/dect_phones', token=second['access_token']).status == 200
    assert client.get('/api/dect_phones', token=first['access_token']).status == 401


def test_auth_user_reports_role(client):
    assert client.get('/api/auth/user').json()['role'] == 'Admin'


# ---------------------------------------------------------------------------
# DECT phones, models and extensions


def test_dect_phones_list_fields(client):
    items = client.get('/api/dect_phones').json()['items']
    assert len(items) == len(SEED['dect_phones'])
    for item in items:
        for key in ('id', 'name', 'mac', 'template', 'vendor', 'model'):
            assert isinstance(item[key], str), key
        assert isinstance(item['lines'], int)


def test_dect_phones_mac_uppercase_colon(client):
    macs = {item['name']: item['mac'] for item in client.get('/api/dect_phones').json()['items']}
    assert macs['Ward A base'] == '80:5E:C0:11:22:33'


def test_dect_phones_blank_fields_null(client):
    items = client.get('/api/dect_phones').json()['items']
    assert items[0]['region'] is None


def test_dect_phone_detail(client):
    reply = client.get('/api/dect_phones/%s' % WARD_A)
    body = reply.json()
    assert reply.status == 200
    assert body['name'] == 'Ward A base'
    assert body['model'] == 'W60B'
    assert body['lines'] == 8
    assert body['codecs'] == ['G722', 'PCMA', 'PCMU']


def test_dect_phone_unknown_not_found(client):
    reply = client.get('/api/dect_phones/%s' % UNKNOWN_PHONE)
    assert reply.status == 404
    assert reply.json()['errors'][0]['code'] == 'NOT_FOUND'


def test_dect_phone_models_list(client):
    items = client.get('/api/dect_phone_models').json()['items']
    lines = {item['model']: item['lines'] for item in items}
    assert lines['W60B'] == 8
    assert {'filename', 'model', 'lines', 'display_name'} == set(items[0])


def test_extension_found(client):
    reply = client.get('/api/extension_numbers/101')
    assert reply.status == 200
    assert reply.json() == {'id': EXTENSION_IDS['101'], 'extension_number': '101', 'name': 'Alice Carter',
                            'type': 'EXTENSION'}


def test_extension_unknown_not_found(client):
    assert client.get('/api/extension_numbers/999').status == 404


# ---------------------------------------------------------------------------
# DECT phone members: reading


def test_members_seeded_list(client):
    assert client.members() == [
        {'id': EXTENSION_IDS['101'], 'extension_number': '101', 'display_name': 'Alice Carter',
         'ipui': '02A3B4C5D6', 'handset_index': '1'},
        {'id': EXTENSION_IDS['102'], 'extension_number': '102', 'display_name': 'Ben Hughes',
         'ipui': None, 'handset_index': '2'},
        {'id': EXTENSION_IDS['1001'], 'extension_number': '1001', 'display_name': 'Ward A nurse station',
         'ipui': '02A3B4C5D7', 'handset_index': '4'},
    ]


def test_members_empty_phone(client):
    assert client.members(WARD_B) == []


def test_members_unknown_phone_not_found(client):
    assert client.get('/api/dect_phones/%s/members' % UNKNOWN_PHONE).status == 404


def test_member_get_found(client):
    reply = client.get(MEMBERS_PATH + '/101')
    assert reply.status == 200
    assert reply.json()['handset_index'] == '1'
    assert reply.json()['id'] == EXTENSION_IDS['101']


def test_member_get_not_member(client):
    reply = client.get(MEMBERS_PATH + '/103')
    assert reply.status == 404


def test_member_get_same_404_body(client):
    not_member = client.get(MEMBERS_PATH + '/103')
    unknown_phone = client.get('/api/dect_phones/%s/members/101' % UNKNOWN_PHONE)
    assert unknown_phone.status == 404
    assert unknown_phone.data == not_member.data


# ---------------------------------------------------------------------------
# DECT phone members: replacing the list


def test_members_post_replaces_whole_list(client):
    reply = client.post(MEMBERS_PATH, {'items': [member('105', '3', '0A0B0C0D0E'), member('106', '1')]})
    assert reply.status == 200
    assert client.members() == [
        {'id': EXTENSION_IDS['105'], 'extension_number': '105', 'display_name': 'Emma Schulz',
         'ipui': '0A0B0C0D0E', 'handset_index': '3'},
        {'id': EXTENSION_IDS['106'], 'extension_number': '106', 'display_name': 'Farid Haddad',
         'ipui': None, 'handset_index': '1'},
    ]


def test_members_post_reply_empty(client):
    reply = client.post(MEMBERS_PATH, {'items': [member('101', '1')]})
    assert reply.status == 200
    assert reply.data == b''
    assert reply.headers['Content-Length'] == '0'


def test_members_post_empty_list_clears(client):
    assert client.post(MEMBERS_PATH, {'items': []}).status == 200
    assert client.members() == []


def test_members_post_other_phone_untouched(client):
    before = client.members(PHONE_IDS['Reception base'])
    client.post(MEMBERS_PATH, {'items': []})
    assert client.members(PHONE_IDS['Reception base']) == before


def test_members_post_ignores_read_only_fields(client):
    item = dict(member('107', '2'), id='Ym9ndXM', display_name='Someone Else', comment='ignored')
    assert client.post(MEMBERS_PATH, {'items': [item]}).status == 200
    assert client.stored_members() == [member('107', '2')]
    assert client.members()[0]['display_name'] == 'Grace Liu'


def test_members_post_ipui_optional(client):
    item = {'extension_number': '108', 'handset_index': '5'}
    assert client.post(MEMBERS_PATH, {'items': [item]}).status == 200
    assert client.stored_members() == [member('108', '5')]


def test_members_post_normalizes_handset_index(client):
    assert client.post(MEMBERS_PATH, {'items': [member('101', '03')]}).status == 200
    assert client.members()[0]['handset_index'] == '3'


def test_members_post_keeps_ipui_case(client):
    assert client.post(MEMBERS_PATH, {'items': [member('101', '1', '0a0b0c0d0e')]}).status == 200
    assert client.members()[0]['ipui'] == '0a0b0c0d0e'


def test_members_post_fills_every_line(client):
    items = [member(str(101 + offset), str(1 + offset)) for offset in range(8)]
    assert client.post(MEMBERS_PATH, {'items': items}).status == 200
    assert len(client.members()) == 8


def test_members_post_unknown_phone_not_found(client):
    reply = client.post('/api/dect_phones/%s/members' % UNKNOWN_PHONE, {'items': []})
    assert reply.status == 404


def test_members_post_malformed_json_rejected(client):
    reply = client.post(MEMBERS_PATH, data=b'{"items": [', headers={'Content-Type': 'application/json'})
    assert reply.status == 400
    assert client.stored_members() == SEED['members'][WARD_A]


NINE_MEMBERS = [member(str(101 + offset), str(1 + offset % 8)) for offset in range(9)]

INVALID_MEMBER_BODIES = [
    ('array-body', [], 'body'),
    ('no-items', {}, 'items'),
    ('items-object', {'items': {}}, 'items'),
    ('item-string', {'items': ['101']}, 'items[0]'),
    ('number-missing', {'items': [{'handset_index': '1'}]}, 'items[0].extension_number'),
    ('number-int', {'items': [member(101, '1')]}, 'items[0].extension_number'),
    ('number-short', {'items': [member('12', '1')]}, 'items[0].extension_number'),
    ('number-letters', {'items': [member('10a', '1')]}, 'items[0].extension_number'),
    ('number-unknown', {'items': [member('999', '1')]}, 'items[0].extension_number'),
    ('ipui-int', {'items': [member('101', '1', 12345)]}, 'items[0].ipui'),
    ('ipui-null', {'items': [member('101', '1', None)]}, 'items[0].ipui'),
    ('ipui-short', {'items': [member('101', '1', '12345')]}, 'items[0].ipui'),
    ('ipui-not-hex', {'items': [member('101', '1', 'GGGGGGGGGG')]}, 'items[0].ipui'),
    ('index-missing', {'items': [{'extension_number': '101'}]}, 'items[0].handset_index'),
    ('index-int', {'items': [member('101', 1)]}, 'items[0].handset_index'),
    ('index-word', {'items': [member('101', 'one')]}, 'items[0].handset_index'),
    ('index-negative', {'items': [member('101', '-1')]}, 'items[0].handset_index'),
    ('index-zero', {'items': [member('101', '0')]}, 'items[0].handset_index'),
    ('index-above-lines', {'items': [member('101', '9')]}, 'items[0].handset_index'),
    ('duplicate-number', {'items': [member('101', '1'), member('101', '2')]}, 'items[1].extension_number'),
    ('duplicate-index', {'items': [member('101', '1'), member('102', '1')]}, 'items[1].handset_index'),
    ('too-many', {'items': NINE_MEMBERS}, 'items'),
]


@pytest.mark.parametrize('body, field', [case[1:] for case in INVALID_MEMBER_BODIES],
                         ids=[case[0] for case in INVALID_MEMBER_BODIES])
def test_members_post_invalid_rejected(client, body, field):
    reply = client.post(MEMBERS_PATH, body)
    assert reply.status == 400
    assert reply.json()['errors'][0]['code'] == 'VALIDATE_FAILED'
    assert reply.json()['errors'][0]['message'] == 'field validation failed'
    assert field in error_fields(reply)
    assert client.stored_members() == SEED['members'][WARD_A]


def test_members_post_error_names_value(client):
    reply = client.post(MEMBERS_PATH, {'items': [member('999', '1')]})
    detail = reply.json()['errors'][0]['detail']
    assert detail['value'] == '999'
    assert '999' in detail['reason']


def test_members_post_lists_every_error(client):
    reply = client.post(MEMBERS_PATH, {'items': [member('999', '1'), member('101', '42')]})
    assert error_fields(reply) == ['items[0].extension_number', 'items[1].handset_index']


# ---------------------------------------------------------------------------
# Routing


def test_unknown_api_path_not_found(client):
    reply = client.get('/api/no_such_resource')
    assert reply.status == 404
    assert reply.json()['errors'][0]['code'] == 'NOT_FOUND'


def test_unknown_api_path_needs_token(client):
    assert client.get('/api/no_such_resource', token=None).status == 401


def test_path_outside_api_not_found(client):
    assert client.get('/index.html', token=None).status == 404


def test_wrong_method_rejected(client):
    reply = client.request('DELETE', '/api/dect_phones')
    assert reply.status == 405
    assert reply.json()['errors'][0]['code'] == 'METHOD_NOT_ALLOWED'
    assert reply.headers['Allow'] == 'GET'


def test_get_sign_in_rejected(client):
    assert client.get('/api/auth/sign_in', token=None).status == 405


def test_post_member_path_rejected(client):
    assert client.post(MEMBERS_PATH + '/101', {}).status == 405


def test_percent_encoded_phone_id(client):
    assert client.get('/api/dect_phones/%s' % WARD_A.replace('N', '%4E')).status == 200


# ---------------------------------------------------------------------------
# Faults


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_fault_status_json_body(client, status):
    client.set_faults([{'status': status}])
    reply = client.get('/api/dect_phones')
    assert reply.status == status
    assert reply.headers['Content-Type'].startswith('application/json')
    assert reply.json()['errors'][0]['code'] == 'UNKNOWN'


def test_fault_status_html_body(client):
    client.set_faults([{'status': 502, 'body': 'html'}])
    reply = client.get('/api/dect_phones')
    assert reply.status == 502
    assert reply.headers['Content-Type'] == 'text/html'
    assert b'<h1>502 Bad Gateway</h1>' in reply.data


def test_fault_status_empty_body(client):
    client.set_faults([{'status': 503, 'body': 'empty'}])
    reply = client.get('/api/dect_phones')
    assert reply.status == 503
    assert reply.data == b''
    assert reply.headers['Content-Length'] == '0'


def test_fault_retry_after_number(client):
    client.set_faults([{'status': 429, 'retry_after': 2}])
    reply = client.get('/api/dect_phones')
    assert reply.status == 429
    assert reply.headers['Retry-After'] == '2'
    assert reply.json()['errors'][0]['code'] == 'TOO_MANY_REQUESTS'


def test_fault_retry_after_date(client):
    client.set_faults([{'status': 503, 'retry_after': 'Wed, 21 Oct 2037 07:28:00 GMT'}])
    reply = client.get('/api/dect_phones')
    assert reply.headers['Retry-After'] == 'Wed, 21 Oct 2037 07:28:00 GMT'


def test_fault_429_without_retry_after(client):
    client.set_faults([{'status': 429}])
    reply = client.get('/api/dect_phones')
    assert reply.status == 429
    assert 'Retry-After' not in reply.headers


def test_fault_custom_code(client):
    client.set_faults([{'status': 403, 'code': 'PERMISSION_DENIED', 'message': 'permission denied'}])
    error = client.get('/api/dect_phones').json()['errors'][0]
    assert error['code'] == 'PERMISSION_DENIED'
    assert error['message'] == 'permission denied'


def test_fault_default_once(client):
    client.set_faults([{'status': 503}])
    assert client.get('/api/dect_phones').status == 503
    assert client.get('/api/dect_phones').status == 200


def test_fault_times_limits_uses(client):
    client.set_faults([{'status': 503, 'times': 2}])
    statuses = [client.get('/api/dect_phones').status for dummy in range(3)]
    assert statuses == [503, 503, 200]


@pytest.mark.parametrize('times', [0, None])
def test_fault_times_unlimited(client, times):
    client.set_faults([{'status': 503, 'times': times}])
    statuses = [client.get('/api/dect_phones').status for dummy in range(5)]
    assert statuses == [503] * 5


def test_fault_method_filter(client):
    client.set_faults([{'method': 'post', 'status': 500}])
    assert client.get(MEMBERS_PATH).status == 200
    assert client.post(MEMBERS_PATH, {'items': []}).status == 500


def test_fault_path_regex(client):
    client.set_faults([{'path': '/api/dect_phones/[^/]+/members', 'status': 500, 'times': 0}])
    assert client.get('/api/dect_phones').status == 200
    assert client.get(MEMBERS_PATH + '/101').status == 200
    assert client.get(MEMBERS_PATH).status == 500


def test_fault_path_ignores_query(client):
    client.set_faults([{'path': '/api/dect_phones', 'status': 500}])
    assert client.get('/api/dect_phones?top=10').status == 500


def test_fault_skip_first_matches(client):
    client.set_faults([{'path': '/api/dect_phones/[^/]+/members', 'method': 'GET', 'skip': 1, 'status': 502}])
    statuses = [client.get(MEMBERS_PATH).status for dummy in range(3)]
    assert statuses == [200, 502, 200]


def test_fault_first_match_wins(client):
    client.set_faults([{'status': 502}, {'status': 504}])
    statuses = [client.get('/api/dect_phones').status for dummy in range(3)]
    assert statuses == [502, 504, 200]


def test_fault_applies_before_auth(client):
    client.set_faults([{'status': 503}])
    assert client.get('/api/dect_phones', token=None).status == 503


def test_fault_reset_closes_without_reply(client):
    client.set_faults([{'reset': True}])
    connection = client.connection()
    connection.request('GET', '/api/dect_phones', headers={'Authorization': 'Bearer ' + STATIC_TOKEN})
    with pytest.raises((ConnectionError, http.client.BadStatusLine, ssl.SSLError)):
        connection.getresponse()
    connection.close()
    assert client.get('/api/dect_phones').status == 200


def test_fault_reset_logged_without_status(client):
    client.set_faults([{'reset': True}])
    with pytest.raises((ConnectionError, http.client.BadStatusLine, ssl.SSLError, urllib.error.URLError)):
        client.get('/api/dect_phones')
    entry = client.request_log()['requests'][0]
    assert entry['status'] is None
    assert entry['fault'] == 'reset'


def test_fault_delay_slows_reply(client):
    client.set_faults([{'delay': 0.5}])
    started = time.monotonic()
    reply = client.get('/api/dect_phones')
    assert reply.status == 200
    assert time.monotonic() - started >= 0.5


def test_fault_delay_hits_client_timeout(client):
    client.set_faults([{'delay': 2}])
    connection = client.connection(timeout=0.3)
    connection.request('GET', '/api/dect_phones', headers={'Authorization': 'Bearer ' + STATIC_TOKEN})
    with pytest.raises(socket.timeout):
        connection.getresponse()
    connection.close()


def test_fault_delay_with_status(client):
    client.set_faults([{'delay': 0.2, 'status': 504}])
    assert client.get('/api/dect_phones').status == 504
    assert client.request_log()['requests'][0]['fault'] == 'delay+status'


@pytest.mark.parametrize('empty_body, status', [(True, 200), (200, 200), (204, 204)])
def test_fault_empty_body_stores_post(client, empty_body, status):
    client.set_faults([{'empty_body': empty_body}])
    reply = client.post(MEMBERS_PATH, {'items': [member('109', '6')]})
    assert reply.status == status
    assert reply.data == b''
    assert client.stored_members() == [member('109', '6')]


def test_fault_empty_body_on_get(client):
    client.set_faults([{'method': 'GET', 'empty_body': True}])
    reply = client.get(MEMBERS_PATH)
    assert reply.status == 200
    assert reply.data == b''


def test_fault_empty_body_keeps_errors(client):
    client.set_faults([{'empty_body': True}])
    assert client.post(MEMBERS_PATH, {'items': [member('999', '1')]}).status == 400


def test_fault_drop_write_not_stored(client):
    client.set_faults([{'drop_write': True}])
    reply = client.post(MEMBERS_PATH, {'items': [member('110', '7')]})
    assert reply.status == 200
    assert client.stored_members() == SEED['members'][WARD_A]


def test_fault_drop_write_ignores_get(client):
    client.set_faults([{'drop_write': True}])
    assert client.get(MEMBERS_PATH).status == 200
    assert client.request_log()['requests'][0].get('fault') is None
    client.post(MEMBERS_PATH, {'items': []})
    assert client.stored_members() == SEED['members'][WARD_A]


def test_fault_drop_write_keeps_session(client):
    credentials = {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'pbx.example.test'}
    token = client.post('/api/auth/sign_in', credentials, token=None).json()['access_token']
    client.set_faults([{'path': '/api/auth/sign_out', 'drop_write': True}])
    assert client.post('/api/auth/sign_out', token=token).status == 200
    assert client.get('/api/dect_phones', token=token).status == 200


def test_fault_recorded_in_request_log(client):
    client.set_faults([{'status': 503}])
    client.get('/api/dect_phones')
    client.get('/api/dect_phones')
    requests = client.request_log()['requests']
    assert requests[0]['fault'] == 'status'
    assert requests[0]['status'] == 503
    assert 'fault' not in requests[1]


def test_fault_counters_reported(client):
    client.set_faults([{'status': 503, 'times': 1}])
    client.get('/api/dect_phones')
    client.get('/api/dect_phones')
    fault = client.get('/_emulator/faults', token=None).json()['faults'][0]
    assert fault['matched'] == 2
    assert fault['applied'] == 1


def test_faults_cleared_by_empty_list(client):
    client.set_faults([{'status': 503, 'times': 0}])
    client.set_faults([])
    assert client.get('/api/dect_phones').status == 200


@pytest.mark.parametrize('fault', [
    {'status': 503, 'colour': 'red'},
    {'status': 503, 'reset': True},
    {'path': '[unclosed', 'status': 500},
    {'status': 99},
    {'status': '503'},
    {'status': 503, 'body': 'xml'},
    {'method': 'GET'},
    {'reset': 'yes'},
    {'empty_body': 201},
    {'delay': -1},
    {'status': 500, 'times': -1},
    {'reset': True, 'retry_after': 5},
    'status',
], ids=['unknown-key', 'two-actions', 'bad-regex', 'low-status', 'string-status', 'bad-body', 'no-action',
        'reset-string', 'empty-201', 'negative-delay', 'negative-times', 'retry-after-on-reset', 'not-object'])
def test_faults_invalid_spec_rejected(client, fault):
    reply = client.post('/_emulator/faults', {'faults': [fault]}, token=None)
    assert reply.status == 400
    assert error_fields(reply) == ['faults[0]']


def test_faults_body_needs_list(client):
    assert client.post('/_emulator/faults', {'fault': []}, token=None).status == 400


# ---------------------------------------------------------------------------
# Quirks


def test_quirk_defaults(client):
    assert client.get('/_emulator/quirks', token=None).json() == {
        'null_blanks': True, 'numeric_handset_index': False, 'lowercase_ipui': False, 'shuffle': False,
        'extra_fields': False}


def test_quirk_null_blanks_off(client):
    client.set_quirks(null_blanks=False)
    assert client.members()[1]['ipui'] == ''
    assert client.get('/api/dect_phones/%s' % WARD_A).json()['region'] == ''


def test_quirk_numeric_handset_index(client):
    client.set_quirks(numeric_handset_index=True)
    assert [item['handset_index'] for item in client.members()] == [1, 2, 4]
    assert client.get(MEMBERS_PATH + '/1001').json()['handset_index'] == 4


def test_quirk_lowercase_ipui(client):
    client.set_quirks(lowercase_ipui=True)
    assert client.members()[0]['ipui'] == '02a3b4c5d6'
    assert client.members()[1]['ipui'] is None


def test_quirk_shuffle_changes_order(client):
    client.set_quirks(shuffle=True)
    for dummy in range(5):
        numbers = [item['extension_number'] for item in client.members()]
        assert numbers != ['101', '102', '1001']
        assert sorted(numbers) == ['1001', '101', '102']


def test_quirk_shuffle_phone_list(client):
    client.set_quirks(shuffle=True)
    names = [item['name'] for item in client.get('/api/dect_phones').json()['items']]
    assert names != [phone['name'] for phone in SEED['dect_phones']]


def test_quirk_extra_fields(client):
    client.set_quirks(extra_fields=True)
    body = client.get(MEMBERS_PATH).json()
    assert 'x_emulator_note' in body
    assert 'x_emulator_object' in body
    assert all('x_emulator_note' in item for item in body['items'])
    assert 'x_emulator_note' in client.get('/api/extension_numbers/101').json()


def test_quirks_merge_with_current(client):
    client.set_quirks(shuffle=True)
    quirks = client.set_quirks(lowercase_ipui=True)
    assert quirks['shuffle'] is True
    assert quirks['lowercase_ipui'] is True


@pytest.mark.parametrize('quirks', [{'colour': True}, {'shuffle': 'yes'}, []], ids=['unknown', 'string', 'array'])
def test_quirks_invalid_rejected(client, quirks):
    assert client.post('/_emulator/quirks', quirks, token=None).status == 400


def test_quirks_do_not_change_storage(client):
    client.set_quirks(lowercase_ipui=True, numeric_handset_index=True)
    assert client.stored_members() == SEED['members'][WARD_A]


# ---------------------------------------------------------------------------
# Request log and connection counters


def test_request_log_records_api_requests(client):
    client.get('/api/dect_phones')
    client.post(MEMBERS_PATH, {'items': []})
    client.get('/api/extension_numbers/999')
    requests = client.request_log()['requests']
    assert [(entry['method'], entry['path'], entry['status']) for entry in requests] == [
        ('GET', '/api/dect_phones', 200),
        ('POST', MEMBERS_PATH, 200),
        ('GET', '/api/extension_numbers/999', 404),
    ]


def test_request_log_skips_control_requests(client):
    client.state()
    client.set_faults([])
    assert client.request_log()['requests'] == []


def test_request_log_strips_query(client):
    client.get('/api/dect_phones?top=5')
    assert client.request_log()['requests'][0]['path'] == '/api/dect_phones'


def test_keep_alive_reuses_connection(client):
    connection = client.connection()
    headers = {'Authorization': 'Bearer ' + STATIC_TOKEN}
    for dummy in range(3):
        connection.request('GET', '/api/dect_phones', headers=headers)
        reply = connection.getresponse()
        reply.read()
        assert reply.status == 200
    connection.close()
    log = client.request_log()
    assert log['api_connections'] == 1
    assert len({entry['connection'] for entry in log['requests']}) == 1
    # The connection of the GET /_emulator/requests request itself is counted too.
    assert log['connections'] == 2
    assert log['tls_handshakes'] == 2


def test_keep_alive_after_error_reply(client):
    connection = client.connection()
    connection.request('GET', '/api/dect_phones')
    first = connection.getresponse()
    first.read()
    connection.request('GET', '/api/dect_phones', headers={'Authorization': 'Bearer ' + STATIC_TOKEN})
    second = connection.getresponse()
    second.read()
    connection.close()
    assert first.status == 401
    assert second.status == 200
    assert client.request_log()['api_connections'] == 1


def test_new_connection_per_request_counted(client):
    client.get('/api/dect_phones')
    client.get('/api/dect_phones')
    log = client.request_log()
    assert log['api_connections'] == 2
    assert log['connections'] == 3


def test_failed_handshake_not_counted(client):
    with pytest.raises(urllib.error.URLError):
        open_https(client.url + '/api/dect_phones', ssl.create_default_context(), timeout=10)
    log = client.request_log()
    assert log['connections'] == 2
    assert log['tls_handshakes'] == 1


# ---------------------------------------------------------------------------
# Reset and state


def test_reset_restores_members(client):
    client.post(MEMBERS_PATH, {'items': []})
    client.reset()
    assert client.stored_members() == SEED['members'][WARD_A]


def test_reset_clears_faults_and_quirks(client):
    client.set_faults([{'status': 503, 'times': 0}])
    client.set_quirks(numeric_handset_index=True)
    client.reset()
    assert client.get('/_emulator/faults', token=None).json() == {'faults': []}
    assert client.members()[0]['handset_index'] == '1'


def test_reset_clears_log_and_counters(client):
    client.get('/api/dect_phones')
    client.reset()
    log = client.request_log()
    assert log['requests'] == []
    assert log['connections'] == 1
    assert log['api_connections'] == 0


def test_reset_revokes_sessions(client):
    credentials = {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'pbx.example.test'}
    token = client.post('/api/auth/sign_in', credentials, token=None).json()['access_token']
    client.reset()
    assert client.get('/api/dect_phones', token=token).status == 401
    assert client.state()['sessions'] == {'active': 0, 'signed_in': 0, 'signed_out': 0}


def test_state_shape(client):
    state = client.state()
    assert len(state['dect_phones']) == 4
    assert len(state['extensions']) == 20
    assert state['members'][WARD_B] == []
    assert state['quirks']['null_blanks'] is True


def test_control_unknown_path(client):
    assert client.get('/_emulator/nothing', token=None).status == 404


def test_control_wrong_method(client):
    assert client.get('/_emulator/reset', token=None).status == 405


# ---------------------------------------------------------------------------
# Command line: seeds, daemon mode and stop


def test_custom_seed_replaces_default(tmp_path):
    seed = {
        'dect_phone_models': [{'model': 'W52P', 'vendor': 'Yealink', 'lines': 5}],
        'extensions': [{'extension_number': '201', 'name': 'Lab phone'},
                       {'extension_number': '600', 'name': 'Lab ring group', 'type': 'RING_GROUP'}],
        'dect_phones': [{'name': 'Lab base', 'mac': '80-5e-c0-00-00-01', 'model': 'W52P'}],
    }
    seed_path = tmp_path / 'seed.json'
    seed_path.write_text(json.dumps(seed), encoding='utf-8')
    with running_emulator(tmp_path / 'state', '--seed', str(seed_path)) as info:
        client = Client(info)
        phones = client.get('/api/dect_phones').json()['items']
        members_path = '/api/dect_phones/%s/members' % phones[0]['id']
        assert [phone['name'] for phone in phones] == ['Lab base']
        assert phones[0]['mac'] == '80:5E:C0:00:00:01'
        assert phones[0]['lines'] == 5
        assert phones[0]['template'] == 'yealink_w52p.xml'
        assert client.members(phones[0]['id']) == []
        assert client.post(members_path, {'items': [member('201', '5')]}).status == 200
        assert client.post(members_path, {'items': [member('600', '1')]}).status == 400


def test_saved_state_loads_as_seed(client, tmp_path):
    client.post(MEMBERS_PATH, {'items': [member('111', '8', '0ABCDEF012')]})
    seed_path = tmp_path / 'saved.json'
    seed_path.write_text(json.dumps(client.state()), encoding='utf-8')
    with running_emulator(tmp_path / 'state', '--seed', str(seed_path)) as info:
        assert Client(info).stored_members() == [member('111', '8', '0ABCDEF012')]


@pytest.mark.parametrize('seed, message', [
    ({'dect_phones': [{'name': 'Bad', 'mac': 'nope', 'lines': 4}]}, 'mac'),
    ({'extensions': [{'extension_number': '1'}]}, 'extension_number'),
    ({'dect_phones': [{'id': 'QQ', 'name': 'A', 'mac': '00:04:13:00:00:01', 'lines': 1}],
      'members': {'QQ': [{'extension_number': '101', 'handset_index': '1'}]}}, 'does not exist'),
    ({'phones': []}, 'unknown top-level key'),
], ids=['mac', 'extension', 'member', 'key'])
def test_invalid_seed_exits_with_message(tmp_path, seed, message):
    seed_path = tmp_path / 'seed.json'
    seed_path.write_text(json.dumps(seed), encoding='utf-8')
    result = run_cli('--state-dir', str(tmp_path / 'state'), '--seed', str(seed_path))
    assert result.returncode == 2
    assert message in result.stderr


def test_daemon_start_and_stop(tmp_path):
    state_dir = str(tmp_path / 'state')
    started = run_cli('--state-dir', state_dir, '--daemon')
    assert started.returncode == 0, started.stderr
    with open(os.path.join(state_dir, 'emulator.json'), encoding='utf-8') as state_file:
        info = json.load(state_file)
    try:
        assert info['url'] in started.stdout
        assert Client(info).get('/api/dect_phones').status == 200
    finally:
        stopped = run_cli('stop', '--state-dir', state_dir)
    assert stopped.returncode == 0, stopped.stderr
    assert not process_running(info['pid'])
    assert not os.path.exists(os.path.join(state_dir, 'emulator.json'))


def test_daemon_custom_credentials(tmp_path):
    state_dir = str(tmp_path / 'state')
    started = run_cli('--state-dir', state_dir, '--daemon', '--token', 'lab-token', '--username', 'lab',
                      '--password', 'lab-secret', '--domain', 'lab.example.test')
    assert started.returncode == 0, started.stderr
    with open(os.path.join(state_dir, 'emulator.json'), encoding='utf-8') as state_file:
        info = json.load(state_file)
    try:
        client = Client(info)
        sign_in = client.post('/api/auth/sign_in', {'username': 'lab', 'password': 'lab-secret',
                                                    'domain': 'lab.example.test'}, token=None)
        assert info['token'] == 'lab-token'
        assert client.get('/api/dect_phones', token='lab-token').status == 200
        assert client.get('/api/dect_phones', token=STATIC_TOKEN).status == 401
        assert sign_in.status == 200
    finally:
        stopped = run_cli('--stop', '--state-dir', state_dir)
    assert stopped.returncode == 0, stopped.stderr


def test_daemon_fixed_port(tmp_path):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    state_dir = str(tmp_path / 'state')
    started = run_cli('--state-dir', state_dir, '--daemon', '--port', str(port))
    try:
        assert started.returncode == 0, started.stderr
        assert 'https://127.0.0.1:%d' % port in started.stdout
    finally:
        run_cli('stop', '--state-dir', state_dir)


def test_stop_without_emulator_fails(tmp_path):
    result = run_cli('stop', '--state-dir', str(tmp_path))
    assert result.returncode == 1
    assert 'emulator.json' in result.stderr


def test_second_start_same_dir_rejected(emulator):
    state_dir = os.path.dirname(emulator['ca_path'])
    result = run_cli('--state-dir', state_dir, '--daemon')
    assert result.returncode == 1
    assert 'already uses' in result.stderr


def test_log_omits_secrets(client):
    credentials = {'username': 'tenant_admin', 'password': 'emulator-password', 'domain': 'pbx.example.test'}
    token = client.post('/api/auth/sign_in', credentials, token=None).json()['access_token']
    client.get('/api/dect_phones', token=token)
    client.post('/api/auth/sign_out', token=token)
    with open(client.info['log_path'], encoding='utf-8') as log_file:
        log = log_file.read()
    assert 'GET /api/dect_phones 200' in log
    assert token not in log
    assert STATIC_TOKEN not in log
    assert 'emulator-password' not in log

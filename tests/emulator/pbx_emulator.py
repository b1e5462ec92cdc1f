"""Offline emulator of the PortSIP PBX 22.0 REST API subset that portsip.pbx uses.

The emulator serves HTTPS on 127.0.0.1 only, with a throwaway CA that it creates at
start. It covers sign-in and sign-out, DECT phones, DECT phone models, DECT phone
members and extension look-ups, and it adds a control API under /_emulator for
tests: reset, state, request log, fault injection and reply quirks.

Needs Python 3.9+ and the cryptography package. See README.md next to this file.
"""

import argparse
import base64
import copy
import datetime
import errno
import hashlib
import http.server
import ipaddress
import json
import logging
import os
import random
import re
import secrets
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from urllib.parse import unquote, urlsplit

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError as import_error:  # pragma: no cover - depends on the host
    sys.exit('pbx_emulator.py needs the cryptography package (pip install cryptography): %s' % import_error)


LOG = logging.getLogger('pbx_emulator')

LISTEN_HOST = '127.0.0.1'
DEFAULT_TOKEN = 'emulator-static-token'
DEFAULT_USERNAME = 'tenant_admin'
DEFAULT_PASSWORD = 'emulator-password'
DEFAULT_DOMAIN = 'pbx.example.test'
DEFAULT_SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'seed.json')

STATE_FILE_NAME = 'emulator.json'
LOG_FILE_NAME = 'emulator.log'
CA_FILE_NAME = 'ca.pem'
SERVER_CERT_FILE_NAME = 'server.pem'
SERVER_KEY_FILE_NAME = 'server-key.pem'

TOKEN_LIFETIME_SECONDS = 3600
CERTIFICATE_LIFETIME_DAYS = 365
# Idle keep-alive connections and stalled TLS handshakes are closed after this many seconds.
CONNECTION_TIMEOUT_SECONDS = 60
MAX_BODY_BYTES = 1024 * 1024
MAX_LOGGED_REQUESTS = 100000
DAEMON_START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10

EXTENSION_NUMBER_PATTERN = re.compile(r'[0-9]{3,64}')
IPUI_PATTERN = re.compile(r'[0-9A-Fa-f]{10}')
DECIMAL_PATTERN = re.compile(r'[0-9]+')
MAC_DIGITS_PATTERN = re.compile(r'[0-9A-Fa-f]{12}')

DEFAULT_QUIRKS = {
    'null_blanks': True,
    'numeric_handset_index': False,
    'lowercase_ipui': False,
    'shuffle': False,
    'extra_fields': False,
}

# Fields of the DECT phone list ("summary representation"). GET /api/dect_phones/{id}
# returns every stored field.
PHONE_SUMMARY_FIELDS = (
    'id', 'name', 'mac', 'template', 'vendor', 'model', 'lines', 'timezone', 'region',
    'language', 'interface', 'preferred_transport', 'url',
)

# Optional DECT phone fields and the values a seed phone gets when it omits them.
PHONE_FIELD_DEFAULTS = {
    'password': '',
    'user_password': '',
    'engineer_password': '',
    'timezone': 'UTC',
    'region': '',
    'language': 'ENGLISH',
    'handset_language': 'ENGLISH',
    'tone': 'United States',
    'rps': False,
    'https': True,
    'codecs': ['G722', 'PCMA', 'PCMU'],
    'interface': 'PRIVATE_IPV4',
    'preferred_transport': 'UDP',
    'url': '',
}

# Error codes by HTTP status. VALIDATE_FAILED and UNKNOWN come from the PortSIP 22.0 API
# document, and the other codes are this emulator's choice.
ERROR_CODES = {
    400: 'VALIDATE_FAILED',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    413: 'VALIDATE_FAILED',
    429: 'TOO_MANY_REQUESTS',
}
ERROR_MESSAGES = {
    'VALIDATE_FAILED': 'field validation failed',
    'UNAUTHORIZED': 'unauthorized',
    'FORBIDDEN': 'forbidden',
    'NOT_FOUND': 'not found',
    'METHOD_NOT_ALLOWED': 'method not allowed',
    'TOO_MANY_REQUESTS': 'too many requests',
    'UNKNOWN': 'unknown error',
}

HTML_ERROR_PAGE = (
    '<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n'
    '<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n'
    '</body>\r\n</html>\r\n'
)

EXTRA_FIELDS = {
    'x_emulator_note': 'unknown field added by the extra_fields quirk',
    'x_emulator_object': {'enabled': True, 'count': 1},
}


# ---------------------------------------------------------------------------
# Errors and replies


class SeedError(Exception):
    """Invalid seed file. The message lists every problem found."""


class ApiError(Exception):
    """HTTP error reply with the PortSIP error body."""

    def __init__(self, status, details=None, code=None, headers=None):
        super().__init__('HTTP %d' % status)
        self.status = status
        if details is None:
            details = [None]
        elif not isinstance(details, list):
            details = [details]
        self.details = details
        self.code = code
        self.headers = headers or {}

    def to_reply(self):
        return Reply(self.status, error_body(self.status, self.details, self.code), self.headers)


class Reply:
    """HTTP reply: a JSON body (None for an empty body) or raw bytes with a content type."""

    def __init__(self, status, body=None, headers=None, raw=None, content_type=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.raw = raw
        self.content_type = content_type


def error_body(status, details=None, code=None, message=None):
    """Build {"errors": [...]} with one entry per detail, like the PortSIP API."""
    code = code or ERROR_CODES.get(status, 'UNKNOWN')
    message = message or ERROR_MESSAGES.get(code, ERROR_MESSAGES['UNKNOWN'])
    if not details:
        details = [None]
    return {'errors': [{'code': code, 'message': message, 'detail': detail} for detail in details]}


def field_error(field, value, reason):
    return {'field': field, 'value': value, 'reason': reason}


def validation_error(details):
    return ApiError(400, details, code='VALIDATE_FAILED')


def not_found_error(detail=None):
    return ApiError(404, detail, code='NOT_FOUND')


# ---------------------------------------------------------------------------
# Seed loading


def make_resource_id(text):
    """Derive a stable opaque id in the style of the PortSIP docs (base64 of 18 digits)."""
    digest = int(hashlib.sha256(text.encode('utf-8')).hexdigest()[:16], 16)
    number = 100000000000000000 + digest % 900000000000000000
    return base64.b64encode(str(number).encode('ascii')).decode('ascii')


def normalize_mac(value):
    """Return the MAC in uppercase colon form, or None when it is not 12 hex digits."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r'[-:.\s]', '', value)
    if not MAC_DIGITS_PATTERN.fullmatch(digits):
        return None
    digits = digits.upper()
    return ':'.join(digits[i:i + 2] for i in range(0, 12, 2))


def load_seed(path):
    """Read and validate a seed file, or raise SeedError naming the file and each problem."""
    try:
        with open(path, encoding='utf-8') as seed_file:
            data = json.load(seed_file)
    except OSError as exc:
        raise SeedError('cannot read seed file %s: %s' % (path, exc))
    except ValueError as exc:
        raise SeedError('seed file %s is not valid JSON: %s' % (path, exc))
    problems = []
    seed = normalize_seed(data, problems)
    if problems:
        raise SeedError('invalid seed file %s:\n  %s' % (path, '\n  '.join(problems)))
    return seed


def normalize_seed(data, problems):
    """Check a seed document and fill in defaults, appending each problem to `problems`."""
    if not isinstance(data, dict):
        problems.append('the top level must be a JSON object')
        return None
    # sessions and quirks appear in GET /_emulator/state output, so a saved state loads as a seed.
    known_keys = {'dect_phone_models', 'dect_phones', 'members', 'extensions',
                  'two_factor_accounts', 'sessions', 'quirks'}
    for key in sorted(set(data) - known_keys):
        problems.append('unknown top-level key %r (expected %s)' % (key, ', '.join(sorted(known_keys))))

    models = _normalize_seed_models(data.get('dect_phone_models', []), problems)
    extensions = _normalize_seed_extensions(data.get('extensions', []), problems)
    phones = _normalize_seed_phones(data.get('dect_phones', []), models, problems)
    accounts = _normalize_seed_accounts(data.get('two_factor_accounts', []), problems)
    members = _normalize_seed_members(data.get('members', {}), phones, extensions, problems)
    return {
        'dect_phone_models': models,
        'dect_phones': phones,
        'members': members,
        'extensions': extensions,
        'two_factor_accounts': accounts,
    }


def _normalize_seed_models(models, problems):
    if not isinstance(models, list):
        problems.append('dect_phone_models must be a list')
        return []
    result = []
    for position, model in enumerate(models):
        where = 'dect_phone_models[%d]' % position
        if not isinstance(model, dict):
            problems.append('%s must be an object' % where)
            continue
        if not isinstance(model.get('model'), str) or not model['model']:
            problems.append('%s.model must be a non-empty string' % where)
            continue
        lines = model.get('lines')
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
            problems.append('%s.lines must be a positive integer, got %r' % (where, lines))
            continue
        entry = dict(model)
        entry.setdefault('vendor', '')
        entry.setdefault('display_name', ('%s %s' % (entry['vendor'], entry['model'])).strip())
        entry.setdefault('filename', re.sub(r'[^a-z0-9]+', '_', entry['display_name'].lower()) + '.xml')
        result.append(entry)
    return result


def _normalize_seed_extensions(extensions, problems):
    if not isinstance(extensions, list):
        problems.append('extensions must be a list')
        return []
    result = []
    seen = set()
    for position, extension in enumerate(extensions):
        where = 'extensions[%d]' % position
        if not isinstance(extension, dict):
            problems.append('%s must be an object' % where)
            continue
        number = extension.get('extension_number')
        if not isinstance(number, str) or not EXTENSION_NUMBER_PATTERN.fullmatch(number):
            problems.append('%s.extension_number must be a string of 3 to 64 digits, got %r' % (where, number))
            continue
        if number in seen:
            problems.append('%s.extension_number %s is a duplicate' % (where, number))
            continue
        seen.add(number)
        entry = dict(extension)
        entry.setdefault('id', make_resource_id('extension:' + number))
        entry.setdefault('name', '')
        entry.setdefault('type', 'EXTENSION')
        result.append(entry)
    return result


def _normalize_seed_phones(phones, models, problems):
    if not isinstance(phones, list):
        problems.append('dect_phones must be a list')
        return []
    models_by_name = {model['model']: model for model in models}
    result = []
    seen_ids = set()
    for position, phone in enumerate(phones):
        where = 'dect_phones[%d]' % position
        if not isinstance(phone, dict):
            problems.append('%s must be an object' % where)
            continue
        name = phone.get('name')
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            problems.append('%s.name must be a string of 1 to 64 characters, got %r' % (where, name))
            continue
        mac = normalize_mac(phone.get('mac'))
        if mac is None:
            problems.append('%s.mac must be a MAC address such as 80:5E:C0:11:22:33, got %r'
                            % (where, phone.get('mac')))
            continue
        model = models_by_name.get(phone.get('model'))
        lines = phone.get('lines', model['lines'] if model else None)
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 1:
            problems.append('%s.lines must be a positive integer, or model must name an entry of '
                            'dect_phone_models, but got lines %r and model %r' % (where, lines, phone.get('model')))
            continue
        entry = dict(PHONE_FIELD_DEFAULTS)
        entry.update(phone)
        entry['mac'] = mac
        entry['lines'] = lines
        entry.setdefault('id', make_resource_id('dect_phone:' + mac))
        entry.setdefault('model', '')
        entry.setdefault('vendor', model['vendor'] if model else '')
        entry.setdefault('template', model['filename'] if model else '')
        if entry['id'] in seen_ids:
            problems.append('%s.id %s is a duplicate' % (where, entry['id']))
            continue
        seen_ids.add(entry['id'])
        result.append(entry)
    return result


def _normalize_seed_accounts(accounts, problems):
    if not isinstance(accounts, list):
        problems.append('two_factor_accounts must be a list')
        return []
    result = []
    for position, account in enumerate(accounts):
        where = 'two_factor_accounts[%d]' % position
        if not isinstance(account, dict):
            problems.append('%s must be an object' % where)
            continue
        if not isinstance(account.get('username'), str) or not isinstance(account.get('password'), str):
            problems.append('%s needs string username and password' % where)
            continue
        domain = account.get('domain')
        if domain is not None and not isinstance(domain, str):
            problems.append('%s.domain must be a string or null (null means the --domain value)' % where)
            continue
        result.append({'username': account['username'], 'password': account['password'], 'domain': domain})
    return result


def _blank_null_ipui(item):
    """Replace a null IPUI with "", because a seed may write a blank IPUI as GET /members returns it."""
    if isinstance(item, dict) and 'ipui' in item and item['ipui'] is None:
        return dict(item, ipui='')
    return item


def _normalize_seed_members(members, phones, extensions, problems):
    if not isinstance(members, dict):
        problems.append('members must be an object that maps DECT phone ids to member lists')
        return {}
    phones_by_id = {phone['id']: phone for phone in phones}
    extensions_by_number = {extension['extension_number']: extension for extension in extensions}
    result = {phone['id']: [] for phone in phones}
    for phone_id, items in members.items():
        phone = phones_by_id.get(phone_id)
        if phone is None:
            problems.append('members has a list for unknown DECT phone id %r' % phone_id)
            continue
        if isinstance(items, list):
            items = [_blank_null_ipui(item) for item in items]
        stored, errors = validate_member_list({'items': items}, phone['lines'], extensions_by_number)
        for error in errors:
            problems.append('members[%s] (%s): %s' % (phone_id, phone['name'], error['reason']))
        if not errors:
            result[phone_id] = stored
    return result


# ---------------------------------------------------------------------------
# Member validation (the rules POST /api/dect_phones/{id}/members enforces)


def validate_member_list(body, lines, extensions_by_number):
    """Validate a member list request body against a phone with `lines` handsets.

    Returns (stored_members, errors). Each stored member is
    {extension_number, ipui, handset_index} with handset_index as a decimal string
    without leading zeros and a blank ipui as "". Each error is a field_error() dict.
    The read-only fields id and display_name, and unknown fields, are ignored.
    """
    if not isinstance(body, dict):
        return [], [field_error('body', body, 'the request body must be a JSON object with an items array')]
    items = body.get('items')
    if not isinstance(items, list):
        return [], [field_error('items', items, 'items is required and must be an array of members')]

    errors = []
    if len(items) > lines:
        errors.append(field_error('items', len(items), '%d members exceed the %d lines (handsets) of the DECT phone'
                                  % (len(items), lines)))
    stored = []
    first_position_by_number = {}
    first_position_by_index = {}
    for position, item in enumerate(items):
        where = 'items[%d]' % position
        if not isinstance(item, dict):
            errors.append(field_error(where, item, 'each member must be a JSON object'))
            continue
        number = _validate_member_extension(item, where, extensions_by_number, errors)
        ipui = _validate_member_ipui(item, where, errors)
        index = _validate_member_handset_index(item, where, lines, errors)

        if number is not None:
            if number in first_position_by_number:
                errors.append(field_error(where + '.extension_number', number,
                                          'extension %s is already listed at items[%d]'
                                          % (number, first_position_by_number[number])))
            else:
                first_position_by_number[number] = position
        if index is not None:
            if index in first_position_by_index:
                errors.append(field_error(where + '.handset_index', item['handset_index'],
                                          'handset index %d is already used by items[%d]'
                                          % (index, first_position_by_index[index])))
            else:
                first_position_by_index[index] = position
        if number is not None and ipui is not None and index is not None:
            stored.append({'extension_number': number, 'ipui': ipui, 'handset_index': str(index)})
    return stored, errors


def _validate_member_extension(item, where, extensions_by_number, errors):
    field = where + '.extension_number'
    if 'extension_number' not in item:
        errors.append(field_error(field, None, 'extension_number is required'))
        return None
    number = item['extension_number']
    if not isinstance(number, str):
        errors.append(field_error(field, number, 'extension_number must be a string'))
        return None
    if not EXTENSION_NUMBER_PATTERN.fullmatch(number):
        errors.append(field_error(field, number, 'extension_number must be 3 to 64 digits'))
        return None
    extension = extensions_by_number.get(number)
    if extension is None:
        errors.append(field_error(field, number, 'extension %s does not exist on the PBX' % number))
        return None
    if extension.get('type', 'EXTENSION') != 'EXTENSION':
        errors.append(field_error(field, number, 'extension number %s is a %s, not a user extension'
                                  % (number, extension['type'])))
        return None
    return number


def _validate_member_ipui(item, where, errors):
    """Return the IPUI ("" when absent or blank), or None after recording an error."""
    field = where + '.ipui'
    if 'ipui' not in item:
        return ''
    ipui = item['ipui']
    if not isinstance(ipui, str):
        errors.append(field_error(field, ipui, 'ipui must be a string (use "" for no IPUI)'))
        return None
    if ipui and not IPUI_PATTERN.fullmatch(ipui):
        errors.append(field_error(field, ipui, 'ipui must be empty or 10 hexadecimal digits'))
        return None
    return ipui


def _validate_member_handset_index(item, where, lines, errors):
    """Return the handset index as an int, or None after recording an error."""
    field = where + '.handset_index'
    if 'handset_index' not in item:
        errors.append(field_error(field, None, 'handset_index is required'))
        return None
    value = item['handset_index']
    if not isinstance(value, str):
        errors.append(field_error(field, value, 'handset_index must be a string such as "1"'))
        return None
    if not DECIMAL_PATTERN.fullmatch(value):
        errors.append(field_error(field, value, 'handset_index must be a decimal integer'))
        return None
    index = int(value)
    if not 1 <= index <= lines:
        errors.append(field_error(field, value, 'handset_index must be between 1 and %d (the lines of the DECT phone)'
                                  % lines))
        return None
    return index


# ---------------------------------------------------------------------------
# Faults


class Fault:
    """One entry of the fault list set through POST /_emulator/faults."""

    ACTIONS = ('status', 'reset', 'empty_body', 'drop_write')
    KEYS = {'method', 'path', 'times', 'skip', 'delay', 'status', 'body', 'retry_after', 'code', 'message',
            'reset', 'empty_body', 'drop_write'}
    BODY_KINDS = ('json', 'html', 'empty')

    def __init__(self, spec):
        """Parse a fault spec, or raise ValueError with a message naming the invalid key."""
        if not isinstance(spec, dict):
            raise ValueError('each fault must be a JSON object, got %r' % (spec,))
        unknown = sorted(set(spec) - self.KEYS)
        if unknown:
            raise ValueError('unknown fault keys %s (allowed: %s)' % (', '.join(unknown), ', '.join(sorted(self.KEYS))))

        self.method = self._parse_method(spec.get('method'))
        self.path = spec.get('path')
        self.path_pattern = self._parse_path(self.path)
        self.times = self._parse_times(spec)
        self.skip = self._parse_count(spec.get('skip', 0), 'skip')
        self.delay = self._parse_delay(spec.get('delay'))

        actions = [name for name in self.ACTIONS if spec.get(name) is not None and spec.get(name) is not False]
        if len(actions) > 1:
            raise ValueError('a fault takes one action, got %s' % ', '.join(actions))
        if not actions and self.delay is None:
            raise ValueError('a fault needs one action: status, reset, empty_body, drop_write or delay')
        self.action = actions[0] if actions else None

        status_only = [key for key in ('body', 'retry_after', 'code', 'message') if key in spec]
        if status_only and self.action != 'status':
            raise ValueError('%s only apply to a status fault' % ', '.join(status_only))

        self.status = None
        self.body = None
        self.retry_after = None
        self.code = spec.get('code')
        self.message = spec.get('message')
        self.empty_status = None
        if self.action == 'status':
            self._parse_status(spec)
        elif self.action == 'empty_body':
            self.empty_status = self._parse_empty_body(spec['empty_body'])
        elif spec.get(self.action) is not True and self.action is not None:
            raise ValueError('%s must be true, got %r' % (self.action, spec[self.action]))

        self.matched = 0
        self.applied = 0

    @staticmethod
    def _parse_method(method):
        if method is None:
            return None
        if not isinstance(method, str) or not method.isalpha():
            raise ValueError('method must be an HTTP method such as "POST", got %r' % (method,))
        return method.upper()

    @staticmethod
    def _parse_path(path):
        if path is None:
            return None
        if not isinstance(path, str):
            raise ValueError('path must be a regular expression string, got %r' % (path,))
        try:
            return re.compile(path)
        except re.error as exc:
            raise ValueError('path %r is not a valid regular expression: %s' % (path, exc))

    @classmethod
    def _parse_times(cls, spec):
        if 'times' not in spec:
            return 1
        times = spec['times']
        if times is None or times == 0:
            return None
        return cls._parse_count(times, 'times')

    @staticmethod
    def _parse_count(value, name):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError('%s must be a non-negative integer, got %r' % (name, value))
        return value

    @staticmethod
    def _parse_delay(delay):
        if delay is None:
            return None
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
            raise ValueError('delay must be a non-negative number of seconds, got %r' % (delay,))
        return float(delay)

    def _parse_status(self, spec):
        status = spec['status']
        if not isinstance(status, int) or isinstance(status, bool) or not 200 <= status <= 599:
            raise ValueError('status must be an HTTP status code from 200 to 599, got %r' % (status,))
        self.status = status
        self.body = spec.get('body', 'json')
        if self.body not in self.BODY_KINDS:
            raise ValueError('body must be one of %s, got %r' % (', '.join(self.BODY_KINDS), self.body))
        retry_after = spec.get('retry_after')
        if retry_after is not None:
            if isinstance(retry_after, bool) or not isinstance(retry_after, (str, int, float)):
                raise ValueError('retry_after must be a string or a number, got %r' % (retry_after,))
            self.retry_after = str(retry_after)
        for key in ('code', 'message'):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise ValueError('%s must be a string, got %r' % (key, spec[key]))

    @staticmethod
    def _parse_empty_body(value):
        if value is True:
            return 200
        if value in (200, 204) and not isinstance(value, bool):
            return value
        raise ValueError('empty_body must be true, 200 or 204, got %r' % (value,))

    def matches(self, method, path):
        if self.method is not None and self.method != method:
            return False
        # drop_write only makes sense for a write, so without a method it matches POST only.
        if self.method is None and self.action == 'drop_write' and method != 'POST':
            return False
        if self.path_pattern is not None and not self.path_pattern.fullmatch(path):
            return False
        return True

    @property
    def label(self):
        """Name of the fault for the request log, such as "status" or "delay+reset"."""
        names = []
        if self.delay is not None:
            names.append('delay')
        if self.action is not None:
            names.append(self.action)
        return '+'.join(names)

    def to_json(self):
        result = {
            'method': self.method,
            'path': self.path,
            'times': self.times,
            'skip': self.skip,
            'matched': self.matched,
            'applied': self.applied,
        }
        if self.delay is not None:
            result['delay'] = self.delay
        if self.action == 'status':
            result.update(status=self.status, body=self.body, retry_after=self.retry_after,
                          code=self.code, message=self.message)
        elif self.action == 'empty_body':
            result['empty_body'] = self.empty_status
        elif self.action is not None:
            result[self.action] = True
        return result


# ---------------------------------------------------------------------------
# State


class EmulatorState:
    """PBX data, sessions, faults, quirks and request log, guarded by one lock."""

    def __init__(self, seed, token, username, password, domain):
        self.lock = threading.RLock()
        self.seed = copy.deepcopy(seed)
        self.static_token = token
        self.accounts = [{'username': username, 'password': password, 'domain': domain, 'two_factor': False}]
        for account in seed['two_factor_accounts']:
            account_domain = domain if account['domain'] is None else account['domain']
            self.accounts.append({'username': account['username'], 'password': account['password'],
                                  'domain': account_domain, 'two_factor': True})
        self.random = random.Random()
        # Connection ids keep counting across resets, so a keep-alive connection opened
        # before a reset never shares an id with a newer one.
        self.last_connection_id = 0
        self.reset()

    def reset(self):
        """Restore the seed data and clear sessions, faults, quirks, request log and counters."""
        with self.lock:
            self.models = copy.deepcopy(self.seed['dect_phone_models'])
            self.phones = copy.deepcopy(self.seed['dect_phones'])
            self.members = copy.deepcopy(self.seed['members'])
            self.extensions = {extension['extension_number']: copy.deepcopy(extension)
                               for extension in self.seed['extensions']}
            self.sessions = {}
            self.refresh_tokens = {}
            self.two_factor_tokens = set()
            self.signed_in = 0
            self.signed_out = 0
            self.faults = []
            self.quirks = dict(DEFAULT_QUIRKS)
            self.requests = []
            self.requests_dropped = 0
            self.api_connection_ids = set()
            self.connections = 0
            self.tls_handshakes = 0

    # -- Lookups. Callers hold the lock.

    def find_phone(self, phone_id):
        for phone in self.phones:
            if phone['id'] == phone_id:
                return phone
        return None

    def find_member(self, phone_id, extension_number):
        for member in self.members.get(phone_id, []):
            if member['extension_number'] == extension_number:
                return member
        return None

    # -- sessions

    def authenticate(self, authorization):
        """Return the bearer token from an Authorization header value, or raise a 401 ApiError."""
        challenge = {'WWW-Authenticate': 'Bearer'}
        if not authorization:
            raise ApiError(401, 'missing Authorization header. Send "Authorization: Bearer <token>"',
                           headers=challenge)
        scheme, dummy, token = authorization.strip().partition(' ')
        token = token.strip()
        if scheme.lower() != 'bearer' or not token:
            raise ApiError(401, 'the Authorization header must use the Bearer scheme', headers=challenge)
        with self.lock:
            if token == self.static_token:
                return token
            self._expire_sessions()
            if token in self.sessions:
                return token
        raise ApiError(401, 'invalid or expired access token', headers=challenge)

    def find_account(self, username, password, domain):
        for account in self.accounts:
            if account['username'] != username or account['password'] != password:
                continue
            if account['domain'] and (domain or '').lower() != account['domain'].lower():
                continue
            return account
        return None

    def create_session(self, username, store=True):
        """Issue an access token and a refresh token. With store=False the tokens are never valid."""
        access_token = secrets.token_urlsafe(32)
        refresh_token = secrets.token_urlsafe(32)
        with self.lock:
            if store:
                self.sessions[access_token] = {
                    'username': username,
                    'refresh_token': refresh_token,
                    'expires_at': time.monotonic() + TOKEN_LIFETIME_SECONDS,
                }
                self.refresh_tokens[refresh_token] = access_token
                self.signed_in += 1
        return {
            'token_type': 'Bearer',
            'access_token': access_token,
            'refresh_token': refresh_token,
            'expires_in': TOKEN_LIFETIME_SECONDS,
        }

    def create_two_factor_token(self):
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.two_factor_tokens.add(token)
        return token

    def revoke_session(self, access_token):
        with self.lock:
            session = self.sessions.pop(access_token, None)
            if session is None:
                return False
            self.refresh_tokens.pop(session['refresh_token'], None)
            self.signed_out += 1
            return True

    def refresh_session(self, refresh_token, store=True):
        """Replace the session of `refresh_token` with a new one, or return None when it is unknown."""
        with self.lock:
            self._expire_sessions()
            access_token = self.refresh_tokens.get(refresh_token)
            if access_token is None:
                return None
            username = self.sessions[access_token]['username']
            if store:
                self.revoke_session(access_token)
            return self.create_session(username, store=store)

    def _expire_sessions(self):
        now = time.monotonic()
        for token in [token for token, session in self.sessions.items() if session['expires_at'] <= now]:
            session = self.sessions.pop(token)
            self.refresh_tokens.pop(session['refresh_token'], None)

    def session_counts(self):
        with self.lock:
            self._expire_sessions()
            return {'active': len(self.sessions), 'signed_in': self.signed_in, 'signed_out': self.signed_out}

    # -- faults, quirks, request log and connection counters

    def set_faults(self, faults):
        with self.lock:
            self.faults = faults

    def take_fault(self, method, path):
        """Return the first matching fault that still has uses left, counting the use."""
        with self.lock:
            for fault in self.faults:
                if not fault.matches(method, path):
                    continue
                fault.matched += 1
                if fault.matched <= fault.skip:
                    continue
                if fault.times is not None and fault.applied >= fault.times:
                    continue
                fault.applied += 1
                return fault
        return None

    def update_quirks(self, changes):
        with self.lock:
            self.quirks.update(changes)
            return dict(self.quirks)

    def record_request(self, entry, connection_id):
        with self.lock:
            self.requests.append(entry)
            if len(self.requests) > MAX_LOGGED_REQUESTS:
                del self.requests[0]
                self.requests_dropped += 1
            self.api_connection_ids.add(connection_id)

    def record_connection(self):
        """Count an accepted TCP connection and return its id."""
        with self.lock:
            self.connections += 1
            self.last_connection_id += 1
            return self.last_connection_id

    def record_handshake(self):
        with self.lock:
            self.tls_handshakes += 1

    def request_log(self):
        with self.lock:
            return {
                'requests': copy.deepcopy(self.requests),
                'requests_dropped': self.requests_dropped,
                'connections': self.connections,
                'tls_handshakes': self.tls_handshakes,
                'api_connections': len(self.api_connection_ids),
            }

    def snapshot(self):
        """Return the stored data in seed shape, plus sessions and quirks."""
        with self.lock:
            return {
                'dect_phone_models': copy.deepcopy(self.models),
                'dect_phones': copy.deepcopy(self.phones),
                'members': copy.deepcopy(self.members),
                'extensions': copy.deepcopy(list(self.extensions.values())),
                'two_factor_accounts': copy.deepcopy(self.seed['two_factor_accounts']),
                'sessions': self.session_counts(),
                'quirks': dict(self.quirks),
            }


# ---------------------------------------------------------------------------
# Reply shaping (quirks)


def apply_null_blanks(value):
    """Replace every empty string in a JSON value with None."""
    if isinstance(value, dict):
        return {key: apply_null_blanks(item) for key, item in value.items()}
    if isinstance(value, list):
        return [apply_null_blanks(item) for item in value]
    if value == '':
        return None
    return value


def add_extra_fields(value):
    """Add the EXTRA_FIELDS keys to every object in a JSON value, the top level included."""
    if isinstance(value, dict):
        result = {key: add_extra_fields(item) for key, item in value.items()}
        result.update(copy.deepcopy(EXTRA_FIELDS))
        return result
    if isinstance(value, list):
        return [add_extra_fields(item) for item in value]
    return value


def shuffle_items(items, rng):
    """Return the items in a random order that differs from the given one when there are 2 or more."""
    shuffled = list(items)
    if len(shuffled) < 2:
        return shuffled
    rng.shuffle(shuffled)
    if shuffled == list(items):
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


class Request:
    """One parsed HTTP request as the API handlers see it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.token = None
        # False under a drop_write fault: the handler replies as usual but stores nothing.
        self.store = True

    def json(self):
        """Decode the body as JSON, raising a 400 ApiError when it is not valid JSON."""
        if not self.body:
            raise validation_error(field_error('body', None, 'the request body is empty, but a JSON object is required'))
        try:
            return json.loads(self.body.decode('utf-8'))
        except UnicodeDecodeError as exc:
            raise validation_error(field_error('body', None, 'the request body is not UTF-8: %s' % exc))
        except ValueError as exc:
            raise validation_error(field_error('body', None, 'the request body is not valid JSON: %s' % exc))


# ---------------------------------------------------------------------------
# PortSIP API


class Route:
    def __init__(self, pattern, methods, requires_auth=True):
        self.pattern = re.compile(pattern)
        self.methods = methods
        self.requires_auth = requires_auth


API_ROUTES = (
    Route(r'/api/auth/sign_in', {'POST': 'sign_in'}, requires_auth=False),
    Route(r'/api/auth/refresh_token', {'POST': 'refresh_token'}, requires_auth=False),
    Route(r'/api/auth/sign_out', {'POST': 'sign_out'}),
    Route(r'/api/auth/user', {'GET': 'get_auth_user'}),
    Route(r'/api/dect_phone_models', {'GET': 'list_models'}),
    Route(r'/api/dect_phones', {'GET': 'list_phones'}),
    Route(r'/api/dect_phones/(?P<phone_id>[^/]+)', {'GET': 'get_phone'}),
    Route(r'/api/dect_phones/(?P<phone_id>[^/]+)/members', {'GET': 'list_members', 'POST': 'replace_members'}),
    Route(r'/api/dect_phones/(?P<phone_id>[^/]+)/members/(?P<extension_number>[^/]+)', {'GET': 'get_member'}),
    Route(r'/api/extension_numbers/(?P<extension_number>[^/]+)', {'GET': 'get_extension'}),
)


class PbxApi:
    """Handlers of the emulated /api endpoints."""

    def __init__(self, state):
        self.state = state

    def handle(self, request):
        """Authenticate and route a request, and return its Reply (an error reply included)."""
        try:
            route, params = self._match(request.path)
            if route is not None:
                requires_auth = route.requires_auth
            else:
                requires_auth = request.path == '/api' or request.path.startswith('/api/')
            if requires_auth:
                request.token = self.state.authenticate(request.headers.get('Authorization'))
            if route is None:
                raise not_found_error({'path': request.path, 'reason': 'the emulator has no such API path'})
            handler_name = route.methods.get(request.method)
            if handler_name is None:
                allowed = ', '.join(sorted(route.methods))
                raise ApiError(405, {'method': request.method, 'allowed': sorted(route.methods)},
                               headers={'Allow': allowed})
            return getattr(self, handler_name)(request, **params)
        except ApiError as exc:
            return exc.to_reply()

    @staticmethod
    def _match(path):
        for route in API_ROUTES:
            match = route.pattern.fullmatch(path)
            if match:
                return route, {name: unquote(value) for name, value in match.groupdict().items()}
        return None, {}

    def _shape(self, body, quirks):
        """Apply the null_blanks and extra_fields quirks to a reply body."""
        if quirks['null_blanks']:
            body = apply_null_blanks(body)
        if quirks['extra_fields']:
            body = add_extra_fields(body)
        return body

    def _render_member(self, member, quirks):
        extension = self.state.extensions.get(member['extension_number'], {})
        ipui = member['ipui']
        if quirks['lowercase_ipui']:
            ipui = ipui.lower()
        handset_index = member['handset_index']
        if quirks['numeric_handset_index']:
            handset_index = int(handset_index)
        return {
            'id': extension.get('id', ''),
            'extension_number': member['extension_number'],
            'display_name': extension.get('name', ''),
            'ipui': ipui,
            'handset_index': handset_index,
        }

    # -- authentication

    def sign_in(self, request):
        body = request.json()
        if not isinstance(body, dict):
            raise validation_error(field_error('body', body, 'the request body must be a JSON object'))
        errors = []
        username = body.get('username')
        password = body.get('password')
        domain = body.get('domain')
        if not isinstance(username, str) or not username:
            errors.append(field_error('username', username, 'username is required and must be a non-empty string'))
        if not isinstance(password, str):
            errors.append(field_error('password', None, 'password is required and must be a string'))
        if domain is not None and not isinstance(domain, str):
            errors.append(field_error('domain', domain, 'domain must be a string'))
        if errors:
            raise validation_error(errors)

        account = self.state.find_account(username, password, domain)
        if account is None:
            raise ApiError(401, 'invalid username, password or domain')
        if account['two_factor']:
            return Reply(200, {'two_factor_enabled': True, 'token': self.state.create_two_factor_token()})
        return Reply(200, self.state.create_session(username, store=request.store))

    def refresh_token(self, request):
        body = request.json()
        refresh_token = body.get('refresh_token') if isinstance(body, dict) else None
        if not isinstance(refresh_token, str) or not refresh_token:
            raise validation_error(field_error('refresh_token', refresh_token,
                                               'refresh_token is required and must be a string'))
        tokens = self.state.refresh_session(refresh_token, store=request.store)
        if tokens is None:
            raise ApiError(401, 'invalid or expired refresh token')
        return Reply(200, tokens)

    def sign_out(self, request):
        # The static token works like an API key, so signing out with it leaves it valid.
        if request.store and request.token != self.state.static_token:
            self.state.revoke_session(request.token)
        return Reply(200)

    def get_auth_user(self, request):
        return Reply(200, {'role': 'Admin', 'password_verified': True, 'password_force_reset': False})

    # -- DECT phones and models

    def list_models(self, request):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            items = [{key: model[key] for key in ('filename', 'model', 'lines', 'display_name')}
                     for model in self.state.models]
        return Reply(200, self._shape({'items': items}, quirks))

    def list_phones(self, request):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            items = [{key: copy.deepcopy(phone[key]) for key in PHONE_SUMMARY_FIELDS if key in phone}
                     for phone in self.state.phones]
            if quirks['shuffle']:
                items = shuffle_items(items, self.state.random)
        return Reply(200, self._shape({'items': items}, quirks))

    def get_phone(self, request, phone_id):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            phone = self.state.find_phone(phone_id)
            if phone is None:
                raise not_found_error()
            body = copy.deepcopy(phone)
        return Reply(200, self._shape(body, quirks))

    # -- DECT phone members

    def list_members(self, request, phone_id):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            if self.state.find_phone(phone_id) is None:
                raise not_found_error()
            items = [self._render_member(member, quirks) for member in self.state.members.get(phone_id, [])]
            if quirks['shuffle']:
                items = shuffle_items(items, self.state.random)
        return Reply(200, self._shape({'items': items}, quirks))

    def replace_members(self, request, phone_id):
        with self.state.lock:
            phone = self.state.find_phone(phone_id)
            if phone is None:
                raise not_found_error()
        body = request.json()
        with self.state.lock:
            stored, errors = validate_member_list(body, phone['lines'], self.state.extensions)
            if errors:
                raise validation_error(errors)
            if request.store:
                self.state.members[phone_id] = stored
        LOG.info('DECT phone %s (%s) member list %s: %d members', phone_id, phone['name'],
                 'replaced' if request.store else 'NOT stored (drop_write fault)', len(stored))
        return Reply(200)

    def get_member(self, request, phone_id, extension_number):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            # The API document gives one 404 reply for an unknown phone and a non-member, so both
            # get the same body.
            member = None
            if self.state.find_phone(phone_id) is not None:
                member = self.state.find_member(phone_id, extension_number)
            if member is None:
                raise not_found_error()
            body = self._render_member(member, quirks)
        return Reply(200, self._shape(body, quirks))

    # -- extensions

    def get_extension(self, request, extension_number):
        with self.state.lock:
            quirks = dict(self.state.quirks)
            extension = self.state.extensions.get(extension_number)
            if extension is None:
                raise not_found_error()
            body = {key: extension[key] for key in ('id', 'extension_number', 'name', 'type')}
        return Reply(200, self._shape(body, quirks))


# ---------------------------------------------------------------------------
# Control API


class ControlApi:
    """Handlers of the /_emulator endpoints. They need no token and are not logged as requests."""

    ROUTES = {
        '/_emulator/reset': {'POST': 'reset'},
        '/_emulator/state': {'GET': 'get_state'},
        '/_emulator/requests': {'GET': 'get_requests'},
        '/_emulator/faults': {'GET': 'get_faults', 'POST': 'set_faults'},
        '/_emulator/quirks': {'GET': 'get_quirks', 'POST': 'set_quirks'},
    }

    def __init__(self, state):
        self.state = state

    def handle(self, request):
        try:
            methods = self.ROUTES.get(request.path)
            if methods is None:
                raise not_found_error({'path': request.path, 'reason': 'unknown control path, use one of %s'
                                       % ', '.join(sorted(self.ROUTES))})
            handler_name = methods.get(request.method)
            if handler_name is None:
                raise ApiError(405, {'method': request.method, 'allowed': sorted(methods)},
                               headers={'Allow': ', '.join(sorted(methods))})
            return getattr(self, handler_name)(request)
        except ApiError as exc:
            return exc.to_reply()

    def reset(self, request):
        self.state.reset()
        LOG.info('control: state reset to the seed')
        return Reply(200, {'reset': True})

    def get_state(self, request):
        return Reply(200, self.state.snapshot())

    def get_requests(self, request):
        return Reply(200, self.state.request_log())

    def get_faults(self, request):
        with self.state.lock:
            return Reply(200, {'faults': [fault.to_json() for fault in self.state.faults]})

    def set_faults(self, request):
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get('faults'), list):
            raise validation_error(field_error('faults', None, 'send {"faults": [...]}, where an empty list clears all faults'))
        faults = []
        for position, spec in enumerate(body['faults']):
            try:
                faults.append(Fault(spec))
            except ValueError as exc:
                raise validation_error(field_error('faults[%d]' % position, spec, str(exc)))
        self.state.set_faults(faults)
        LOG.info('control: %d faults set: %s', len(faults), ', '.join(fault.label for fault in faults) or 'none')
        return self.get_faults(request)

    def get_quirks(self, request):
        with self.state.lock:
            return Reply(200, dict(self.state.quirks))

    def set_quirks(self, request):
        body = request.json()
        if not isinstance(body, dict):
            raise validation_error(field_error('body', body, 'send a JSON object of quirk names and booleans'))
        errors = []
        for name, value in body.items():
            if name not in DEFAULT_QUIRKS:
                errors.append(field_error(name, value, 'unknown quirk, expected one of %s'
                                          % ', '.join(sorted(DEFAULT_QUIRKS))))
            elif not isinstance(value, bool):
                errors.append(field_error(name, value, 'quirk values must be true or false'))
        if errors:
            raise validation_error(errors)
        quirks = self.state.update_quirks(body)
        LOG.info('control: quirks now %s', ', '.join(name for name, enabled in sorted(quirks.items()) if enabled)
                 or 'none')
        return Reply(200, quirks)


# ---------------------------------------------------------------------------
# HTTP server


class BodyError(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class ConnectionInfo:
    """Per-connection values shared between the server and its request handler."""

    def __init__(self, connection_id):
        self.connection_id = connection_id
        self.reset_requested = False


class EmulatorRequestHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that routes /api and /_emulator requests."""

    protocol_version = 'HTTP/1.1'
    server_version = 'PortSIP-PBX-Emulator/1.0'
    sys_version = ''
    timeout = CONNECTION_TIMEOUT_SECONDS

    def __init__(self, request, client_address, server, connection_info):
        self.connection_info = connection_info
        super().__init__(request, client_address, server)

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def version_string(self):
        return self.server_version

    def log_request(self, code='-', size='-'):
        """Skip the default access log line, because _handle logs each request itself."""

    def log_message(self, format, *args):
        LOG.info('connection %d: %s', self.connection_info.connection_id, format % args)

    def _read_body(self):
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            return self._read_chunked_body()
        length_text = self.headers.get('Content-Length')
        if length_text is None:
            return b''
        try:
            length = int(length_text)
        except ValueError:
            raise BodyError(400, 'invalid Content-Length %r' % length_text)
        if length < 0:
            raise BodyError(400, 'invalid Content-Length %r' % length_text)
        if length > MAX_BODY_BYTES:
            raise BodyError(413, 'request body of %d bytes exceeds the maximum of %d bytes' % (length, MAX_BODY_BYTES))
        return self.rfile.read(length)

    def _read_chunked_body(self):
        chunks = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            try:
                size = int(size_line.split(b';', 1)[0].strip(), 16)
            except ValueError:
                raise BodyError(400, 'invalid chunk size line %r' % size_line[:40])
            if size == 0:
                # Skip trailer headers up to the blank line that ends the body.
                while self.rfile.readline(1024) not in (b'\r\n', b'\n', b''):
                    pass
                return b''.join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise BodyError(413, 'chunked request body exceeds the maximum of %d bytes' % MAX_BODY_BYTES)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _handle(self):
        started = time.monotonic()
        method = self.command
        path = urlsplit(self.path).path
        control = path == '/_emulator' or path.startswith('/_emulator/')
        try:
            body = self._read_body()
        except BodyError as exc:
            self.close_connection = True
            reply = Reply(exc.status, error_body(exc.status, [field_error('body', None, exc.reason)]))
            if not control:
                self._record(method, path, reply.status, None)
            self._send(reply)
            self._log(method, path, reply.status, None, started, control)
            return

        request = Request(method, path, self.headers, body)
        try:
            if control:
                reply = self.server.control.handle(request)
                self._send(reply)
                self._log(method, path, reply.status, None, started, control)
            else:
                self._handle_api(request, started)
        except Exception:
            LOG.exception('internal error while handling %s %s', method, path)
            self.close_connection = True
            reply = Reply(500, error_body(500, ['internal emulator error, see the traceback in %s' % LOG_FILE_NAME]))
            if not control:
                self._record(method, path, reply.status, None)
            self._send(reply)

    def _handle_api(self, request, started):
        fault = self.server.state.take_fault(request.method, request.path)
        label = fault.label if fault else None
        if fault is not None and fault.delay is not None:
            time.sleep(fault.delay)

        action = fault.action if fault else None
        if action == 'reset':
            self._record(request.method, request.path, None, label)
            self._log(request.method, request.path, 'reset', label, started, False)
            self._reset_connection()
            return
        if action == 'status':
            reply = self._fault_reply(fault)
        else:
            request.store = action != 'drop_write'
            reply = self.server.api.handle(request)
            if action == 'empty_body' and 200 <= reply.status < 300:
                reply = Reply(fault.empty_status)

        self._record(request.method, request.path, reply.status, label)
        self._send(reply)
        self._log(request.method, request.path, reply.status, label, started, False)

    def _fault_reply(self, fault):
        headers = {}
        if fault.retry_after is not None:
            headers['Retry-After'] = fault.retry_after
        if fault.body == 'json':
            return Reply(fault.status, error_body(fault.status, [None], fault.code, fault.message), headers)
        if fault.body == 'html':
            reason = self.responses.get(fault.status, ('Error',))[0]
            page = HTML_ERROR_PAGE.format(status=fault.status, reason=reason)
            return Reply(fault.status, headers=headers, raw=page.encode('utf-8'), content_type='text/html')
        return Reply(fault.status, headers=headers)

    def _reset_connection(self):
        """Close the connection with a TCP reset and no reply (SO_LINGER with a zero timeout)."""
        self.close_connection = True
        self.connection_info.reset_requested = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError as exc:
            LOG.warning('connection %d: cannot set SO_LINGER for the reset fault: %s',
                        self.connection_info.connection_id, exc)

    def _record(self, method, path, status, fault_label):
        entry = {'method': method, 'path': path, 'status': status,
                 'connection': self.connection_info.connection_id}
        if fault_label:
            entry['fault'] = fault_label
        self.server.state.record_request(entry, self.connection_info.connection_id)

    def _log(self, method, path, status, fault_label, started, control):
        elapsed_ms = (time.monotonic() - started) * 1000
        LOG.info('%s%s %s %s connection=%d%s %.1fms', 'control ' if control else '', method, path, status,
                 self.connection_info.connection_id, ' fault=%s' % fault_label if fault_label else '', elapsed_ms)

    def _send(self, reply):
        payload = b''
        content_type = None
        if reply.raw is not None:
            payload = reply.raw
            content_type = reply.content_type
        elif reply.body is not None:
            payload = json.dumps(reply.body).encode('utf-8')
            content_type = 'application/json; charset=utf-8'
        try:
            self.send_response(reply.status)
            if content_type:
                self.send_header('Content-Type', content_type)
            # RFC 9110 section 8.6 forbids Content-Length in a 204 reply, so only 204 replies lack it.
            if reply.status != 204:
                self.send_header('Content-Length', str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header('Connection', 'close')
            self.end_headers()
            if payload and self.command != 'HEAD' and reply.status != 204:
                self.wfile.write(payload)
        except (ConnectionError, ssl.SSLError, socket.timeout) as exc:
            LOG.info('connection %d: client went away before the reply was sent: %s',
                     self.connection_info.connection_id, exc)
            self.close_connection = True


class EmulatorServer(http.server.ThreadingHTTPServer):
    """Threading HTTPS server that counts TCP connections and TLS handshakes."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address, state, ssl_context):
        self.state = state
        self.ssl_context = ssl_context
        self.api = PbxApi(state)
        self.control = ControlApi(state)
        super().__init__(address, EmulatorRequestHandler)

    def server_bind(self):
        # HTTPServer.server_bind resolves the host name with getfqdn, which can stall
        # on hosts without working DNS, and the emulator does not need the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def finish_request(self, request, client_address):
        """Run the TLS handshake in the connection's thread, then serve its requests."""
        connection_info = ConnectionInfo(self.state.record_connection())
        request.settimeout(CONNECTION_TIMEOUT_SECONDS)
        # The handler writes headers and body separately. Without TCP_NODELAY the body
        # waits for the client's delayed ACK, about 40 ms on Linux, on kept-alive connections.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls_socket = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            LOG.warning('connection %d: TLS handshake failed: %s', connection_info.connection_id, exc)
            return
        self.state.record_handshake()
        try:
            self.RequestHandlerClass(tls_socket, client_address, self, connection_info)
        finally:
            if not connection_info.reset_requested:
                try:
                    tls_socket.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            tls_socket.close()

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, socket.timeout)):
            LOG.info('connection from %s:%s closed: %s', client_address[0], client_address[1], error)
            return
        LOG.exception('unexpected error on a connection from %s:%s', client_address[0], client_address[1])


# ---------------------------------------------------------------------------
# Certificates


def _write_private_file(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'wb') as output:
        output.write(data)


def generate_certificates(state_dir):
    """Create a throwaway CA and a server certificate for 127.0.0.1 and localhost.

    Writes ca.pem, server.pem and server-key.pem into state_dir and returns their
    paths. The CA key is never written, so nothing else can be signed with it.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    not_before = now - datetime.timedelta(minutes=5)
    not_after = now + datetime.timedelta(days=CERTIFICATE_LIFETIME_DAYS)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'portsip.pbx test emulator'),
        x509.NameAttribute(NameOID.COMMON_NAME, 'PortSIP PBX emulator throwaway CA'),
    ])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName('localhost'),
            x509.IPAddress(ipaddress.ip_address(LISTEN_HOST)),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    ca_path = os.path.join(state_dir, CA_FILE_NAME)
    cert_path = os.path.join(state_dir, SERVER_CERT_FILE_NAME)
    key_path = os.path.join(state_dir, SERVER_KEY_FILE_NAME)
    with open(ca_path, 'wb') as output:
        output.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    with open(cert_path, 'wb') as output:
        output.write(server_cert.public_bytes(serialization.Encoding.PEM))
    _write_private_file(key_path, server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_path, cert_path, key_path


def build_ssl_context(cert_path, key_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


# ---------------------------------------------------------------------------
# Process control


def state_file_path(state_dir):
    return os.path.join(state_dir, STATE_FILE_NAME)


def write_state_file(state_dir, info):
    """Write emulator.json atomically with mode 0600, because it contains the credentials."""
    path = state_file_path(state_dir)
    temporary = path + '.tmp'
    _write_private_file(temporary, (json.dumps(info, indent=2) + '\n').encode('utf-8'))
    os.replace(temporary, path)


def read_state_file(state_dir):
    with open(state_file_path(state_dir), encoding='utf-8') as state_file:
        return json.load(state_file)


def remove_state_file(state_dir, pid):
    """Delete emulator.json when it still names `pid`, so a newer emulator's file survives."""
    try:
        if read_state_file(state_dir).get('pid') == pid:
            os.unlink(state_file_path(state_dir))
    except (OSError, ValueError):
        pass


def process_running(pid):
    """Return whether `pid` exists and is not a zombie (zombies count as stopped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid, encoding='utf-8') as stat_file:
            # The state letter follows the parenthesised command name.
            return stat_file.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return True


def process_is_emulator(pid):
    """Return whether `pid` runs this script, or True where /proc is unavailable."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as cmdline_file:
            return b'pbx_emulator' in cmdline_file.read()
    except FileNotFoundError:
        return not os.path.isdir('/proc/self')
    except OSError:
        return True


def wait_for_exit(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_running(pid):
            return True
        time.sleep(0.05)
    return not process_running(pid)


def port_accepts(port, timeout=5.0):
    """Return whether a TCP connection to 127.0.0.1:port succeeds within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LISTEN_HOST, port), timeout=1.0):
                return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


def stop_emulator(state_dir):
    """Send SIGTERM to the emulator named in emulator.json and wait until it is gone."""
    try:
        info = read_state_file(state_dir)
    except FileNotFoundError:
        print('No emulator is running: %s does not exist.' % state_file_path(state_dir), file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print('Cannot read %s: %s' % (state_file_path(state_dir), exc), file=sys.stderr)
        return 1
    pid = info.get('pid')
    if not isinstance(pid, int) or pid <= 1:
        print('Invalid pid %r in %s.' % (pid, state_file_path(state_dir)), file=sys.stderr)
        return 1
    if not process_running(pid):
        remove_state_file(state_dir, pid)
        print('Emulator pid %d is not running, so the stale %s was removed.' % (pid, STATE_FILE_NAME))
        return 0
    if not process_is_emulator(pid):
        print('Process %d named in %s is not pbx_emulator.py, so it was not stopped.'
              % (pid, state_file_path(state_dir)), file=sys.stderr)
        return 1

    os.kill(pid, signal.SIGTERM)
    if not wait_for_exit(pid, STOP_TIMEOUT_SECONDS):
        print('Emulator pid %d did not stop within %d s of SIGTERM; sending SIGKILL.'
              % (pid, STOP_TIMEOUT_SECONDS), file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
        if not wait_for_exit(pid, STOP_TIMEOUT_SECONDS):
            print('Emulator pid %d is still running after SIGKILL.' % pid, file=sys.stderr)
            return 1
        remove_state_file(state_dir, pid)
    print('Stopped emulator pid %d.' % pid)
    return 0


def configure_logging(state_dir, to_stderr):
    formatter = logging.Formatter('%(asctime)s %(levelname)s %(message)s')
    LOG.setLevel(logging.INFO)
    LOG.propagate = False
    for handler in list(LOG.handlers):
        LOG.removeHandler(handler)
    file_handler = logging.FileHandler(os.path.join(state_dir, LOG_FILE_NAME), encoding='utf-8')
    file_handler.setFormatter(formatter)
    LOG.addHandler(file_handler)
    if to_stderr:
        stream_handler = logging.StreamHandler(sys.stderr)
        stream_handler.setFormatter(formatter)
        LOG.addHandler(stream_handler)


def serve(args, state_dir, seed, ready_fd=None):
    """Run the emulator until SIGTERM or SIGINT, writing to `ready_fd` once it accepts connections."""
    ca_path, cert_path, key_path = generate_certificates(state_dir)
    state = EmulatorState(seed, args.token, args.username, args.password, args.domain)
    try:
        server = EmulatorServer((LISTEN_HOST, args.port), state, build_ssl_context(cert_path, key_path))
    except OSError as exc:
        LOG.error('cannot listen on %s:%d: %s', LISTEN_HOST, args.port, exc)
        return 1
    port = server.server_address[1]
    info = {
        'url': 'https://%s:%d' % (LISTEN_HOST, port),
        'port': port,
        'ca_path': ca_path,
        'pid': os.getpid(),
        'token': args.token,
        'username': args.username,
        'password': args.password,
        'domain': args.domain,
        'two_factor_accounts': [
            {'username': account['username'], 'password': account['password'], 'domain': account['domain']}
            for account in state.accounts if account['two_factor']
        ],
        'log_path': os.path.join(state_dir, LOG_FILE_NAME),
    }

    def request_shutdown(signum, frame):
        LOG.info('received signal %d, stopping', signum)
        # shutdown() waits for serve_forever to return, so it must run outside the main thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, request_shutdown)
    write_state_file(state_dir, info)
    LOG.info('PortSIP PBX emulator started at %s (pid %d, state directory %s, %d DECT phones, %d extensions)',
             info['url'], info['pid'], state_dir, len(seed['dect_phones']), len(seed['extensions']))
    if ready_fd is not None:
        os.write(ready_fd, b'ready\n')
        os.close(ready_fd)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        LOG.info('interrupted, stopping')
    finally:
        server.server_close()
        remove_state_file(state_dir, os.getpid())
        LOG.info('PortSIP PBX emulator stopped (pid %d)', os.getpid())
    return 0


def _redirect_stdio(log_path):
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)


def daemonize(args, state_dir, seed):
    """Start the emulator in the background and return once it accepts connections.

    Double-forks so the emulator is not the caller's child, and sends its stdout and
    stderr to emulator.log, so a caller that captures output does not wait for it.
    """
    read_fd, write_fd = os.pipe()
    child_pid = os.fork()
    if child_pid == 0:
        os.close(read_fd)
        os.setsid()
        if os.fork() > 0:
            os._exit(0)
        _redirect_stdio(os.path.join(state_dir, LOG_FILE_NAME))
        configure_logging(state_dir, to_stderr=False)
        exit_code = 1
        try:
            exit_code = serve(args, state_dir, seed, ready_fd=write_fd)
        except BaseException:
            LOG.exception('emulator failed')
        finally:
            os._exit(exit_code)

    os.close(write_fd)
    os.waitpid(child_pid, 0)
    message = _read_ready_message(read_fd, DAEMON_START_TIMEOUT_SECONDS)
    os.close(read_fd)
    log_path = os.path.join(state_dir, LOG_FILE_NAME)
    if message != b'ready\n':
        print('The emulator failed to start within %d s; see %s.' % (DAEMON_START_TIMEOUT_SECONDS, log_path),
              file=sys.stderr)
        return 1
    info = read_state_file(state_dir)
    if not port_accepts(info['port']):
        print('The emulator started but port %d does not accept connections; see %s.' % (info['port'], log_path),
              file=sys.stderr)
        return 1
    print('PortSIP PBX emulator running at %s (pid %d); connection details in %s.'
          % (info['url'], info['pid'], state_file_path(state_dir)))
    return 0


def _read_ready_message(read_fd, timeout):
    """Read from the readiness pipe until a newline, EOF or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    message = b''
    while not message.endswith(b'\n'):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        readable, dummy_write, dummy_error = select.select([read_fd], [], [], remaining)
        if not readable:
            break
        try:
            chunk = os.read(read_fd, 64)
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            break
        if not chunk:
            break
        message += chunk
    return message


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Offline PortSIP PBX REST API emulator for testing portsip.pbx. '
                    'Serves HTTPS on 127.0.0.1 only and writes STATE_DIR/emulator.json '
                    '(url, ca_path, pid, token and credentials).')
    parser.add_argument('action', nargs='?', choices=('start', 'stop'), default='start',
                        help='start the emulator (default) or stop the one named in STATE_DIR/emulator.json')
    parser.add_argument('--state-dir', required=True,
                        help='directory for emulator.json, the CA and server certificates and emulator.log')
    parser.add_argument('--port', type=int, default=0,
                        help='TCP port on 127.0.0.1; 0 (default) picks a free port')
    parser.add_argument('--seed', help='JSON seed file that replaces the default seed.json')
    parser.add_argument('--token', default=DEFAULT_TOKEN,
                        help='static bearer token that is always valid (default: %(default)s)')
    parser.add_argument('--username', default=DEFAULT_USERNAME, help='sign-in user name (default: %(default)s)')
    parser.add_argument('--password', default=DEFAULT_PASSWORD,
                        help='sign-in password (default: %(default)s); visible in the process list')
    parser.add_argument('--domain', default=DEFAULT_DOMAIN,
                        help='sign-in SIP domain (default: %(default)s); an empty string accepts any domain')
    parser.add_argument('--daemon', action='store_true',
                        help='run in the background and exit once the emulator accepts connections')
    parser.add_argument('--stop', action='store_true', help='same as the stop action')
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error('--port must be between 0 and 65535, got %d' % args.port)
    if not args.token:
        parser.error('--token must not be empty')
    return args


def main(argv=None):
    args = parse_args(argv)
    state_dir = os.path.abspath(args.state_dir)
    if args.stop or args.action == 'stop':
        return stop_emulator(state_dir)

    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    try:
        seed = load_seed(args.seed or DEFAULT_SEED_PATH)
    except SeedError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        running_pid = read_state_file(state_dir).get('pid')
    except (OSError, ValueError):
        running_pid = None
    if isinstance(running_pid, int) and running_pid != os.getpid() and process_running(running_pid):
        print('An emulator (pid %d) already uses %s; stop it first with: %s stop --state-dir %s'
              % (running_pid, state_dir, sys.argv[0], state_dir), file=sys.stderr)
        return 1

    if args.daemon:
        return daemonize(args, state_dir, seed)
    configure_logging(state_dir, to_stderr=True)
    return serve(args, state_dir, seed)


if __name__ == '__main__':
    sys.exit(main())

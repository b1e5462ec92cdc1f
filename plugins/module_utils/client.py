# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP client for the PortSIP PBX REST API (v22).

This is the only file of the collection that imports ``requests``. It owns
the session, authentication, retries, JSON decoding and the mapping of HTTP
failures to the exceptions in ``errors.py``. It does not import AnsibleModule,
so action plugins can use it in the controller process.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import email.utils
import json
import time
import traceback
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxApiError,
    PbxAuthError,
    PbxConnectionError,
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
)

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


USER_AGENT = 'portsip.pbx-ansible-collection'

# Statuses that a load balancer or a busy PBX returns for a request that may
# succeed a moment later. 500 is not retried: it reports a fault of the PBX
# itself, and the caller gets the PBX's own message at once.
RETRY_STATUSES = frozenset((429, 502, 503, 504))

# The longest Retry-After (seconds) that the client waits for. A PBX that asks
# for more is treated as unavailable, so a playbook does not hang for minutes.
MAX_RETRY_AFTER = 60

# Maximum length of an error detail (characters of JSON) that goes into a failure message.
MAX_DETAIL_LENGTH = 300


def normalize_base_url(url):
    """Return the API base URL for a PBX URL, with ``/api`` appended when missing.

    Raises PbxValidationError for a URL without an http or https scheme, a
    host, or with a port that is not a number.
    """
    text = (url or '').strip()
    hint = 'Set pbx_url to the PBX address with its scheme, for example https://pbx.example.com:8887.'
    parts = urlsplit(text)
    if parts.scheme.lower() not in ('http', 'https') or not parts.netloc:
        raise PbxValidationError(f"pbx_url '{text}' is not an http(s) URL. {hint}")
    try:
        port = parts.port
    except ValueError:
        port = None
        valid_port = False
    else:
        valid_port = port is None or 0 < port < 65536
    if not parts.hostname or ' ' in parts.netloc or not valid_port:
        raise PbxValidationError(f"pbx_url '{text}' has an invalid host or port. {hint}")
    if parts.query or parts.fragment:
        raise PbxValidationError(f"pbx_url '{text}' must not contain a query or fragment. {hint}")
    path = parts.path.rstrip('/')
    if not path.endswith('/api'):
        path += '/api'
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, '', ''))


def parse_retry_after(value, now=None):
    """Return the delay in seconds that a Retry-After header value requests, or None.

    The header holds either a number of seconds or an HTTP date.
    """
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _error_messages(body):
    """Return the ``message`` (and string ``detail``) of each entry of an error body."""
    if not isinstance(body, dict) or not isinstance(body.get('errors'), list):
        return []
    messages = []
    for entry in body['errors']:
        if not isinstance(entry, dict):
            continue
        text = str(entry.get('message') or entry.get('code') or 'unknown error')
        detail = entry.get('detail')
        if isinstance(detail, (dict, list)) and detail:
            # The API allows any JSON as detail; it often names the rejected field and value.
            detail = json.dumps(detail, sort_keys=True)
            if len(detail) > MAX_DETAIL_LENGTH:
                detail = detail[:MAX_DETAIL_LENGTH] + '...'
        if isinstance(detail, str) and detail and detail != text:
            text = f'{text} ({detail})'
        messages.append(text)
    return messages


class PbxClient:
    """A session with one PBX, reused for every request of a module run or a loop.

    Give either ``token`` (a Bearer access token) or ``username`` and
    ``password``. With credentials the client signs in on its first request
    and signs out in ``close()``, so a run leaves no session on the PBX.
    """

    def __init__(self, base_url, token=None, username=None, password=None, domain=None,
                 validate_certs=True, ca_path=None, timeout=30, use_proxy=True,
                 max_retries=3, backoff=1.0, sleep=time.sleep, session=None):
        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.request_count = 0
        self.warnings = []
        self._last_status = None
        self._last_retry_after = None
        self._attempts = 0

        self._static_token = token
        self._username = username
        self._password = password
        self._domain = domain
        self._session_token = None

        if session is None:
            session = requests.Session()
        # ca_path wins over validate_certs=True; validate_certs=False disables checks.
        # The value also goes with each request, because requests lets
        # REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override session.verify.
        if not validate_certs:
            self.verify = False
        elif ca_path:
            self.verify = ca_path
        else:
            self.verify = True
        session.verify = self.verify
        # trust_env=False makes requests ignore HTTP(S)_PROXY, NO_PROXY and also
        # REQUESTS_CA_BUNDLE and .netrc, which is what use_proxy=false documents.
        session.trust_env = bool(use_proxy)
        session.headers.update({'Accept': 'application/json', 'User-Agent': USER_AGENT})
        self.session = session

        if not validate_certs:
            self._silence_insecure_warning()

    @staticmethod
    def _silence_insecure_warning():
        # The user chose validate_certs=false; urllib3 would warn on every request.
        try:
            import urllib3
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        except (ImportError, AttributeError):
            pass

    # Context manager: `with client_from_params(params) as client:` signs out at the end.
    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.close()
        return False

    @property
    def signed_in(self):
        """Whether the client has a session token from its own sign-in."""
        return self._session_token is not None

    # Public API: paths are relative to the /api base, for example '/dect_phones'.
    def get(self, path):
        """Send GET and return the decoded JSON body; an empty body is an error."""
        return self.request('GET', path, allow_empty=False)

    def post(self, path, body=None):
        """Send POST with a JSON body and return the decoded reply, or None for an empty reply."""
        return self.request('POST', path, body=body, allow_empty=True)

    def close(self):
        """Sign out if this client signed in, then close the connection pool.

        A failed sign-out does not raise: the task's result stays what it was,
        and the failure is added to ``warnings``.
        """
        try:
            if self._session_token is not None:
                try:
                    self._send_once('POST', '/auth/sign_out', None, self._session_token)
                except PbxConnectionError as exc:
                    self.warnings.append(f'Sign-out from the PBX failed: {exc.message}')
                except _RetryableError as wrapped:
                    self.warnings.append(f'Sign-out from the PBX failed: {wrapped.error.message}')
                else:
                    if self._last_status >= 400:
                        self.warnings.append(
                            f'Sign-out from the PBX failed with HTTP {self._last_status}; '
                            'the session expires on its own.')
                self._session_token = None
        finally:
            self.session.close()

    def request(self, method, path, body=None, allow_empty=False):
        """Send one API request with authentication and retries, and decode the reply.

        Raises PbxAuthError, PbxNotFoundError, PbxApiError, PbxConnectionError
        or PbxResponseError.
        """
        token = self._access_token()
        response = self._send_with_retries(method, path, body, token)
        if response.status_code == 401 and self._static_token is None:
            # A session token from our own sign-in can expire during a long loop:
            # sign in again once, then give up.
            self._session_token = None
            token = self._access_token()
            response = self._send_with_retries(method, path, body, token)
        return self._decode(method, path, response, allow_empty)

    # Authentication
    def _access_token(self):
        if self._static_token is not None:
            return self._static_token
        if self._session_token is None:
            self._session_token = self._sign_in()
        return self._session_token

    def _sign_in(self):
        body = {'username': self._username, 'password': self._password}
        if self._domain:
            body['domain'] = self._domain
        response = self._send_with_retries('POST', '/auth/sign_in', body, None)
        reply = self._decode('POST', '/auth/sign_in', response, allow_empty=False)
        if not isinstance(reply, dict):
            raise PbxResponseError(
                f'POST {self._display_path("/auth/sign_in")} returned HTTP {response.status_code} '
                'with a body that is not a JSON object.')
        if reply.get('two_factor_enabled'):
            raise PbxAuthError(
                f"The PBX account '{self._username}' has two-factor authentication enabled, "
                'which this collection cannot complete. Use pbx_token with an access token instead.',
                method='POST', path=self._display_path('/auth/sign_in'), status=response.status_code)
        token = reply.get('access_token')
        if not isinstance(token, str) or not token:
            raise PbxResponseError(
                f'POST {self._display_path("/auth/sign_in")} returned HTTP {response.status_code} '
                'without an access_token.')
        return token

    # Transport
    def _display_path(self, path):
        # Paths in messages carry the /api prefix, as in the vendor's documentation.
        prefix = self.base_url.rsplit('/api', 1)[0]
        return self.base_url[len(prefix):] + path

    def _send_once(self, method, path, body, token):
        headers = {}
        if token is not None:
            headers['Authorization'] = f'Bearer {token}'
        self.request_count += 1
        try:
            response = self.session.request(
                method, self.base_url + path, json=body, headers=headers, timeout=self.timeout,
                verify=self.verify)
        except requests.exceptions.SSLError as exc:
            raise PbxConnectionError(
                f'TLS connection to {self.base_url} failed: {self._describe(exc)}. '
                'If the PBX uses a self-signed or private certificate, set ca_path to its CA file '
                '(or, in a lab only, validate_certs: false).') from None
        except requests.exceptions.Timeout as exc:
            raise _RetryableError(PbxConnectionError(
                f'{method} {self._display_path(path)} to {self.base_url} timed out after '
                f'{self.timeout} seconds ({type(exc).__name__}). Raise timeout if the PBX is slow.'))
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _RetryableError(PbxConnectionError(
                f'Connection to {self.base_url} failed during {method} {self._display_path(path)}: '
                f'{self._describe(exc)}. Check pbx_url, the network path and any proxy '
                '(use_proxy), and ca_path or validate_certs for TLS problems.'))
        except requests.exceptions.RequestException as exc:
            # Redirect loops, invalid URLs and similar: retrying cannot help.
            raise PbxConnectionError(
                f'{method} {self._display_path(path)} to {self.base_url} failed: '
                f'{type(exc).__name__}: {self._describe(exc)}.') from None
        self._last_status = response.status_code
        self._last_retry_after = response.headers.get('Retry-After')
        return response

    @staticmethod
    def _describe(exc):
        # requests nests urllib3 errors; the innermost reason is the readable one.
        reason = exc
        while getattr(reason, 'args', None) and isinstance(reason.args[0], Exception):
            reason = reason.args[0]
        inner = getattr(reason, 'reason', None)
        if isinstance(inner, Exception):
            reason = inner
        return str(reason) or type(reason).__name__

    def _send_with_retries(self, method, path, body, token):
        attempt = 0
        while True:
            self._attempts = attempt + 1
            try:
                response = self._send_once(method, path, body, token)
            except _RetryableError as wrapped:
                if attempt >= self.max_retries:
                    raise PbxConnectionError(
                        f'{wrapped.error.message} Gave up after {attempt + 1} attempts.') from None
                self.sleep(self.backoff * (2 ** attempt))
                attempt += 1
                continue

            if response.status_code not in RETRY_STATUSES:
                return response
            if attempt >= self.max_retries:
                return response

            delay = self.backoff * (2 ** attempt)
            if response.status_code == 429:
                requested = parse_retry_after(response.headers.get('Retry-After'))
                if requested is not None:
                    if requested > MAX_RETRY_AFTER:
                        # Hand the 429 to _decode, which reports it with the PBX's message.
                        return response
                    delay = requested
            response.close()
            self.sleep(delay)
            attempt += 1

    def _decode(self, method, path, response, allow_empty):
        status = response.status_code
        shown_path = self._display_path(path)
        content = response.content or b''
        content_type = response.headers.get('Content-Type', 'no Content-Type')

        body = None
        decoded = False
        if content.strip():
            try:
                body = response.json()
                decoded = True
            except ValueError:
                decoded = False

        if status >= 400:
            self._raise_for_status(method, shown_path, status, body if decoded else None,
                                   content, content_type)

        if not content.strip():
            if allow_empty:
                return None
            raise PbxResponseError(
                f'{method} {shown_path} returned HTTP {status} with an empty body where '
                'JSON was expected. Check that pbx_url points at the PBX REST API.')
        if not decoded:
            raise PbxResponseError(
                f'{method} {shown_path} returned HTTP {status} with a body that is not JSON '
                f'({content_type}). Check that pbx_url points at the PBX REST API and not at '
                'a web portal or a proxy error page.')
        return body

    def _raise_for_status(self, method, shown_path, status, body, content, content_type):
        messages = _error_messages(body)
        if messages:
            reason = '; '.join(messages)
        elif body is None and content.strip():
            reason = f'the reply body is not JSON ({content_type})'
        elif body is None:
            reason = 'the reply body is empty'
        else:
            reason = 'the reply has no error message'
        errors = body.get('errors') if isinstance(body, dict) and isinstance(body.get('errors'), list) else []
        text = f'{method} {shown_path} failed with HTTP {status}: {reason}.'

        if status in (401, 403):
            if self._static_token is not None:
                hint = 'The PBX rejected the access token (pbx_token): check that it is valid and not expired.'
            else:
                hint = ('The PBX rejected the credentials (pbx_username, pbx_password, pbx_domain) '
                        'or the session token from sign-in.')
            if status == 403:
                hint += ' HTTP 403 can also mean that the account lacks permission for this request.'
            raise PbxAuthError(f'{text} {hint}', method=method, path=shown_path, status=status, errors=errors)
        if status == 404:
            raise PbxNotFoundError(text, method=method, path=shown_path, status=status, errors=errors)
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(self._last_retry_after)
            if status == 429 and retry_after is not None and retry_after > MAX_RETRY_AFTER:
                text += (f' The PBX asked to retry after {retry_after:.0f} seconds, longer than the '
                         f'{MAX_RETRY_AFTER} seconds this collection waits. Run the task again later.')
            else:
                text += f' The PBX was still unavailable after {self._attempts} attempts.'
        raise PbxApiError(text, method=method, path=shown_path, status=status, errors=errors)


class _RetryableError(Exception):
    """Internal wrapper for a connection failure that may be retried."""

    def __init__(self, error):
        super().__init__(error.message)
        self.error = error

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exceptions raised by the portsip.pbx client, validation and reconcile code.

The message of every exception is safe to show to users: the code that raises
them never puts a token, password or Authorization header into it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class PbxError(Exception):
    """Base class of every error that a module turns into ``fail_json``."""

    def __init__(self, message, **details):
        super(PbxError, self).__init__(message)
        self.message = message
        # Extra result keys for fail_json, for example the PBX's error list.
        self.details = details


class PbxValidationError(PbxError):
    """Invalid task input, found before any request is sent."""


class PbxConnectionError(PbxError):
    """TLS, DNS, connect or read failure that retries did not overcome."""


class PbxResponseError(PbxError):
    """A reply whose body is not the JSON that the API documents."""


class PbxVerifyError(PbxError):
    """The PBX accepted a write but does not hold the desired member list."""


class PbxApiError(PbxError):
    """An HTTP error status from the PBX."""

    def __init__(self, message, method=None, path=None, status=None, errors=None):
        super(PbxApiError, self).__init__(message, status=status, errors=errors or [])
        self.method = method
        self.path = path
        self.status = status
        self.errors = errors or []


class PbxAuthError(PbxApiError):
    """Rejected credentials or token, or an account that needs two-factor sign-in."""


class PbxNotFoundError(PbxApiError):
    """HTTP 404: the phone, member or extension does not exist."""

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment:

    # Connection options; they match CONNECTION_ARGUMENT_SPEC in module_utils/common.py.
    DOCUMENTATION = r'''
options:
  pbx_url:
    description:
      - URL of the PortSIP PBX, for example V(https://pbx.example.com:8887).
      - The module appends V(/api) unless the URL already ends with it.
      - The URL must start with V(https://) or V(http://).
      - If not set, the value of the E(PORTSIP_PBX_URL) environment variable is used.
    type: str
    required: true
  pbx_token:
    description:
      - Bearer access token for the PBX REST API.
      - Mutually exclusive with O(pbx_username). One of them is required.
      - If not set, the value of the E(PORTSIP_PBX_TOKEN) environment variable is used.
    type: str
  pbx_username:
    description:
      - User name to sign in with when no O(pbx_token) is given.
      - The module signs in with C(POST /api/auth/sign_in) before its first request and signs out
        before it exits, so a run leaves no session on the PBX.
      - Accounts with two-factor authentication cannot sign in this way; use O(pbx_token) for them.
      - If not set, the value of the E(PORTSIP_PBX_USERNAME) environment variable is used.
    type: str
  pbx_password:
    description:
      - Password of O(pbx_username). Required with O(pbx_username).
      - If not set, the value of the E(PORTSIP_PBX_PASSWORD) environment variable is used.
    type: str
  pbx_domain:
    description:
      - SIP domain of the tenant that O(pbx_username) belongs to.
      - If not set, the value of the E(PORTSIP_PBX_DOMAIN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the PBX's TLS certificate.
      - Set to V(false) only on a lab PBX; prefer O(ca_path) for a self-signed certificate.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file with the CA certificate (or the self-signed certificate) that signed the PBX's
        certificate. Used instead of the system trust store.
    type: path
  timeout:
    description:
      - Seconds to wait for the PBX to accept a connection and for each reply.
    type: int
    default: 30
  use_proxy:
    description:
      - Whether to honour the proxy environment variables (E(HTTPS_PROXY), E(HTTP_PROXY), E(NO_PROXY)).
      - With V(false) the module connects directly, and also ignores E(REQUESTS_CA_BUNDLE) and C(.netrc).
    type: bool
    default: true
notes:
  - Connection errors, HTTP 429 (honouring C(Retry-After) up to 60 seconds) and HTTP 502, 503 and 504 are retried
    up to 3 times with exponential backoff (1, 2 and 4 seconds).
  - All modules of this collection belong to the action group C(portsip.pbx.api), so
    C(module_defaults) with C(group/portsip.pbx.api) sets the connection options once for a play.
requirements:
  - requests
'''

    # Attributes shared by every module; modules add check_mode and diff_mode themselves.
    ATTRIBUTES = r'''
attributes:
  action_group:
    description: Use C(group/portsip.pbx.api) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - portsip.pbx.api
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
'''

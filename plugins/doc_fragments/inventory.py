# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment:

    # Connection options of inventory plugins. They match CONNECTION_ARGUMENT_SPEC in
    # module_utils/common.py and the portsip.pbx.connection fragment of the modules,
    # with the environment variables declared in the inventory plugin style.
    # ca_path is a str here, not a path: Ansible would make a template such as
    # "{{ pbx_ca_path }}" relative to the working directory before rendering it.
    DOCUMENTATION = r'''
options:
  pbx_url:
    description:
      - URL of the PortSIP PBX, for example V(https://pbx.example.com:8887).
      - The plugin appends V(/api) unless the URL already ends with it.
      - The URL must start with V(https://) or V(http://).
    type: str
    required: true
    env:
      - name: PORTSIP_PBX_URL
  pbx_token:
    description:
      - Bearer access token for the PBX REST API.
      - Mutually exclusive with O(pbx_username). One of them is required.
    type: str
    env:
      - name: PORTSIP_PBX_TOKEN
  pbx_username:
    description:
      - User name to sign in with when no O(pbx_token) is given.
      - The plugin signs in with C(POST /api/auth/sign_in) before its first request and signs out when it has
        read the phone list, so an inventory run leaves no session on the PBX.
      - Accounts with two-factor authentication cannot sign in this way; use O(pbx_token) for them.
    type: str
    env:
      - name: PORTSIP_PBX_USERNAME
  pbx_password:
    description:
      - Password of O(pbx_username). Required with O(pbx_username).
    type: str
    env:
      - name: PORTSIP_PBX_PASSWORD
  pbx_domain:
    description:
      - SIP domain of the tenant that O(pbx_username) belongs to.
    type: str
    env:
      - name: PORTSIP_PBX_DOMAIN
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
      - A leading V(~) is expanded to the home directory.
    type: str
  timeout:
    description:
      - Seconds to wait for the PBX to accept a connection and for each reply.
    type: int
    default: 30
  use_proxy:
    description:
      - Whether to honour the proxy environment variables (E(HTTPS_PROXY), E(HTTP_PROXY), E(NO_PROXY)).
      - With V(false) the plugin connects directly, and also ignores E(REQUESTS_CA_BUNDLE) and C(.netrc).
    type: bool
    default: true
notes:
  - Connection errors, HTTP 429 (honouring C(Retry-After) up to 60 seconds) and HTTP 502, 503 and 504 are retried
    up to 3 times with exponential backoff (1, 2 and 4 seconds).
  - O(pbx_url), O(pbx_token), O(pbx_username), O(pbx_password), O(pbx_domain) and O(ca_path) may be Jinja2
    templates, for example V({{ lookup('ansible.builtin.env', 'PBX_TOKEN') }}). Lookups and extra variables
    (C(-e)) are available there, host variables are not. An option whose template renders to an empty string
    counts as not set.
requirements:
  - requests
'''

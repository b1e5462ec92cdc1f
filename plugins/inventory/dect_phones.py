# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: dect_phones
short_description: Inventory of the DECT phones of a PortSIP PBX
version_added: 1.0.0
description:
  - Reads the DECT phones (base stations and DECT managers) of a PortSIP PBX with C(GET /api/dect_phones) and adds
    one host per phone.
  - The host name is the phone's name with every run of characters other than letters (of any script), digits,
    C(_), C(.) and C(-) replaced by one C(_), and with leading and trailing C(_), C(.) and C(-) removed.
    C(Ward A base) becomes C(Ward_A_base), and C(Büro 2. OG / Nord) becomes C(Büro_2._OG_Nord).
  - When several phones get the same host name, each of them gets C(_) and its MAC address (12 lower-case hex
    digits) appended, for example C(Ward_A_base_805ec0112233). A phone with no usable name is named C(dect_) and
    its MAC address, or C(dect_) and its ID when it has no MAC address either.
  - Each host gets the variables C(dect_phone_id), C(dect_phone_name), C(mac), C(model), C(vendor) and C(lines),
    so a play for all hosts can pass C(dect_phone_id) to M(portsip.pbx.dect_members) for its host.
  - The hosts are not machines that Ansible can reach. Run plays against them with the C(local) connection or
    delegate their tasks to C(localhost).
  - The configuration file is a YAML file whose name ends in C(dect_phones.yml) or C(dect_phones.yaml), and whose
    O(plugin) key is V(portsip.pbx.dect_phones).
author:
  - portsip.pbx contributors (!UNKNOWN)
extends_documentation_fragment:
  - portsip.pbx.inventory
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [portsip.pbx.dect_phones]
notes:
  - The plugin sends C(GET /api/dect_phones) once per inventory run, and signs out afterwards if it signed in with
    O(pbx_username). With O(cache=true) a run that finds the phone list in the cache sends no request at all.
  - The cache stores only the fields that become host variables, never a token or password.
  - Text fields that the PBX returns as V(null) become empty strings, and C(lines) is V(null) when the PBX does not
    return a number.
seealso:
  - module: portsip.pbx.dect_members
  - module: portsip.pbx.dect_member_info
'''

EXAMPLES = r'''
# pbx.dect_phones.yml: one host per DECT phone. The token comes from PORTSIP_PBX_TOKEN;
# the phones are grouped by vendor and model, and the Ward bases form the group "wards".
plugin: portsip.pbx.dect_phones
pbx_url: https://pbx.example.com:8887
ca_path: /etc/pki/portsip-ca.pem
keyed_groups:
  - key: vendor | lower
    prefix: vendor
  - key: model | lower | replace(' ', '_')
    prefix: model
groups:
  wards: dect_phone_name is match('Ward ')
compose:
  ansible_connection: "'local'"
  ansible_python_interpreter: ansible_playbook_python

# To sign in with a user name instead of the token, add:
#   pbx_username: admin
#   pbx_password: "{{ lookup('ansible.builtin.env', 'PBX_ADMIN_PASSWORD') }}"
#   pbx_domain: example.com
#
# To keep the phone list for ten minutes in a JSON file cache, add:
#   cache: true
#   cache_plugin: ansible.builtin.jsonfile
#   cache_connection: ~/.cache/portsip-dect-phones
#   cache_timeout: 600
'''

import os
import re

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.portsip.pbx.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.portsip.pbx.plugins.module_utils.common import (
    CONNECTION_ARGUMENT_SPEC,
    CONNECTION_MUTUALLY_EXCLUSIVE,
    CONNECTION_REQUIRED_ONE_OF,
    CONNECTION_REQUIRED_TOGETHER,
    client_from_params,
)
from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxError
from ansible_collections.portsip.pbx.plugins.module_utils.operations import list_dect_phones, normalize_mac

# Options that may hold a Jinja2 template, such as a lookup of a secret.
TEMPLATED_OPTIONS = ('pbx_url', 'pbx_token', 'pbx_username', 'pbx_password', 'pbx_domain', 'ca_path')

# Characters that stay in a host name: letters of any script, digits, '_', '.'
# and '-'. Everything else would need quoting in --limit patterns or would be
# read as a host range ("[1:3]") or a port (":").
HOSTNAME_UNSAFE_RE = re.compile(r'[^\w.-]+')
HOSTNAME_TRIM = '_.-'

# Phone fields kept per host, and so the only fields written to the cache.
TEXT_FIELDS = ('id', 'name', 'mac', 'model', 'vendor')


def sanitize_host_name(name):
    """Return ``name`` reduced to letters, digits, '_', '.' and '-', or '' when nothing is left."""
    return HOSTNAME_UNSAFE_RE.sub('_', str(name or '')).strip(HOSTNAME_TRIM)


def phone_record(phone):
    """Return the fields of one PBX phone that the inventory uses, with null text as ''."""
    record = {}
    for field in TEXT_FIELDS:
        value = phone.get(field)
        record[field] = '' if value is None else str(value)
    try:
        record['lines'] = int(phone.get('lines'))
    except (TypeError, ValueError):
        record['lines'] = None
    return record


def _fallback_name(record):
    mac = normalize_mac(record['mac'])
    return 'dect_' + (mac or sanitize_host_name(record['id']))


def assign_host_names(records):
    """Return (host name, record) pairs, sorted by host name, with a unique name per phone.

    A name shared by several phones gets '_' and the MAC address appended for
    each of them, so no phone keeps the plain name by the accident of list order.
    """
    # Sorted input makes the rare second-level suffixes independent of the PBX's list order.
    records = sorted(records, key=lambda record: (record['name'], record['mac'], record['id']))
    base_names = [sanitize_host_name(record['name']) or _fallback_name(record) for record in records]
    counts = {}
    for name in base_names:
        counts[name] = counts.get(name, 0) + 1

    assigned = {}
    for name, record in zip(base_names, records):
        if counts[name] > 1:
            suffix = normalize_mac(record['mac']) or sanitize_host_name(record['id'])
            name = f'{name}_{suffix}'
        # A name that is still taken (two phones with the same name and MAC
        # address, or a suffixed name equal to another phone's name) gets the phone ID too.
        if name in assigned:
            name = f"{name}_{sanitize_host_name(record['id'])}"
        # Only a PBX that lists one phone ID twice gets here.
        unique_name, number = name, 2
        while unique_name in assigned:
            unique_name, number = f'{name}_{number}', number + 1
        assigned[unique_name] = record
    return sorted(assigned.items())


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """Add one host per DECT phone of a PortSIP PBX."""

    NAME = 'portsip.pbx.dect_phones'

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        if path.endswith(('dect_phones.yml', 'dect_phones.yaml')):
            return True
        self.display.vvv(f'{self.NAME}: skipping {path}: the file name does not end in dect_phones.yml or dect_phones.yaml')
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache

        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._read_phones()
        if update_cache:
            self._cache[cache_key] = records

        self._populate(records)

    def _connection_params(self):
        """Return the connection options, templated and checked like a module's parameters."""
        params = {}
        for name in CONNECTION_ARGUMENT_SPEC:
            value = self.get_option(name)
            if value is None:
                continue
            if name in TEMPLATED_OPTIONS:
                value = self._template_option(name, value)
                if value is None or value == '':
                    continue
            if name == 'ca_path':
                value = os.path.expanduser(value)
            params[name] = value

        validator = ArgumentSpecValidator(
            CONNECTION_ARGUMENT_SPEC,
            mutually_exclusive=CONNECTION_MUTUALLY_EXCLUSIVE,
            required_one_of=CONNECTION_REQUIRED_ONE_OF,
            required_together=CONNECTION_REQUIRED_TOGETHER,
        )
        result = validator.validate(params)
        if result.error_messages:
            raise AnsibleParserError(f'{self.NAME}: invalid configuration: {"; ".join(result.error_messages)}')
        validated = result.validated_parameters
        if validated['timeout'] <= 0:
            raise AnsibleParserError(
                f"{self.NAME}: timeout {validated['timeout']} is invalid: give a number of seconds above 0.")
        return validated

    def _template_option(self, name, value):
        # str() decrypts an inline vault value. A str stays as it is, because
        # ansible-core 2.19 and later only render a str that keeps its trust tag.
        text = value if isinstance(value, str) else str(value)
        if not self.templar.is_template(text):
            return text
        # Extra variables (-e) are the only variables an inventory source has.
        self.templar.available_variables = self._vars or {}
        try:
            rendered = self.templar.template(text)
        except Exception as exc:  # pylint: disable=broad-except
            # Any templating error (undefined variable, failed lookup) ends the parse;
            # the option name is shown, never its value.
            raise AnsibleParserError(f'{self.NAME}: templating option {name} failed: {to_native(exc)}') from None
        return None if rendered is None else str(rendered)

    def _read_phones(self):
        """Read the phone list from the PBX and return one record per phone."""
        if not HAS_REQUESTS:
            raise AnsibleParserError(
                f'{self.NAME} needs the Python library requests in the Python environment that runs Ansible '
                f'(pip install requests). Importing it failed: {REQUESTS_IMPORT_ERROR.strip().splitlines()[-1]}')
        params = self._connection_params()
        client = None
        try:
            client = client_from_params(params)
            with client:
                phones = list_dect_phones(client)
        except PbxError as exc:
            raise AnsibleParserError(f'{self.NAME}: {exc.message}') from None
        finally:
            for warning in (client.warnings if client is not None else []):
                self.display.warning(f'{self.NAME}: {warning}')
        return [phone_record(phone) for phone in phones if isinstance(phone, dict)]

    def _populate(self, records):
        strict = self.get_option('strict')
        for host_name, record in assign_host_names(records):
            host_vars = {
                'dect_phone_id': record['id'],
                'dect_phone_name': record['name'],
                'mac': record['mac'],
                'model': record['model'],
                'vendor': record['vendor'],
                'lines': record['lines'],
            }
            self.inventory.add_host(host_name)
            for name, value in host_vars.items():
                self.inventory.set_variable(host_name, name, value)

            self._set_composite_vars(self.get_option('compose'), host_vars, host_name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host_name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host_name, strict=strict)

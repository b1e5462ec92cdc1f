# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the portsip.pbx.dect_phones inventory plugin with a fake PBX client."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.portsip.pbx.plugins.inventory import dect_phones
from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxAuthError

URL = 'https://pbx.example.com:8887'
TOKEN = 'tok-SECRET-4b1e'
PASSWORD = 'pw-SECRET-9c2d'

PHONES = [
    {'id': 'id-ward-a', 'name': 'Ward A base', 'mac': '80:5E:C0:11:22:33', 'vendor': 'Yealink',
     'model': 'W60B', 'lines': 8, 'template': 'yealink_w60b.xml', 'password': 'device-secret'},
    {'id': 'id-reception', 'name': 'Reception base', 'mac': '7C:2F:80:A1:B2:C3', 'vendor': 'Gigaset',
     'model': 'N670 IP PRO', 'lines': '20'},
    {'id': 'id-warehouse', 'name': 'Warehouse base', 'mac': '00:04:13:5A:6B:7C', 'vendor': 'Snom',
     'model': 'M700', 'lines': 30},
]


class FakeClient:
    """Stands in for PbxClient: returns a scripted phone list and records close()."""

    def __init__(self, params, phones=None, error=None, warnings=None):
        self.params = params
        self.phones = PHONES if phones is None else phones
        self.error = error
        self.warnings = list(warnings or [])
        self.requests = []
        self.closed = 0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.close()
        return False

    def get(self, path):
        self.requests.append(path)
        if self.error is not None:
            raise self.error
        return {'items': self.phones}

    def close(self):
        self.closed += 1


class ClientFactory:
    """Replaces client_from_params and keeps every client that it creates."""

    def __init__(self, **client_options):
        self.client_options = client_options
        self.clients = []

    def __call__(self, params):
        client = FakeClient(dict(params), **self.client_options)
        self.clients.append(client)
        return client

    @property
    def request_count(self):
        return sum(len(client.requests) for client in self.clients)


class RecordingDisplay:
    """Collects the plugin's warnings instead of printing them."""

    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)

    def vvv(self, message):
        pass


@pytest.fixture
def factory(monkeypatch):
    client_factory = ClientFactory()
    monkeypatch.setattr(dect_phones, 'client_from_params', client_factory)
    return client_factory


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ('PORTSIP_PBX_URL', 'PORTSIP_PBX_TOKEN', 'PORTSIP_PBX_USERNAME', 'PORTSIP_PBX_PASSWORD',
                 'PORTSIP_PBX_DOMAIN'):
        monkeypatch.delenv(name, raising=False)


def write_config(tmp_path, options, file_name='pbx.dect_phones.yml'):
    config = {'plugin': 'portsip.pbx.dect_phones'}
    config.update(options)
    path = tmp_path / file_name
    path.write_text(yaml.safe_dump(config), encoding='utf-8')
    return str(path)


def load_plugin():
    plugin = inventory_loader.get('portsip.pbx.dect_phones')
    assert plugin is not None, 'the inventory plugin portsip.pbx.dect_phones was not found'
    plugin.display = RecordingDisplay()
    return plugin


def parse(tmp_path, options, cache=True):
    """Parse a configuration with the given options and return (inventory, plugin)."""
    path = write_config(tmp_path, options)
    plugin = load_plugin()
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), path, cache=cache)
    return inventory, plugin


def host_vars(inventory, host_name):
    return inventory.get_host(host_name).get_vars()


def group_hosts(inventory, group_name):
    return sorted(host.name for host in inventory.groups[group_name].get_hosts())


def test_verify_file_accepts_dect_phones_names(tmp_path):
    plugin = load_plugin()
    for file_name in ('dect_phones.yml', 'dect_phones.yaml', 'site1.dect_phones.yml', 'pbx-dect_phones.yaml'):
        path = write_config(tmp_path, {'pbx_url': URL}, file_name=file_name)
        assert plugin.verify_file(path), file_name


def test_verify_file_rejects_other_names(tmp_path):
    plugin = load_plugin()
    for file_name in ('inventory.yml', 'dect_phones.json', 'dect_phones.yml.bak'):
        path = write_config(tmp_path, {'pbx_url': URL}, file_name=file_name)
        assert not plugin.verify_file(path), file_name
    assert not plugin.verify_file(str(tmp_path / 'missing.dect_phones.yml'))


def test_one_host_per_phone(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert sorted(inventory.hosts) == ['Reception_base', 'Ward_A_base', 'Warehouse_base']
    assert factory.request_count == 1
    assert factory.clients[0].requests == ['/dect_phones']


def test_host_variables(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    variables = host_vars(inventory, 'Ward_A_base')
    assert variables['dect_phone_id'] == 'id-ward-a'
    assert variables['dect_phone_name'] == 'Ward A base'
    assert variables['mac'] == '80:5E:C0:11:22:33'
    assert variables['model'] == 'W60B'
    assert variables['vendor'] == 'Yealink'
    assert variables['lines'] == 8


def test_host_variables_leave_out_other_fields(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    variables = host_vars(inventory, 'Ward_A_base')
    assert 'password' not in variables
    assert 'template' not in variables


def test_lines_as_string_becomes_int(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert host_vars(inventory, 'Reception_base')['lines'] == 20


def test_null_fields(tmp_path, monkeypatch):
    phones = [{'id': 'id-1', 'name': 'Lobby', 'mac': None, 'vendor': None, 'model': None, 'lines': None}]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    variables = host_vars(inventory, 'Lobby')
    assert variables['mac'] == ''
    assert variables['vendor'] == ''
    assert variables['model'] == ''
    assert variables['lines'] is None


@pytest.mark.parametrize('name, expected', [
    ('Ward A base', 'Ward_A_base'),
    ('  Lobby (main)  ', 'Lobby_main'),
    ('Büro (2. OG)', 'Büro_2._OG'),
    ('Büro 2. OG / Nord', 'Büro_2._OG_Nord'),
    ('rack[1:3]', 'rack_1_3'),
    ('-leading-dash', 'leading-dash'),
    ('host:8080', 'host_8080'),
    ('a  /  b', 'a_b'),
    ('already_safe-1.2', 'already_safe-1.2'),
    ('!!!', ''),
    (None, ''),
])
def test_sanitize_host_name(name, expected):
    assert dect_phones.sanitize_host_name(name) == expected


def test_duplicate_names_get_mac_suffix(tmp_path, monkeypatch):
    phones = [
        {'id': 'id-1', 'name': 'Ward base', 'mac': '80:5E:C0:00:00:01'},
        {'id': 'id-2', 'name': 'Ward base', 'mac': '80-5E-C0-00-00-02'},
        {'id': 'id-3', 'name': 'Ward  base', 'mac': '80:5E:C0:00:00:03'},
        {'id': 'id-4', 'name': 'Other', 'mac': '80:5E:C0:00:00:04'},
    ]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert sorted(inventory.hosts) == [
        'Other', 'Ward_base_805ec0000001', 'Ward_base_805ec0000002', 'Ward_base_805ec0000003']
    assert host_vars(inventory, 'Ward_base_805ec0000002')['dect_phone_id'] == 'id-2'


def test_duplicate_names_without_mac_get_id_suffix(tmp_path, monkeypatch):
    phones = [
        {'id': 'id-1', 'name': 'Base', 'mac': ''},
        {'id': 'id-2', 'name': 'Base', 'mac': None},
    ]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert sorted(inventory.hosts) == ['Base_id-1', 'Base_id-2']


def test_duplicate_name_and_mac_get_id_suffix(tmp_path, monkeypatch):
    phones = [
        {'id': 'id-1', 'name': 'Base', 'mac': '80:5E:C0:00:00:01'},
        {'id': 'id-2', 'name': 'Base', 'mac': '80:5E:C0:00:00:01'},
    ]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert len(inventory.hosts) == 2
    ids = sorted(host_vars(inventory, name)['dect_phone_id'] for name in inventory.hosts)
    assert ids == ['id-1', 'id-2']


def test_unnamed_phones_use_mac_then_id(tmp_path, monkeypatch):
    phones = [
        {'id': 'id-1', 'name': '', 'mac': '80:5E:C0:00:00:01'},
        {'id': 'id-2', 'name': None, 'mac': None},
        {'id': 'id-3', 'name': '***', 'mac': 'not a mac'},
    ]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert sorted(inventory.hosts) == ['dect_805ec0000001', 'dect_id-2', 'dect_id-3']


def test_host_names_do_not_depend_on_list_order():
    records = [dect_phones.phone_record(phone) for phone in PHONES + [
        {'id': 'id-x', 'name': 'Ward A base', 'mac': '80:5E:C0:11:22:33'},
    ]]
    forward = dect_phones.assign_host_names(records)
    backward = dect_phones.assign_host_names(list(reversed(records)))

    assert [(name, record['id']) for name, record in forward] == [(name, record['id']) for name, record in backward]


def test_non_dict_items_are_skipped(tmp_path, monkeypatch):
    phones = [PHONES[0], 'junk', None]
    monkeypatch.setattr(dect_phones, 'client_from_params', ClientFactory(phones=phones))
    inventory, _plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert sorted(inventory.hosts) == ['Ward_A_base']


def test_keyed_groups_groups_and_compose(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {
        'pbx_url': URL,
        'pbx_token': TOKEN,
        'keyed_groups': [{'key': 'vendor | lower', 'prefix': 'vendor'}],
        'groups': {'wards': "dect_phone_name is match('Ward ')"},
        'compose': {'ansible_connection': "'local'", 'label': 'dect_phone_name | upper'},
    })

    assert group_hosts(inventory, 'vendor_yealink') == ['Ward_A_base']
    assert group_hosts(inventory, 'vendor_snom') == ['Warehouse_base']
    assert group_hosts(inventory, 'wards') == ['Ward_A_base']
    assert host_vars(inventory, 'Reception_base')['ansible_connection'] == 'local'
    assert host_vars(inventory, 'Warehouse_base')['label'] == 'WAREHOUSE BASE'


def test_strict_false_skips_bad_keyed_group(tmp_path, factory):
    inventory, _plugin = parse(tmp_path, {
        'pbx_url': URL,
        'pbx_token': TOKEN,
        'strict': False,
        'keyed_groups': [{'key': 'no_such_variable', 'prefix': 'bad'}],
    })

    assert sorted(inventory.hosts) == ['Reception_base', 'Ward_A_base', 'Warehouse_base']
    assert not [name for name in inventory.groups if name.startswith('bad')]


def test_strict_true_fails_on_bad_keyed_group(tmp_path, factory):
    with pytest.raises(AnsibleParserError, match='no_such_variable'):
        parse(tmp_path, {
            'pbx_url': URL,
            'pbx_token': TOKEN,
            'strict': True,
            'keyed_groups': [{'key': 'no_such_variable', 'prefix': 'bad'}],
        })


def test_strict_true_fails_on_bad_compose(tmp_path, factory):
    with pytest.raises(AnsibleError, match='no_such_variable'):
        parse(tmp_path, {
            'pbx_url': URL,
            'pbx_token': TOKEN,
            'strict': True,
            'compose': {'broken': 'no_such_variable + 1'},
        })


def test_connection_options_reach_client(tmp_path, factory):
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('not a real certificate', encoding='utf-8')
    parse(tmp_path, {
        'pbx_url': URL,
        'pbx_username': 'admin',
        'pbx_password': PASSWORD,
        'pbx_domain': 'example.com',
        'validate_certs': False,
        'ca_path': str(ca_file),
        'timeout': 7,
        'use_proxy': False,
    })

    params = factory.clients[0].params
    assert params['pbx_url'] == URL
    assert params['pbx_username'] == 'admin'
    assert params['pbx_password'] == PASSWORD
    assert params['pbx_domain'] == 'example.com'
    assert params['validate_certs'] is False
    assert params['ca_path'] == str(ca_file)
    assert params['timeout'] == 7
    assert params['use_proxy'] is False
    assert params.get('pbx_token') is None


def test_defaults_reach_client(tmp_path, factory):
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    params = factory.clients[0].params
    assert params['validate_certs'] is True
    assert params['timeout'] == 30
    assert params['use_proxy'] is True
    assert params.get('ca_path') is None


def test_environment_fallbacks(tmp_path, factory, monkeypatch):
    monkeypatch.setenv('PORTSIP_PBX_URL', URL)
    monkeypatch.setenv('PORTSIP_PBX_USERNAME', 'env-admin')
    monkeypatch.setenv('PORTSIP_PBX_PASSWORD', PASSWORD)
    monkeypatch.setenv('PORTSIP_PBX_DOMAIN', 'env.example.com')
    parse(tmp_path, {})

    params = factory.clients[0].params
    assert params['pbx_url'] == URL
    assert params['pbx_username'] == 'env-admin'
    assert params['pbx_password'] == PASSWORD
    assert params['pbx_domain'] == 'env.example.com'


def test_file_option_wins_over_environment(tmp_path, factory, monkeypatch):
    monkeypatch.setenv('PORTSIP_PBX_URL', 'https://ignored.example.com')
    monkeypatch.setenv('PORTSIP_PBX_TOKEN', 'ignored-token')
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    params = factory.clients[0].params
    assert params['pbx_url'] == URL
    assert params['pbx_token'] == TOKEN


def test_templated_options(tmp_path, factory, monkeypatch):
    monkeypatch.setenv('TEST_PBX_SECRET', TOKEN)
    parse(tmp_path, {
        'pbx_url': "{{ 'https://pbx.example.com' ~ ':8887' }}",
        'pbx_token': "{{ lookup('ansible.builtin.env', 'TEST_PBX_SECRET') }}",
    })

    params = factory.clients[0].params
    assert params['pbx_url'] == URL
    assert params['pbx_token'] == TOKEN


def test_template_rendering_empty_counts_as_unset(tmp_path, factory):
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN, 'pbx_domain': "{{ '' }}", 'ca_path': "{{ '' }}"})

    params = factory.clients[0].params
    assert params.get('pbx_domain') is None
    assert params.get('ca_path') is None


def test_ca_path_expands_home(tmp_path, factory, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN, 'ca_path': '~/pki/ca.pem'})

    assert factory.clients[0].params['ca_path'] == str(tmp_path / 'pki' / 'ca.pem')


def test_template_error_names_option_not_value(tmp_path, factory):
    with pytest.raises(AnsibleParserError) as caught:
        parse(tmp_path, {'pbx_url': URL, 'pbx_token': '{{ undefined_secret_variable }}'})

    assert 'pbx_token' in str(caught.value)
    assert factory.clients == []


def test_missing_url(tmp_path, factory):
    # Ansible's configuration manager rejects the missing required option itself.
    with pytest.raises(AnsibleError, match='pbx_url'):
        parse(tmp_path, {'pbx_token': TOKEN})

    assert factory.clients == []


@pytest.mark.parametrize('options, message', [
    ({'pbx_url': URL}, 'pbx_token'),
    ({'pbx_url': URL, 'pbx_token': TOKEN, 'pbx_username': 'admin', 'pbx_password': PASSWORD}, 'mutually exclusive'),
    ({'pbx_url': URL, 'pbx_username': 'admin'}, 'pbx_password'),
    ({'pbx_url': URL, 'pbx_token': TOKEN, 'timeout': 0}, 'timeout 0 is invalid'),
])
def test_invalid_configuration(tmp_path, factory, options, message):
    with pytest.raises(AnsibleParserError, match=message):
        parse(tmp_path, options)

    assert factory.clients == []


def test_invalid_configuration_hides_secrets(tmp_path, factory):
    with pytest.raises(AnsibleParserError) as caught:
        parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN, 'pbx_username': 'admin', 'pbx_password': PASSWORD})

    assert TOKEN not in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_client_is_closed_after_reading(tmp_path, factory):
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert len(factory.clients) == 1
    assert factory.clients[0].closed == 1


def test_client_is_closed_after_api_error(tmp_path, monkeypatch):
    error = PbxAuthError('GET /api/dect_phones failed with HTTP 401: unauthorized.',
                         method='GET', path='/api/dect_phones', status=401)
    client_factory = ClientFactory(error=error)
    monkeypatch.setattr(dect_phones, 'client_from_params', client_factory)

    with pytest.raises(AnsibleParserError, match='HTTP 401') as caught:
        parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert str(caught.value).startswith('portsip.pbx.dect_phones: ')
    assert client_factory.clients[0].closed == 1


def test_reply_without_items(tmp_path, monkeypatch):
    class NoItemsClient(FakeClient):
        def get(self, path):
            self.requests.append(path)
            return {'data': []}

    clients = []

    def create_client(params):
        clients.append(NoItemsClient(params))
        return clients[-1]

    monkeypatch.setattr(dect_phones, 'client_from_params', create_client)

    with pytest.raises(AnsibleParserError, match='"items" list'):
        parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})
    assert clients[0].closed == 1


def test_client_warnings_become_display_warnings(tmp_path, monkeypatch):
    client_factory = ClientFactory(warnings=['Sign-out from the PBX failed with HTTP 500; the session expires on its own.'])
    monkeypatch.setattr(dect_phones, 'client_from_params', client_factory)

    _inventory, plugin = parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert plugin.display.warnings == [
        'portsip.pbx.dect_phones: Sign-out from the PBX failed with HTTP 500; the session expires on its own.']


def test_missing_requests(tmp_path, factory, monkeypatch):
    monkeypatch.setattr(dect_phones, 'HAS_REQUESTS', False)
    monkeypatch.setattr(dect_phones, 'REQUESTS_IMPORT_ERROR', "Traceback\nModuleNotFoundError: No module named 'requests'\n")

    with pytest.raises(AnsibleParserError, match="pip install requests.*No module named 'requests'"):
        parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})
    assert factory.clients == []


def cache_options(tmp_path):
    return {
        'pbx_url': URL,
        'pbx_token': TOKEN,
        'cache': True,
        'cache_plugin': 'ansible.builtin.jsonfile',
        'cache_connection': str(tmp_path / 'cache'),
        'cache_timeout': 3600,
    }


def cache_file_text(tmp_path):
    return ''.join(path.read_text(encoding='utf-8') for path in sorted((tmp_path / 'cache').iterdir()))


def test_cache_is_written_and_read(tmp_path, factory):
    # The inventory manager calls update_cache_if_changed() after each parse.
    first, plugin = parse(tmp_path, cache_options(tmp_path))
    plugin.update_cache_if_changed()
    assert factory.request_count == 1

    second, _plugin = parse(tmp_path, cache_options(tmp_path))

    assert factory.request_count == 1, 'the second parse should read the cache, not the PBX'
    assert sorted(second.hosts) == sorted(first.hosts)
    assert host_vars(second, 'Ward_A_base')['dect_phone_id'] == 'id-ward-a'


def test_cache_holds_no_secrets(tmp_path, factory):
    _inventory, plugin = parse(tmp_path, cache_options(tmp_path))
    plugin.update_cache_if_changed()

    text = cache_file_text(tmp_path)
    assert 'id-ward-a' in text
    assert TOKEN not in text
    assert 'device-secret' not in text
    assert 'yealink_w60b.xml' not in text
    records = plugin.cache[plugin.get_cache_key(str(tmp_path / 'pbx.dect_phones.yml'))]
    for record in records:
        assert sorted(record) == ['id', 'lines', 'mac', 'model', 'name', 'vendor']


def test_flush_cache_reads_pbx_again(tmp_path, factory):
    _inventory, plugin = parse(tmp_path, cache_options(tmp_path))
    plugin.update_cache_if_changed()

    parse(tmp_path, cache_options(tmp_path), cache=False)

    assert factory.request_count == 2


def test_cache_disabled_reads_pbx_each_time(tmp_path, factory):
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})
    parse(tmp_path, {'pbx_url': URL, 'pbx_token': TOKEN})

    assert factory.request_count == 2


def test_plugin_uses_shared_client_factory():
    assert dect_phones.client_from_params.__module__.endswith('module_utils.common')

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of manage_members and member_info against a fake client that records each call.

Every test states the exact request sequence, because the number of requests
per run is part of the modules' documented behaviour.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
from urllib.parse import unquote

import pytest

from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
    PbxVerifyError,
)
from ansible_collections.portsip.pbx.plugins.module_utils.operations import (
    manage_members,
    member_info,
    normalize_mac,
)

PHONE_ID = '1001'
MEMBERS_PATH = f'/dect_phones/{PHONE_ID}/members'
PHONE_PATH = f'/dect_phones/{PHONE_ID}'
IPUI_A = '0328D3C918'
IPUI_B = '00B3D1E240'


def phone(phone_id=PHONE_ID, name='Ward A base', mac='80:5E:C0:11:22:33', lines=8):
    return {'id': phone_id, 'name': name, 'mac': mac, 'vendor': 'Yealink', 'model': 'W70B', 'lines': lines}


def item(extension_number, handset_index, ipui=''):
    return {'id': f'm-{extension_number}', 'extension_number': extension_number,
            'display_name': f'Nurse {extension_number}', 'ipui': ipui, 'handset_index': str(handset_index)}


def not_found(path):
    return PbxNotFoundError(f'GET /api{path} failed with HTTP 404: Not found.',
                            method='GET', path='/api' + path, status=404, errors=[])


class FakeClient:
    """An in-memory PBX with the get and post methods of PbxClient, which records every call.

    POST .../members stores the items as the PBX would, with display names added.
    ``store_filter`` may alter them first to simulate a PBX that drops a field.
    """

    def __init__(self, phones=(), members=None, store_filter=None):
        self.phones = [copy.deepcopy(entry) for entry in phones]
        self.members = copy.deepcopy(members or {})
        self.store_filter = store_filter
        self.calls = []

    def _phone(self, phone_id):
        for entry in self.phones:
            if entry['id'] == phone_id:
                return entry
        return None

    def get(self, path):
        self.calls.append(('GET', path))
        parts = [unquote(part) for part in path.strip('/').split('/')]
        if parts == ['dect_phones']:
            return {'items': copy.deepcopy(self.phones)}
        if parts[0] != 'dect_phones' or self._phone(parts[1]) is None:
            raise not_found(path)
        if len(parts) == 2:
            return copy.deepcopy(self._phone(parts[1]))
        current = self.members.get(parts[1], [])
        if len(parts) == 3:
            return {'items': copy.deepcopy(current)}
        for entry in current:
            if entry['extension_number'] == parts[3]:
                return copy.deepcopy(entry)
        raise not_found(path)

    def post(self, path, body=None):
        self.calls.append(('POST', path, copy.deepcopy(body)))
        phone_id = unquote(path.strip('/').split('/')[1])
        stored = [dict(entry, id=f"m-{entry['extension_number']}", display_name=f"Nurse {entry['extension_number']}")
                  for entry in body['items']]
        if self.store_filter is not None:
            stored = self.store_filter(stored)
        self.members[phone_id] = stored
        return None

    @property
    def posts(self):
        return [call for call in self.calls if call[0] == 'POST']


def pbx(*members, lines=8, phones=None):
    return FakeClient(phones=phones or [phone(lines=lines)], members={PHONE_ID: list(members)})


def by_id(members, **options):
    params = {'dect_phone_id': PHONE_ID, 'members': members, 'state': 'present', 'exclusive': False}
    params.update(options)
    return params


def by_name(members, name='Ward A base', **options):
    params = {'dect_phone': name, 'members': members, 'state': 'present', 'exclusive': False}
    params.update(options)
    return params


# Request sequences
def test_unchanged_one_get():
    client = pbx(item('101', 1, IPUI_A), item('102', 2))

    params = by_id([{'extension_number': '101', 'handset_index': '01', 'ipui': IPUI_A.lower()}])

    result = manage_members(client, params)

    assert client.calls == [('GET', MEMBERS_PATH)]
    assert result['changed'] is False


def test_unchanged_result_fields():
    client = pbx(item('102', 2), item('101', 1, IPUI_A))

    result = manage_members(client, by_id([{'extension_number': '101'}]))

    assert result == {
        'changed': False,
        'dect_phone_id': PHONE_ID,
        'members': [
            {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A, 'display_name': 'Nurse 101'},
            {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': 'Nurse 102'},
        ],
        'added': [],
        'removed': [],
        'updated': [],
    }


def test_changed_by_id_sequence():
    client = pbx(item('101', 1), item('102', 2))

    result = manage_members(client, by_id([{'extension_number': '101', 'ipui': IPUI_A}]))

    assert client.calls == [
        ('GET', MEMBERS_PATH),
        ('POST', MEMBERS_PATH, {'items': [
            {'extension_number': '101', 'ipui': IPUI_A, 'handset_index': '1'},
            {'extension_number': '102', 'ipui': '', 'handset_index': '2'},
        ]}),
        ('GET', MEMBERS_PATH),
    ]
    assert result['changed'] is True
    assert result['updated'] == ['101']


def test_changed_needing_lines_sequence():
    client = pbx(item('101', 1), item('102', 2))

    result = manage_members(client, by_id([{'extension_number': '103'}]))

    assert client.calls == [
        ('GET', MEMBERS_PATH),
        ('GET', PHONE_PATH),
        ('POST', MEMBERS_PATH, {'items': [
            {'extension_number': '101', 'ipui': '', 'handset_index': '1'},
            {'extension_number': '102', 'ipui': '', 'handset_index': '2'},
            {'extension_number': '103', 'ipui': '', 'handset_index': '3'},
        ]}),
        ('GET', MEMBERS_PATH),
    ]
    assert result['added'] == ['103']


def test_result_members_read_back():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '103', 'handset_index': 1}], exclusive=True))

    assert result['members'] == [
        {'extension_number': '103', 'handset_index': 1, 'ipui': '', 'display_name': 'Nurse 103'}]


def test_by_name_lists_phones_first():
    client = pbx(item('101', 1))

    result = manage_members(client, by_name([{'extension_number': '102'}]))

    assert client.calls == [
        ('GET', '/dect_phones'),
        ('GET', MEMBERS_PATH),
        ('POST', MEMBERS_PATH, {'items': [
            {'extension_number': '101', 'ipui': '', 'handset_index': '1'},
            {'extension_number': '102', 'ipui': '', 'handset_index': '2'},
        ]}),
        ('GET', MEMBERS_PATH),
    ]
    assert result['dect_phone_id'] == PHONE_ID


@pytest.mark.parametrize('mac', ['80:5e:c0:11:22:33', '80-5E-C0-11-22-33', '805ec0112233', '805E.C011.2233'])
def test_by_mac_any_notation(mac):
    client = pbx(item('101', 1))

    result = manage_members(client, by_name([{'extension_number': '101'}], name=mac))

    assert client.calls == [('GET', '/dect_phones'), ('GET', MEMBERS_PATH)]
    assert result['dect_phone_id'] == PHONE_ID


def test_by_name_uses_given_phone_list():
    client = pbx(item('101', 1))
    cached = [phone()]

    manage_members(client, by_name([{'extension_number': '101'}]), phones=lambda: cached)

    assert client.calls == [('GET', MEMBERS_PATH)]


def test_phone_id_is_quoted():
    client = FakeClient(phones=[phone(phone_id='a/b c')], members={'a/b c': [item('101', 1)]})

    manage_members(client, {'dect_phone_id': 'a/b c', 'members': [{'extension_number': '101'}]})

    assert client.calls == [('GET', '/dect_phones/a%2Fb%20c/members')]


# Each scenario (PBX members, phone lines, task params) runs with and without check mode.
MUTATING_SCENARIOS = [
    pytest.param([item('101', 1)], 8, by_id([{'extension_number': '101', 'ipui': IPUI_A}]),
                 id='update-ipui'),
    pytest.param([item('101', 1)], 8, by_id([{'extension_number': '102'}]),
                 id='add-needs-lines'),
    pytest.param([item('101', 1), item('102', 2)], 8, by_id([{'extension_number': '102'}], exclusive=True),
                 id='exclusive-removes'),
    pytest.param([item('101', 1), item('102', 2)], 8, by_id([], exclusive=True),
                 id='exclusive-empties'),
    pytest.param([item('101', 1), item('102', 2)], 8, by_id([{'extension_number': '101'}], state='absent'),
                 id='absent-removes'),
    pytest.param([item('101', 1), item('102', 2)], 8,
                 by_id([{'extension_number': '101', 'handset_index': 2}, {'extension_number': '102', 'handset_index': 1}]),
                 id='swap-slots'),
    pytest.param([item('101', 1)], 8, by_name([{'extension_number': '105', 'handset_index': 8}]),
                 id='by-name-add'),
    pytest.param([], 8, by_id([{'extension_number': '101', 'ipui': '02877 0123456 0'}]),
                 id='add-with-ipei'),
]


def strip_display_names(members):
    return [{key: value for key, value in member.items() if key != 'display_name'} for member in members]


@pytest.mark.parametrize('current, lines, params', MUTATING_SCENARIOS)
def test_check_mode_twin(current, lines, params):
    real = pbx(*current, lines=lines)
    check = pbx(*current, lines=lines)

    real_result = manage_members(real, copy.deepcopy(params), check_mode=False, diff=True)
    check_result = manage_members(check, copy.deepcopy(params), check_mode=True, diff=True)

    assert check.posts == []
    assert check.calls == [call for call in real.calls if call[0] == 'GET'][:-1]
    assert check.members == pbx(*current).members
    assert check_result['changed'] is True
    assert real_result['changed'] is True
    for key in ('added', 'removed', 'updated', 'diff', 'dect_phone_id'):
        assert check_result[key] == real_result[key]
    assert strip_display_names(check_result['members']) == strip_display_names(real_result['members'])


def test_check_mode_new_member_blank_name():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '102'}]), check_mode=True)

    assert result['members'][1] == {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': ''}


def test_check_mode_unchanged_one_get():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '101'}]), check_mode=True)

    assert client.calls == [('GET', MEMBERS_PATH)]
    assert result['changed'] is False


def test_absent_non_member_no_post():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '999'}], state='absent'))

    assert client.calls == [('GET', MEMBERS_PATH)]
    assert result['changed'] is False


def test_remove_needs_no_lines():
    client = pbx(item('101', 1), item('102', 2))

    manage_members(client, by_id([{'extension_number': '102'}], state='absent'))

    assert ('GET', PHONE_PATH) not in client.calls


# Diff
def test_diff_before_after_sorted():
    client = pbx(item('110', 2), item('101', 1, IPUI_A))

    result = manage_members(client, by_id([{'extension_number': '105'}, {'extension_number': '101', 'ipui': ''}]),
                            diff=True)

    assert result['diff']['before'] == {'members': [
        {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A},
        {'extension_number': '110', 'handset_index': 2, 'ipui': ''},
    ]}
    assert result['diff']['after'] == {'members': [
        {'extension_number': '101', 'handset_index': 1, 'ipui': ''},
        {'extension_number': '105', 'handset_index': 3, 'ipui': ''},
        {'extension_number': '110', 'handset_index': 2, 'ipui': ''},
    ]}
    assert result['diff']['before_header'] == "DECT phone id '1001'"


def test_no_diff_unless_requested():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '102'}]))

    assert 'diff' not in result


def test_diff_when_unchanged():
    client = pbx(item('101', 1))

    result = manage_members(client, by_id([{'extension_number': '101'}]), diff=True)

    assert result['diff']['before'] == result['diff']['after']


# Failures
def test_verify_mismatch_fails():
    def drop_ipui(stored):
        return [dict(entry, ipui='') for entry in stored]

    client = FakeClient(phones=[phone()], members={PHONE_ID: [item('101', 1)]}, store_filter=drop_ipui)

    with pytest.raises(PbxVerifyError) as error:
        manage_members(client, by_id([{'extension_number': '101', 'ipui': IPUI_A}]))

    assert f"extension 101 has ipui '' instead of '{IPUI_A}'" in str(error.value)
    assert "DECT phone id '1001'" in str(error.value)
    assert error.value.details['expected_members'][0]['ipui'] == IPUI_A
    assert error.value.details['members'][0]['ipui'] == ''
    assert [call[0] for call in client.calls] == ['GET', 'POST', 'GET']


def test_verify_missing_member_fails():
    client = FakeClient(phones=[phone()], members={PHONE_ID: []}, store_filter=lambda stored: stored[:-1])

    with pytest.raises(PbxVerifyError, match='extension 102 is missing'):
        manage_members(client, by_id([{'extension_number': '101'}, {'extension_number': '102'}]))


def test_unknown_phone_id_not_found():
    client = pbx()

    with pytest.raises(PbxNotFoundError) as error:
        manage_members(client, by_id([{'extension_number': '101'}], dect_phone_id='999'))

    assert "DECT phone id '999' not found" in str(error.value)
    assert 'GET /api/dect_phones/999/members returned HTTP 404' in str(error.value)
    assert error.value.status == 404
    assert client.calls == [('GET', '/dect_phones/999/members')]


def test_capacity_exceeded_no_post():
    client = pbx(item('101', 1), item('102', 2), lines=2)

    with pytest.raises(PbxValidationError) as error:
        manage_members(client, by_id([{'extension_number': '103'}]))

    assert 'has 2 handset slots' in str(error.value)
    assert client.calls == [('GET', MEMBERS_PATH), ('GET', PHONE_PATH)]


def test_capacity_exceeded_check_mode():
    client = pbx(item('101', 1), item('102', 2), lines=2)

    with pytest.raises(PbxValidationError, match='has 2 handset slots'):
        manage_members(client, by_id([{'extension_number': '103'}]), check_mode=True)

    assert client.posts == []


def test_slot_above_lines_by_name():
    client = pbx(item('101', 1), lines=4)

    with pytest.raises(PbxValidationError, match='has only 4 handset slots'):
        manage_members(client, by_name([{'extension_number': '102', 'handset_index': 5}]))

    assert client.calls == [('GET', '/dect_phones'), ('GET', MEMBERS_PATH)]


def test_phone_details_without_lines():
    client = FakeClient(phones=[{'id': PHONE_ID, 'name': 'Ward A base'}], members={PHONE_ID: []})

    with pytest.raises(PbxResponseError, match='without "lines"'):
        manage_members(client, by_id([{'extension_number': '101'}]))


def test_slot_conflict_after_get():
    client = pbx(item('101', 1), item('102', 2))

    with pytest.raises(PbxValidationError) as error:
        manage_members(client, by_id([{'extension_number': '103', 'handset_index': 2}]))

    assert 'Extension 103' in str(error.value)
    assert 'extension 102' in str(error.value)
    assert client.calls == [('GET', MEMBERS_PATH)]


def test_name_not_found():
    client = FakeClient(phones=[phone(), phone(phone_id='1002', name='Ward B base', mac='80:5E:C0:00:00:02')])

    with pytest.raises(PbxValidationError) as error:
        manage_members(client, by_name([{'extension_number': '101'}], name='Ward C base'))

    assert "DECT phone 'Ward C base' not found" in str(error.value)
    assert 'Ward A base, Ward B base' in str(error.value)
    assert client.calls == [('GET', '/dect_phones')]


def test_name_not_found_empty_pbx():
    client = FakeClient(phones=[])

    with pytest.raises(PbxValidationError, match='Phones on this PBX: none'):
        manage_members(client, by_name([{'extension_number': '101'}]))


def test_name_ambiguous():
    client = FakeClient(phones=[phone(), phone(phone_id='1002', mac='80:5E:C0:00:00:02')])

    with pytest.raises(PbxValidationError) as error:
        manage_members(client, by_name([{'extension_number': '101'}]))

    assert 'matches 2 phones' in str(error.value)
    assert '1001, 1002' in str(error.value)
    assert 'dect_phone_id' in str(error.value)
    assert client.calls == [('GET', '/dect_phones')]


def test_phone_list_without_items():
    class NoItems(FakeClient):
        def get(self, path):
            self.calls.append(('GET', path))
            return {'data': []}

    with pytest.raises(PbxResponseError, match='"items"'):
        manage_members(NoItems(), by_name([{'extension_number': '101'}]))


@pytest.mark.parametrize('params, fragment', [
    pytest.param(by_id([{'extension_number': '10'}]), "'10'", id='bad-extension'),
    pytest.param(by_id([{'extension_number': '101', 'ipui': 'xyz'}]), "'xyz'", id='bad-ipui'),
    pytest.param(by_id([{'extension_number': '101', 'handset_index': 0}]), 'handset_index 0', id='slot-zero'),
    pytest.param(by_id([{'extension_number': '101'}, {'extension_number': '101'}]), 'listed twice',
                 id='duplicate-extension'),
    pytest.param(by_id([{'extension_number': '101', 'handset_index': 1}, {'extension_number': '102', 'handset_index': 1}]),
                 'both request handset_index 1', id='duplicate-slot'),
    pytest.param(by_id([{'extension_number': '101'}], state='absent', exclusive=True), 'exclusive: true',
                 id='exclusive-with-absent'),
    pytest.param(by_id([{'extension_number': '101'}], timeout=0), 'timeout 0', id='timeout-zero'),
    pytest.param(by_id(None), 'members is required', id='members-missing'),
    pytest.param(by_name([{'extension_number': '101'}], name='X', timeout=-1), 'timeout -1', id='by-name-timeout'),
    pytest.param({'members': [{'extension_number': '101'}]}, 'dect_phone_id or dect_phone', id='no-phone'),
])
def test_manage_validation_before_requests(params, fragment):
    client = pbx(item('101', 1))

    with pytest.raises(PbxValidationError) as error:
        manage_members(client, params)

    assert fragment in str(error.value)
    assert client.calls == []


# member_info
def test_info_lists_members():
    client = pbx(item('102', 2), item('101', 1, IPUI_A.lower()))

    result = member_info(client, {'dect_phone_id': PHONE_ID})

    assert client.calls == [('GET', MEMBERS_PATH)]
    assert result == {
        'changed': False,
        'dect_phone_id': PHONE_ID,
        'members': [
            {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A, 'display_name': 'Nurse 101'},
            {'extension_number': '102', 'handset_index': 2, 'ipui': '', 'display_name': 'Nurse 102'},
        ],
    }


def test_info_member():
    client = pbx(item('101', '01', IPUI_A))

    result = member_info(client, {'dect_phone_id': PHONE_ID, 'extension_number': '101'})

    assert client.calls == [('GET', f'{MEMBERS_PATH}/101')]
    assert result == {
        'changed': False,
        'dect_phone_id': PHONE_ID,
        'is_member': True,
        'member': {'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A, 'display_name': 'Nurse 101'},
    }


def test_info_non_member_confirms_phone():
    client = pbx(item('101', 1))

    result = member_info(client, {'dect_phone_id': PHONE_ID, 'extension_number': '105'})

    assert client.calls == [('GET', f'{MEMBERS_PATH}/105'), ('GET', PHONE_PATH)]
    assert result == {'changed': False, 'dect_phone_id': PHONE_ID, 'is_member': False, 'member': None}


def test_info_unknown_phone_by_id():
    client = pbx()

    with pytest.raises(PbxNotFoundError) as error:
        member_info(client, {'dect_phone_id': '999', 'extension_number': '105'})

    assert "DECT phone id '999' not found" in str(error.value)
    assert client.calls == [('GET', '/dect_phones/999/members/105'), ('GET', '/dect_phones/999')]


def test_info_unknown_phone_list():
    client = pbx()

    with pytest.raises(PbxNotFoundError, match="DECT phone id '999' not found"):
        member_info(client, {'dect_phone_id': '999'})

    assert client.calls == [('GET', '/dect_phones/999/members')]


def test_info_non_member_by_name():
    client = pbx(item('101', 1))

    result = member_info(client, {'dect_phone': 'Ward A base', 'extension_number': '105'})

    assert client.calls == [('GET', '/dect_phones'), ('GET', f'{MEMBERS_PATH}/105')]
    assert result['is_member'] is False


def test_info_member_by_mac():
    client = pbx(item('101', 1))

    result = member_info(client, {'dect_phone': '80-5e-c0-11-22-33', 'extension_number': '101'})

    assert client.calls == [('GET', '/dect_phones'), ('GET', f'{MEMBERS_PATH}/101')]
    assert result['is_member'] is True


def test_info_extension_stripped():
    client = pbx(item('0101', 1))

    result = member_info(client, {'dect_phone_id': PHONE_ID, 'extension_number': ' 0101 '})

    assert client.calls == [('GET', f'{MEMBERS_PATH}/0101')]
    assert result['member']['extension_number'] == '0101'


def test_info_member_not_object():
    class ListMember(FakeClient):
        def get(self, path):
            self.calls.append(('GET', path))
            return ['101']

    with pytest.raises(PbxResponseError, match='member 101'):
        member_info(ListMember(), {'dect_phone_id': PHONE_ID, 'extension_number': '101'})


@pytest.mark.parametrize('params, fragment', [
    pytest.param({'dect_phone_id': PHONE_ID, 'extension_number': '10'}, "'10'", id='two-digits'),
    pytest.param({'dect_phone_id': PHONE_ID, 'extension_number': '10 1'}, "'10 1'", id='inner-space'),
    pytest.param({'dect_phone': 'Ward A base', 'extension_number': 'abc'}, "'abc'", id='by-name-letters'),
    pytest.param({'extension_number': '101'}, 'dect_phone_id or dect_phone', id='no-phone'),
])
def test_info_validation_before_requests(params, fragment):
    client = pbx(item('101', 1))

    with pytest.raises(PbxValidationError) as error:
        member_info(client, params)

    assert fragment in str(error.value)
    assert client.calls == []


@pytest.mark.parametrize('text, expected', [
    pytest.param('80:5E:C0:11:22:33', '805ec0112233', id='colons'),
    pytest.param('80-5e-c0-11-22-33', '805ec0112233', id='dashes'),
    pytest.param('805E.C011.2233', '805ec0112233', id='dots'),
    pytest.param('Ward A base', None, id='name'),
    pytest.param('80:5E:C0:11:22', None, id='too-short'),
    pytest.param(None, None, id='none'),
])
def test_normalize_mac(text, expected):
    assert normalize_mac(text) == expected

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Table tests of member validation, reconcile and the helpers around it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxResponseError,
    PbxValidationError,
)
from ansible_collections.portsip.pbx.plugins.module_utils.members import (
    check_capacity,
    describe_differences,
    ipei_check_digit,
    ipei_to_ipui,
    managed_view,
    needs_capacity_check,
    normalize_current,
    normalize_desired,
    normalize_ipui,
    reconcile,
    wire_items,
)

IPUI_A = '0328D3C918'
IPUI_B = '00B3D1E240'


def pbx_item(extension_number, handset_index, ipui='', display_name=None):
    """Return a member as GET .../members returns it: strings, an id and a display name."""
    return {
        'id': f'id-{extension_number}',
        'extension_number': extension_number,
        'display_name': display_name or f'User {extension_number}',
        'ipui': ipui,
        'handset_index': str(handset_index),
    }


def plan_for(current_items, members, state='present', exclusive=False):
    current = normalize_current(current_items)
    desired = normalize_desired(members, state)
    return reconcile(current, desired, state=state, exclusive=exclusive)


def triples(members):
    return [(member['extension_number'], member['handset_index'], member['ipui']) for member in members]


# Each case: current PBX items, task members, state, exclusive, and the expected
# (extension, slot, ipui) list after the task plus added, removed and updated.
RECONCILE_CASES = [
    pytest.param(
        [pbx_item('101', 1, IPUI_A)],
        [{'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A}],
        'present', False,
        [('101', 1, IPUI_A)], [], [], [],
        id='equal-input-no-change'),
    pytest.param(
        [pbx_item('101', '01')],
        [{'extension_number': '101', 'handset_index': '1'}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='slot-01-equals-1'),
    pytest.param(
        [pbx_item('101', 1)],
        [{'extension_number': '101', 'handset_index': '01'}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='slot-1-equals-text-01'),
    pytest.param(
        [{'extension_number': '101', 'handset_index': 1, 'ipui': None}],
        [{'extension_number': '101', 'handset_index': 1}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='slot-number-from-pbx'),
    pytest.param(
        [pbx_item('101', 1, IPUI_A.lower())],
        [{'extension_number': '101', 'ipui': IPUI_A}],
        'present', False,
        [('101', 1, IPUI_A)], [], [], [],
        id='ipui-case-insensitive-current'),
    pytest.param(
        [pbx_item('101', 1, IPUI_A)],
        [{'extension_number': '101', 'ipui': IPUI_A.lower()}],
        'present', False,
        [('101', 1, IPUI_A)], [], [], [],
        id='ipui-case-insensitive-desired'),
    pytest.param(
        [{'extension_number': '101', 'handset_index': '1', 'ipui': None}],
        [{'extension_number': '101', 'ipui': ''}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='null-ipui-equals-empty'),
    pytest.param(
        [{'extension_number': '101', 'handset_index': '1'}],
        [{'extension_number': '101', 'ipui': ''}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='missing-ipui-equals-empty'),
    pytest.param(
        [pbx_item('101', 1, '')],
        [{'extension_number': '101', 'ipui': None}],
        'present', False,
        [('101', 1, '')], [], [], [],
        id='empty-ipui-equals-null'),
    pytest.param(
        [pbx_item('102', 2), pbx_item('101', 1)],
        [{'extension_number': '102', 'handset_index': 2}, {'extension_number': '101', 'handset_index': 1}],
        'present', True,
        [('101', 1, ''), ('102', 2, '')], [], [], [],
        id='order-ignored'),
    pytest.param(
        [pbx_item('101', 3, IPUI_A)],
        [{'extension_number': '101'}],
        'present', False,
        [('101', 3, IPUI_A)], [], [], [],
        id='omitted-fields-keep-current'),
    pytest.param(
        [pbx_item('101', 3, IPUI_A)],
        [{'extension_number': '101', 'handset_index': 4}],
        'present', False,
        [('101', 4, IPUI_A)], [], [], ['101'],
        id='slot-change-keeps-ipui'),
    pytest.param(
        [pbx_item('101', 3, IPUI_A)],
        [{'extension_number': '101', 'ipui': IPUI_B}],
        'present', False,
        [('101', 3, IPUI_B)], [], [], ['101'],
        id='ipui-change-keeps-slot'),
    pytest.param(
        [pbx_item('101', 3, IPUI_A)],
        [{'extension_number': '101', 'ipui': ''}],
        'present', False,
        [('101', 3, '')], [], [], ['101'],
        id='empty-ipui-clears-restriction'),
    pytest.param(
        [],
        [{'extension_number': '101'}],
        'present', False,
        [('101', 1, '')], ['101'], [], [],
        id='new-member-gets-slot-1'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('103', 3)],
        [{'extension_number': '102'}],
        'present', False,
        [('101', 1, ''), ('102', 2, ''), ('103', 3, '')], ['102'], [], [],
        id='new-member-fills-gap'),
    pytest.param(
        [pbx_item('101', 1)],
        [{'extension_number': '105'}, {'extension_number': '104', 'handset_index': 2}, {'extension_number': '103'}],
        'present', False,
        [('101', 1, ''), ('103', 4, ''), ('104', 2, ''), ('105', 3, '')], ['103', '104', '105'], [], [],
        id='new-slots-in-listed-order'),
    pytest.param(
        [pbx_item('101', 1)],
        [{'extension_number': '101', 'handset_index': 5}, {'extension_number': '102'}],
        'present', False,
        [('101', 5, ''), ('102', 1, '')], ['102'], [], ['101'],
        id='new-member-takes-vacated-slot'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [{'extension_number': '103'}],
        'present', True,
        [('103', 1, '')], ['103'], ['101', '102'], [],
        id='new-member-takes-removed-slot'),
    pytest.param(
        [],
        [{'extension_number': '101', 'ipui': '02877 0123456 0'}],
        'present', False,
        [('101', 1, IPUI_B)], ['101'], [], [],
        id='new-member-ipei-converted'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2), pbx_item('103', 3)],
        [{'extension_number': '102'}],
        'present', True,
        [('102', 2, '')], [], ['101', '103'], [],
        id='exclusive-removes-unlisted'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [],
        'present', True,
        [], [], ['101', '102'], [],
        id='exclusive-empty-list-empties'),
    pytest.param(
        [],
        [],
        'present', True,
        [], [], [], [],
        id='exclusive-empty-on-empty'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [],
        'present', False,
        [('101', 1, ''), ('102', 2, '')], [], [], [],
        id='present-empty-list-no-change'),
    pytest.param(
        [pbx_item('101', 1, IPUI_A), pbx_item('102', 2)],
        [{'extension_number': '101', 'handset_index': 7, 'ipui': IPUI_B}],
        'absent', False,
        [('102', 2, '')], [], ['101'], [],
        id='absent-ignores-other-fields'),
    pytest.param(
        [pbx_item('101', 1)],
        [{'extension_number': '999'}],
        'absent', False,
        [('101', 1, '')], [], [], [],
        id='absent-non-member-no-change'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [{'extension_number': '101', 'handset_index': 2}, {'extension_number': '102', 'handset_index': 1}],
        'present', False,
        [('101', 2, ''), ('102', 1, '')], [], [], ['101', '102'],
        id='swap-two-slots'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [{'extension_number': '103', 'handset_index': 2}],
        'present', True,
        [('103', 2, '')], ['103'], ['101', '102'], [],
        id='exclusive-frees-held-slot'),
]


@pytest.mark.parametrize(
    'current, members, state, exclusive, after, added, removed, updated', RECONCILE_CASES)
def test_reconcile_table(current, members, state, exclusive, after, added, removed, updated):
    plan = plan_for(current, members, state=state, exclusive=exclusive)

    assert triples(plan.after) == after
    assert plan.added == added
    assert plan.removed == removed
    assert plan.updated == updated
    assert plan.changed == bool(added or removed or updated)


def test_reconcile_before_is_sorted_current():
    plan = plan_for([pbx_item('110', 2), pbx_item('102', 1)], [])

    assert triples(plan.before) == [('102', 1, ''), ('110', 2, '')]


def test_reconcile_keeps_display_name():
    plan = plan_for([pbx_item('101', 1, display_name='Ward A')], [{'extension_number': '101', 'handset_index': 2}])

    assert plan.after[0]['display_name'] == 'Ward A'


def test_reconcile_does_not_modify_current():
    current = normalize_current([pbx_item('101', 1)])
    snapshot = [dict(member) for member in current]

    reconcile(current, normalize_desired([{'extension_number': '101', 'handset_index': 2}], 'present'))

    assert current == snapshot


# Each case: current PBX items, task members, state, exclusive, and fragments
# that the PbxValidationError message must contain.
INVALID_CASES = [
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [{'extension_number': '103', 'handset_index': 2}],
        'present', False, ['103', '102', 'handset_index 2'],
        id='slot-held-by-unchanged-member'),
    pytest.param(
        [pbx_item('101', 1), pbx_item('102', 2)],
        [{'extension_number': '101', 'handset_index': 2}],
        'present', False, ['101', '102', 'handset_index 2'],
        id='move-onto-unchanged-member'),
    pytest.param(
        [pbx_item('101', 1, IPUI_A), pbx_item('102', 2)],
        [{'extension_number': '102', 'handset_index': 1}, {'extension_number': '101', 'ipui': ''}],
        'present', False, ['101', '102', 'handset_index 1'],
        id='slot-held-by-updated-member'),
    pytest.param(
        [],
        [{'extension_number': '101'}, {'extension_number': '101'}],
        'present', False, ['101', 'listed twice', 'positions 1', 'and 2'],
        id='duplicate-extension'),
    pytest.param(
        [],
        [{'extension_number': '101'}, {'extension_number': '101'}],
        'absent', False, ['101', 'listed twice'],
        id='duplicate-extension-absent'),
    pytest.param(
        [],
        [{'extension_number': '101', 'handset_index': 3}, {'extension_number': '102', 'handset_index': '03'}],
        'present', False, ['101', '102', 'handset_index 3'],
        id='duplicate-slot'),
    pytest.param(
        [], [{'extension_number': '10 1'}], 'present', False, ["'10 1'", '3 to 64 digits'],
        id='extension-inner-space'),
    pytest.param(
        [], [{'extension_number': '+101'}], 'present', False, ["'+101'"],
        id='extension-plus-sign'),
    pytest.param(
        [], [{'extension_number': '-101'}], 'present', False, ["'-101'"],
        id='extension-minus-sign'),
    pytest.param(
        [], [{'extension_number': '12'}], 'present', False, ["'12'"],
        id='extension-two-digits'),
    pytest.param(
        [], [{'extension_number': '1' * 65}], 'present', False, ['1' * 65],
        id='extension-65-digits'),
    pytest.param(
        [], [{'extension_number': '10a'}], 'present', False, ["'10a'"],
        id='extension-letters'),
    pytest.param(
        [], [{'extension_number': '101.0'}], 'present', False, ["'101.0'"],
        id='extension-decimal-point'),
    pytest.param(
        [], [{'ipui': IPUI_A}], 'present', False, ['members[1]', 'extension_number is missing'],
        id='extension-missing'),
    pytest.param(
        [], [{'extension_number': None}], 'present', False, ['extension_number is missing'],
        id='extension-null'),
    pytest.param(
        [], [{'extension_number': True}], 'present', False, ['members[1]', 'extension_number'],
        id='extension-boolean'),
    pytest.param(
        [], [{'extension_number': '101', 'ipui': '0328D3C91'}], 'present', False, ['101', "'0328D3C91'"],
        id='ipui-nine-digits'),
    pytest.param(
        [], [{'extension_number': '101', 'ipui': '0328D3C91G'}], 'present', False, ['101', "'0328D3C91G'"],
        id='ipui-not-hex'),
    pytest.param(
        [], [{'extension_number': '101', 'ipui': '0328D3C9180'}], 'present', False, ["'0328D3C9180'"],
        id='ipui-eleven-digits'),
    pytest.param(
        [], [{'extension_number': '101', 'ipui': '02877 0123456 5'}], 'present', False,
        ['101', '02877 0123456 5', 'check digit 5', 'give 0'],
        id='ipei-wrong-check-digit'),
    pytest.param(
        [], [{'extension_number': '101', 'ipui': '02877 0123456 X'}], 'present', False,
        ['101', '02877 0123456 X', 'not an IPEI'],
        id='ipei-letter-check-digit'),
    pytest.param(
        [], [{'extension_number': '101', 'handset_index': 0}], 'present', False, ['101', 'handset_index 0'],
        id='handset-index-zero'),
    pytest.param(
        [], [{'extension_number': '101', 'handset_index': -2}], 'present', False, ['101', 'handset_index -2'],
        id='handset-index-negative'),
    pytest.param(
        [], [{'extension_number': '101', 'handset_index': 'one'}], 'present', False, ['101', "'one'"],
        id='handset-index-word'),
    pytest.param(
        [], [{'extension_number': '101', 'handset_index': True}], 'present', False, ['101', 'True'],
        id='handset-index-boolean'),
    pytest.param(
        [], [{'extension_number': '101', 'slot': 1}], 'present', False, ['members[1]', 'slot'],
        id='unknown-member-key'),
    pytest.param(
        [], [{'extension_number': '101', 'zeta': 1, 'alpha': 2}], 'present', False, ['alpha, zeta'],
        id='unknown-keys-sorted'),
    pytest.param(
        [], [{'extension_number': '101', 'slot': 1}], 'absent', False, ['slot'],
        id='unknown-key-absent'),
    pytest.param(
        [], ['101'], 'present', False, ['members[1]', "'101'"],
        id='member-not-a-dict'),
    pytest.param(
        [], None, 'present', False, ['members is required'],
        id='members-null'),
    pytest.param(
        [], {'extension_number': '101'}, 'present', False, ['must be a list', 'dict'],
        id='members-a-dict'),
    pytest.param(
        [], [{'extension_number': '101'}], 'absent', True, ['exclusive: true', 'state: present'],
        id='exclusive-with-absent'),
]


@pytest.mark.parametrize('current, members, state, exclusive, fragments', INVALID_CASES)
def test_reconcile_rejects_input(current, members, state, exclusive, fragments):
    with pytest.raises(PbxValidationError) as error:
        plan_for(current, members, state=state, exclusive=exclusive)

    for fragment in fragments:
        assert fragment in str(error.value)


def test_reconcile_rejects_unknown_state():
    with pytest.raises(PbxValidationError, match="state 'gone'"):
        reconcile([], [], state='gone')


def test_absent_ignores_invalid_fields():
    desired = normalize_desired([{'extension_number': '101', 'handset_index': 0, 'ipui': 'nonsense'}], 'absent')

    assert desired == [{'extension_number': '101', 'ipui': None, 'handset_index': None}]


def test_slot_conflict_suggests_remedies():
    with pytest.raises(PbxValidationError) as error:
        plan_for([pbx_item('102', 2)], [{'extension_number': '103', 'handset_index': 2}])

    assert 'exclusive: true' in str(error.value)


def test_normalize_desired_strips_values():
    desired = normalize_desired([{'extension_number': ' 0101 ', 'ipui': ' 0328d3c918 ', 'handset_index': ' 02 '}],
                                'present')

    assert desired == [{'extension_number': '0101', 'ipui': IPUI_A, 'handset_index': 2}]


def test_normalize_desired_keeps_order():
    desired = normalize_desired([{'extension_number': '300'}, {'extension_number': '100'}], 'present')

    assert [entry['extension_number'] for entry in desired] == ['300', '100']


def test_extension_64_digits_valid():
    desired = normalize_desired([{'extension_number': '9' * 64}], 'present')

    assert desired[0]['extension_number'] == '9' * 64


# IPEI conversion
IPEI_CASES = [
    pytest.param('02877 0123456 0', IPUI_B, id='spaces'),
    pytest.param('02877-0123456-0', IPUI_B, id='dashes'),
    pytest.param('0287701234560', IPUI_B, id='compact'),
    pytest.param(' 02877 0123456 0 ', IPUI_B, id='surrounding-blanks'),
    pytest.param('02877 0123405 *', '00B3D1E20D', id='star-check-digit'),
    pytest.param('00000 0000000 0', '0000000000', id='all-zero'),
    pytest.param('65535 1048575 2', '0FFFFFFFFF', id='largest-emc-psn'),
]


@pytest.mark.parametrize('ipei, ipui', IPEI_CASES)
def test_ipei_to_ipui(ipei, ipui):
    assert ipei_to_ipui(ipei) == ipui


@pytest.mark.parametrize('ipei, ipui', IPEI_CASES)
def test_normalize_ipui_accepts_ipei(ipei, ipui):
    assert normalize_ipui(ipei, 'members[1]') == ipui


def test_ipei_star_check_digit_computed():
    assert ipei_check_digit('028770123405') == '*'


def test_ipei_digit_instead_of_star():
    with pytest.raises(PbxValidationError, match=r'check digit 0, but its digits give \*'):
        ipei_to_ipui('02877 0123405 0')


def test_ipei_star_instead_of_digit():
    with pytest.raises(PbxValidationError, match=r'check digit \*, but its digits give 0'):
        ipei_to_ipui('02877 0123456 *')


@pytest.mark.parametrize('ipei', [
    pytest.param('65536 0000000 6', id='emc-above-16-bits'),
    pytest.param('00000 1048576 3', id='psn-above-20-bits'),
])
def test_ipei_out_of_range(ipei):
    digits = ipei.replace(' ', '')[:12]
    valid = ipei[:-1] + ipei_check_digit(digits)

    with pytest.raises(PbxValidationError, match='out of range'):
        ipei_to_ipui(valid)


def test_ipei_malformed_names_value():
    with pytest.raises(PbxValidationError, match="'1234'"):
        ipei_to_ipui('1234')


@pytest.mark.parametrize('value', [None, '', '   '])
def test_normalize_ipui_blank_is_empty(value):
    assert normalize_ipui(value, 'members[1]') == ''


# normalize_current
def test_normalize_current_fields():
    members = normalize_current([{
        'id': 'm1', 'extension_number': '101', 'display_name': 'Ward A',
        'ipui': '0328d3c918', 'handset_index': '01', 'extra': 'ignored',
    }])

    assert members == [{
        'extension_number': '101', 'handset_index': 1, 'ipui': IPUI_A, 'display_name': 'Ward A', 'id': 'm1',
    }]


def test_normalize_current_null_display_name():
    members = normalize_current([{'extension_number': '101', 'handset_index': 1, 'display_name': None}])

    assert members[0]['display_name'] == ''


def test_normalize_current_sorts_by_number():
    members = normalize_current([pbx_item('1000', 3), pbx_item('101', 1), pbx_item('990', 4)])

    assert [member['extension_number'] for member in members] == ['101', '990', '1000']


def test_leading_zero_is_other_extension():
    plan = plan_for([pbx_item('0101', 1), pbx_item('101', 2)], [{'extension_number': '0101', 'ipui': IPUI_A}])

    assert sorted(triples(plan.after)) == [('0101', 1, IPUI_A), ('101', 2, '')]
    assert plan.updated == ['0101']


def test_sort_leading_zero_after():
    members = normalize_current([pbx_item('0101', 1), pbx_item('101', 2)])

    assert [member['extension_number'] for member in members] == ['101', '0101']


@pytest.mark.parametrize('items', [
    pytest.param({'items': []}, id='not-a-list'),
    pytest.param([{'handset_index': '1'}], id='no-extension-number'),
    pytest.param([{'extension_number': '', 'handset_index': '1'}], id='empty-extension-number'),
    pytest.param(['101'], id='entry-not-a-dict'),
    pytest.param([{'extension_number': '101', 'handset_index': 'x'}], id='handset-index-word'),
    pytest.param([{'extension_number': '101'}], id='handset-index-missing'),
])
def test_normalize_current_rejects_entry(items):
    with pytest.raises(PbxResponseError):
        normalize_current(items)


def test_normalize_current_non_digit_extension():
    with pytest.raises(PbxResponseError):
        normalize_current([{'extension_number': 'abc', 'handset_index': '1'}])


# Capacity
def plan_with_slots(before_slots, after_slots):
    before = [pbx_item(str(100 + number), slot) for number, slot in enumerate(before_slots)]
    members = [{'extension_number': str(200 + number), 'handset_index': slot} for number, slot in enumerate(after_slots)]
    return plan_for(before, members, exclusive=True)


def test_capacity_fits():
    plan = plan_with_slots([1], [1, 2, 4])

    check_capacity(plan, 4, "id 'P1'")


def test_capacity_unknown_lines_skipped():
    plan = plan_with_slots([], [1, 9])

    check_capacity(plan, None, "id 'P1'")


def test_capacity_slot_above_lines():
    plan = plan_with_slots([], [1, 5])

    with pytest.raises(PbxValidationError) as error:
        check_capacity(plan, 4, "id 'P1'")

    assert 'Extension 201' in str(error.value)
    assert 'handset_index 5' in str(error.value)
    assert "DECT phone id 'P1' has only 4" in str(error.value)


def test_capacity_too_many_members():
    plan = plan_with_slots([], [1, 2, 3])

    with pytest.raises(PbxValidationError) as error:
        check_capacity(plan, 2, "id 'P1'")

    assert 'has 2 handset slots' in str(error.value)
    assert '3 members' in str(error.value)


@pytest.mark.parametrize('before_slots, after_slots, expected', [
    pytest.param([1, 2], [1, 2, 3], True, id='slot-above-current'),
    pytest.param([1, 4], [1, 2, 3], False, id='below-current-highest'),
    pytest.param([1, 4], [4], False, id='equal-to-current-highest'),
    pytest.param([], [1], True, id='first-member'),
    pytest.param([1, 2], [], False, id='emptied'),
])
def test_needs_capacity_check(before_slots, after_slots, expected):
    plan = plan_with_slots(before_slots, after_slots)

    assert needs_capacity_check(plan) is expected


# Wire format and comparison
def test_wire_items_all_strings():
    plan = plan_for([pbx_item('101', 1, IPUI_A)], [{'extension_number': '102', 'handset_index': 12}])

    items = wire_items(plan.after)

    assert items == [
        {'extension_number': '101', 'ipui': IPUI_A, 'handset_index': '1'},
        {'extension_number': '102', 'ipui': '', 'handset_index': '12'},
    ]


def test_wire_items_omit_read_only_fields():
    items = wire_items(normalize_current([pbx_item('101', 1)]))

    assert set(items[0]) == {'extension_number', 'ipui', 'handset_index'}


def test_managed_view_sorted_without_extras():
    view = managed_view(normalize_current([pbx_item('102', 2), pbx_item('101', 1)]))

    assert view == [
        {'extension_number': '101', 'handset_index': 1, 'ipui': ''},
        {'extension_number': '102', 'handset_index': 2, 'ipui': ''},
    ]


def view(*members):
    return [{'extension_number': number, 'handset_index': slot, 'ipui': ipui} for number, slot, ipui in members]


def test_describe_differences_equal():
    assert describe_differences(view(('101', 1, '')), view(('101', 1, ''))) == []


def test_describe_differences_each_kind():
    expected = view(('101', 1, ''), ('102', 2, IPUI_A), ('104', 4, ''))
    actual = view(('101', 1, ''), ('102', 3, ''), ('103', 5, ''))

    lines = describe_differences(expected, actual)

    assert lines == [
        "extension 102 has handset_index 3 instead of 2",
        f"extension 102 has ipui '' instead of '{IPUI_A}'",
        'extension 103 is present but should not be',
        'extension 104 is missing',
    ]


@pytest.mark.parametrize('value', [101, 65, 101.0], ids=['integer', 'octal-read', 'float'])
def test_number_extension_rejected(value):
    with pytest.raises(PbxValidationError) as error:
        normalize_desired([{'extension_number': value}], 'present')

    assert f"'{value}'" in str(error.value)
    assert 'Quote it in YAML' in str(error.value)

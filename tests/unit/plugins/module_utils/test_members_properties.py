# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property-based tests of reconcile on small generated member lists.

A generated PBX state is always valid (unique extensions, unique slots). A
generated task lists unique extensions and unique explicit slots, so it passes
normalize_desired. Reconcile may still reject it for a slot conflict with a
member that the task leaves alone, and such examples are discarded.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from hypothesis import assume, given, settings, strategies as st

from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxValidationError
from ansible_collections.portsip.pbx.plugins.module_utils.members import (
    normalize_current,
    normalize_desired,
    reconcile,
)

# Few extensions and slots, so generated tasks often touch current members.
EXTENSIONS = ['100', '101', '102', '0102', '103', '2000', '5550123']
SLOTS = list(range(1, 9))
IPUIS = ['', '0328D3C918', '00B3D1E240', 'ABCDEF0123']

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


def slot_spellings(slot):
    """Return the ways the PBX or a task may write a slot number."""
    return st.sampled_from([slot, str(slot), f'{slot:02d}'])


def ipui_spellings(ipui):
    """Return the ways the PBX may write an IPUI. An empty IPUI may also be null or left out."""
    if ipui == '':
        return st.sampled_from(['', None, 'missing'])
    return st.sampled_from([ipui, ipui.lower()])


@st.composite
def pbx_states(draw):
    """Draw a member list as GET .../members may return it, in any order and spelling."""
    extensions = draw(st.lists(st.sampled_from(EXTENSIONS), unique=True, max_size=len(EXTENSIONS)))
    slots = draw(st.permutations(SLOTS))
    items = []
    for extension_number, slot in zip(extensions, slots):
        item = {
            'id': f'id-{extension_number}',
            'extension_number': extension_number,
            'display_name': f'User {extension_number}',
            'handset_index': draw(slot_spellings(slot)),
        }
        ipui = draw(ipui_spellings(draw(st.sampled_from(IPUIS))))
        if ipui != 'missing':
            item['ipui'] = ipui
        items.append(item)
    return items


@st.composite
def tasks(draw):
    """Draw a task member list: unique extensions, unique explicit slots, some fields left out."""
    extensions = draw(st.lists(st.sampled_from(EXTENSIONS), unique=True, max_size=len(EXTENSIONS)))
    free_slots = draw(st.permutations(SLOTS))
    members = []
    for extension_number, slot in zip(extensions, free_slots):
        member = {'extension_number': extension_number}
        if draw(st.booleans()):
            member['handset_index'] = draw(slot_spellings(slot))
        if draw(st.booleans()):
            member['ipui'] = draw(st.sampled_from(IPUIS + [ipui.lower() for ipui in IPUIS if ipui]))
        members.append(member)
    return members


def plan_or_discard(current, members, state, exclusive):
    """Return the plan, or discard the example when reconcile rejects a slot conflict."""
    desired = normalize_desired(members, state)
    try:
        return reconcile(current, desired, state=state, exclusive=exclusive)
    except PbxValidationError:
        assume(False)


def reread(members):
    """Return a planned list as the PBX would return it after storing it."""
    return normalize_current([
        {
            'id': member['id'],
            'extension_number': member['extension_number'],
            'display_name': member['display_name'],
            'handset_index': str(member['handset_index']),
            'ipui': member['ipui'],
        }
        for member in members
    ])


def by_extension(members):
    return {member['extension_number']: member for member in members}


def managed(member):
    return (member['handset_index'], member['ipui'])


states = st.sampled_from([('present', False), ('present', True), ('absent', False)])


@PROPERTY_SETTINGS
@given(pbx_states(), tasks(), states)
def test_second_run_changes_nothing(items, members, mode):
    state, exclusive = mode
    first = plan_or_discard(normalize_current(items), members, state, exclusive)

    second = reconcile(reread(first.after), normalize_desired(members, state), state=state, exclusive=exclusive)

    assert not second.changed
    assert second.after == second.before


@PROPERTY_SETTINGS
@given(pbx_states(), tasks())
def test_present_keeps_unlisted_members(items, members):
    current = normalize_current(items)
    plan = plan_or_discard(current, members, 'present', False)
    listed = {member['extension_number'] for member in members}
    after = by_extension(plan.after)

    for member in current:
        if member['extension_number'] not in listed:
            assert after[member['extension_number']] == member
    assert plan.removed == []


@PROPERTY_SETTINGS
@given(pbx_states(), tasks())
def test_absent_never_adds(items, members):
    current = normalize_current(items)
    plan = plan_or_discard(current, members, 'absent', False)
    listed = {member['extension_number'] for member in members}

    assert plan.added == []
    assert plan.updated == []
    assert plan.after == [member for member in current if member['extension_number'] not in listed]


@PROPERTY_SETTINGS
@given(pbx_states(), tasks())
def test_exclusive_yields_declared_set(items, members):
    plan = plan_or_discard(normalize_current(items), members, 'present', True)

    assert {member['extension_number'] for member in plan.after} == {member['extension_number'] for member in members}


@PROPERTY_SETTINGS
@given(pbx_states(), tasks(), states)
def test_one_member_per_slot(items, members, mode):
    state, exclusive = mode
    plan = plan_or_discard(normalize_current(items), members, state, exclusive)
    slots = [member['handset_index'] for member in plan.after]

    assert len(slots) == len(set(slots))
    assert all(slot >= 1 for slot in slots)


@PROPERTY_SETTINGS
@given(pbx_states(), tasks(), states)
def test_listed_fields_are_applied(items, members, mode):
    state, exclusive = mode
    plan = plan_or_discard(normalize_current(items), members, state, exclusive)
    after = by_extension(plan.after)

    for entry in normalize_desired(members, state):
        if state == 'absent':
            assert entry['extension_number'] not in after
            continue
        member = after[entry['extension_number']]
        if entry['handset_index'] is not None:
            assert member['handset_index'] == entry['handset_index']
        if entry['ipui'] is not None:
            assert member['ipui'] == entry['ipui']


@PROPERTY_SETTINGS
@given(pbx_states(), st.data())
def test_equal_values_never_change(items, data):
    """Restating current members in any order and spelling is no change, even with exclusive."""
    current = normalize_current(items)
    members = []
    for member in current:
        entry = {'extension_number': member['extension_number']}
        if data.draw(st.booleans(), label='give slot'):
            entry['handset_index'] = data.draw(slot_spellings(member['handset_index']), label='slot')
        if data.draw(st.booleans(), label='give ipui'):
            spelling = data.draw(ipui_spellings(member['ipui']), label='ipui')
            entry['ipui'] = None if spelling == 'missing' else spelling
        members.append(entry)
    members = data.draw(st.permutations(members), label='order')

    for exclusive in (False, True):
        plan = reconcile(current, normalize_desired(members, 'present'), state='present', exclusive=exclusive)
        assert not plan.changed
        assert plan.after == plan.before


@PROPERTY_SETTINGS
@given(pbx_states(), st.randoms(use_true_random=False))
def test_pbx_order_irrelevant(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)

    assert normalize_current(shuffled) == normalize_current(items)

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation and reconcile logic for DECT phone member lists.

Everything here is pure: no HTTP, no AnsibleModule. A member is normalised to
a dict with ``extension_number`` (str of digits), ``handset_index`` (int,
1-based) and ``ipui`` (10 upper-case hex digits, or '' for no handset
restriction); members read from the PBX also carry ``display_name`` and ``id``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxResponseError,
    PbxValidationError,
)

EXTENSION_NUMBER_RE = re.compile(r'^[0-9]{3,64}$')
IPUI_RE = re.compile(r'^[0-9A-Fa-f]{10}$')
# An IPEI as printed on handset labels: 5-digit EMC, 7-digit PSN, check digit
# (0-9 or '*'), with optional spaces or dashes between the groups.
IPEI_RE = re.compile(r'^([0-9]{5})[ -]?([0-9]{7})[ -]?([0-9*])$')

MEMBER_KEYS = ('extension_number', 'ipui', 'handset_index')


class MemberPlan:
    """The outcome of a reconcile: member lists before and after, and what changes.

    ``before`` and ``after`` are sorted by extension number; ``added``,
    ``removed`` and ``updated`` are sorted lists of extension numbers.
    """

    def __init__(self, before, after, added, removed, updated):
        self.before = before
        self.after = after
        self.added = added
        self.removed = removed
        self.updated = updated

    @property
    def changed(self):
        return bool(self.added or self.removed or self.updated)


def extension_sort_key(extension_number):
    """Sort extension numbers by value, then shorter first ('0101' after '101')."""
    return (int(extension_number), len(extension_number), extension_number)


def sort_members(members):
    return sorted(members, key=lambda member: extension_sort_key(member['extension_number']))


def ipei_check_digit(digits):
    """Return the IPEI check digit ('0'-'9' or '*') of the 12 decimal digits EMC + PSN.

    The check digit is the sum of each digit times its position (1 to 12)
    modulo 11, with 10 written as '*' (ETSI EN 300 175-6).
    """
    total = sum(int(digit) * position for position, digit in enumerate(digits, start=1))
    remainder = total % 11
    return '*' if remainder == 10 else str(remainder)


def ipei_to_ipui(text):
    """Convert a printed 13-digit IPEI to the 10-hex-digit IPUI (type N) that the PBX stores.

    The IPUI is the 4-bit type 0 followed by the 16-bit EMC and the 20-bit PSN.
    Raises PbxValidationError for a malformed IPEI or a wrong check digit.
    """
    match = IPEI_RE.match(text.strip())
    if not match:
        raise PbxValidationError(
            f"'{text}' is not an IPEI: expected 5 + 7 decimal digits and a check digit, "
            "as printed on the handset label (for example '02877 0123456 0').")
    emc_text, psn_text, check = match.groups()
    expected = ipei_check_digit(emc_text + psn_text)
    if check != expected:
        raise PbxValidationError(
            f"IPEI '{text}' has the check digit {check}, but its digits give {expected}. "
            'Copy the IPEI again from the handset label.')
    emc = int(emc_text)
    psn = int(psn_text)
    if emc > 0xFFFF or psn > 0xFFFFF:
        raise PbxValidationError(
            f"IPEI '{text}' is out of range: the EMC must be at most 65535 and the PSN at most 1048575.")
    return f'0{emc:04X}{psn:05X}'


def normalize_ipui(value, where):
    """Return an IPUI as 10 upper-case hex digits, or '' for no handset restriction.

    Accepts 10 hex digits in any case, or a 13-digit IPEI as printed on the
    handset label. ``where`` names the member in error messages.
    """
    if value is None:
        return ''
    text = str(value).strip()
    if text == '':
        return ''
    if IPUI_RE.match(text):
        return text.upper()
    compact = re.sub(r'[ -]', '', text)
    if len(compact) == 13 and compact[:12].isdigit():
        try:
            return ipei_to_ipui(text)
        except PbxValidationError as exc:
            raise PbxValidationError(f'{where}: {exc.message}') from None
    raise PbxValidationError(
        f"{where}: ipui '{text}' is invalid. Give 10 hexadecimal digits (for example 0328D3C918), "
        "the 13-digit IPEI from the handset label, or '' to clear the handset restriction.")


def validate_extension_number(value, where):
    """Return an extension number as a string of 3 to 64 digits, or raise PbxValidationError.

    Numbers are rejected, not converted: YAML reads an unquoted 0145 as the
    octal number 101, which is a different extension, and after parsing the
    two cannot be told apart.
    """
    if value is None:
        raise PbxValidationError(f'{where}: extension_number is missing. Give it as a quoted string, for example "101".')
    if not isinstance(value, str):
        if isinstance(value, bool):
            kind = 'boolean'
        elif isinstance(value, (int, float)):
            kind = 'number'
        else:
            kind = type(value).__name__
        raise PbxValidationError(
            f"{where}: extension_number '{value}' is invalid: it arrived as a {kind}, not a string. "
            'Quote it in YAML ("0101"), because YAML reads an unquoted number with a leading 0 as octal '
            '(0145 becomes 101).')
    text = value.strip()
    if not EXTENSION_NUMBER_RE.match(text):
        raise PbxValidationError(
            f"{where}: extension_number '{text}' is invalid: it must be 3 to 64 digits with no "
            'spaces, signs or other characters. Quote it in YAML ("0101") so that leading zeros are kept.')
    return text


def _normalize_handset_index(value, where):
    if isinstance(value, bool):
        raise PbxValidationError(f'{where}: handset_index {value!r} is invalid: give a slot number from 1 up.')
    try:
        index = int(str(value).strip())
    except ValueError:
        raise PbxValidationError(
            f"{where}: handset_index '{value}' is invalid: give a slot number from 1 up.") from None
    if index < 1:
        raise PbxValidationError(
            f'{where}: handset_index {index} is invalid: slots are numbered from 1.')
    return index


def normalize_desired(members, state):
    """Validate the task's member list and return it normalised, in the given order.

    Each result has ``extension_number``, and for ``state=present`` also
    ``ipui`` and ``handset_index``, which are None where the task leaves the
    current value alone. With ``state=absent`` only the extension number is
    read. Raises PbxValidationError naming the offending values.
    """
    if members is None:
        raise PbxValidationError('members is required: give the list of members (it may be empty).')
    if not isinstance(members, (list, tuple)):
        raise PbxValidationError(f'members must be a list of dicts, not {type(members).__name__}.')

    desired = []
    seen = {}
    slots = {}
    for position, member in enumerate(members, start=1):
        where = f'members[{position}]'
        if not isinstance(member, dict):
            raise PbxValidationError(f'{where} must be a dict with extension_number, not {member!r}.')
        unknown = sorted(set(member) - set(MEMBER_KEYS))
        if unknown:
            raise PbxValidationError(
                f"{where}: unknown keys {', '.join(unknown)}. A member takes only "
                f"{', '.join(MEMBER_KEYS)}.")

        extension_number = validate_extension_number(member.get('extension_number'), where)
        where = f'members[{position}] (extension {extension_number})'
        if extension_number in seen:
            raise PbxValidationError(
                f'Extension {extension_number} is listed twice in members (positions {seen[extension_number]} '
                f'and {position}). List each extension once.')
        seen[extension_number] = position

        entry = {'extension_number': extension_number, 'ipui': None, 'handset_index': None}
        if state == 'present':
            if member.get('ipui') is not None:
                entry['ipui'] = normalize_ipui(member['ipui'], where)
            if member.get('handset_index') is not None:
                index = _normalize_handset_index(member['handset_index'], where)
                if index in slots:
                    raise PbxValidationError(
                        f'Extensions {slots[index]} and {extension_number} both request handset_index {index}. '
                        'Give each member its own slot.')
                slots[index] = extension_number
                entry['handset_index'] = index
        desired.append(entry)
    return desired


def normalize_current(items):
    """Normalise the member list that the PBX returned, tolerating its formatting.

    ``handset_index`` may be a string ('01') or a number, ``ipui`` may be null,
    blank or lower case, and unknown keys are dropped. Raises PbxResponseError
    for an entry that cannot be read.
    """
    if not isinstance(items, list):
        raise PbxResponseError('The PBX returned a member list that is not a JSON array.')
    members = []
    for item in items:
        if not isinstance(item, dict) or item.get('extension_number') in (None, ''):
            raise PbxResponseError(f'The PBX returned a member entry without extension_number: {item!r}.')
        extension_number = str(item['extension_number']).strip()
        if not EXTENSION_NUMBER_RE.match(extension_number):
            raise PbxResponseError(
                f'The PBX returned a member with extension_number {extension_number!r}, which is not 3 to 64 digits.')
        raw_index = item.get('handset_index')
        try:
            handset_index = int(str(raw_index).strip())
        except ValueError:
            raise PbxResponseError(
                f'The PBX returned handset_index {raw_index!r} for extension {extension_number}, '
                'which is not a number.') from None
        ipui = item.get('ipui')
        members.append({
            'extension_number': extension_number,
            'handset_index': handset_index,
            'ipui': '' if ipui in (None, '') else str(ipui).strip().upper(),
            'display_name': item.get('display_name') or '',
            'id': item.get('id'),
        })
    return sort_members(members)


def _slot_conflict_message(slot, holders, changed_extensions):
    unchanged = [extension for extension in holders if extension not in changed_extensions]
    moving = [extension for extension in holders if extension in changed_extensions]
    if unchanged and moving:
        return (f"Extension {moving[0]} would take handset_index {slot}, which extension {unchanged[0]} holds "
                f"and this task does not change. Choose a free handset_index, move {unchanged[0]} in the "
                'same task, or use exclusive: true to remove it.')
    return (f"Extensions {' and '.join(holders)} would both be on handset_index {slot}. "
            'Give each member its own slot.')


def reconcile(current, desired, state='present', exclusive=False):
    """Compute the member list that the task asks for, and what changes.

    ``current`` is the output of normalize_current and ``desired`` that of
    normalize_desired. With ``present`` the listed members are added or
    updated, fields left as None keep their current value, and a new member
    without a slot gets the lowest free one (in the order listed);
    ``exclusive`` also removes members that are not listed. With ``absent``
    the listed extensions are removed. Runs in linear time in the number of
    members, apart from sorting. Raises PbxValidationError for a slot
    conflict, naming both extensions.
    """
    if state not in ('present', 'absent'):
        raise PbxValidationError(f"state '{state}' is invalid: use present or absent.")
    if exclusive and state == 'absent':
        raise PbxValidationError('exclusive: true only works with state: present.')

    before = sort_members(dict(member) for member in current)
    after = {member['extension_number']: dict(member) for member in before}
    added = []
    removed = []
    updated = []

    if state == 'absent':
        for entry in desired:
            if after.pop(entry['extension_number'], None) is not None:
                removed.append(entry['extension_number'])
        return MemberPlan(before, sort_members(after.values()), [], sorted(removed, key=extension_sort_key), [])

    if exclusive:
        listed = {entry['extension_number'] for entry in desired}
        for extension_number in list(after):
            if extension_number not in listed:
                del after[extension_number]
                removed.append(extension_number)

    needs_slot = []
    for entry in desired:
        extension_number = entry['extension_number']
        existing = after.get(extension_number)
        if existing is None:
            after[extension_number] = {
                'extension_number': extension_number,
                'handset_index': entry['handset_index'],
                'ipui': entry['ipui'] or '',
                'display_name': '',
                'id': None,
            }
            added.append(extension_number)
            if entry['handset_index'] is None:
                needs_slot.append(extension_number)
            continue
        merged = dict(existing)
        if entry['ipui'] is not None:
            merged['ipui'] = entry['ipui']
        if entry['handset_index'] is not None:
            merged['handset_index'] = entry['handset_index']
        if merged['ipui'] != existing['ipui'] or merged['handset_index'] != existing['handset_index']:
            after[extension_number] = merged
            updated.append(extension_number)

    changed_extensions = set(added) | set(updated)
    holders = {}
    for extension_number, member in after.items():
        if member['handset_index'] is not None:
            holders.setdefault(member['handset_index'], []).append(extension_number)
    for slot in sorted(holders):
        if len(holders[slot]) > 1:
            ordered = sorted(holders[slot], key=extension_sort_key)
            raise PbxValidationError(_slot_conflict_message(slot, ordered, changed_extensions))

    next_slot = 1
    for extension_number in needs_slot:
        while next_slot in holders:
            next_slot += 1
        after[extension_number]['handset_index'] = next_slot
        holders[next_slot] = [extension_number]

    return MemberPlan(
        before,
        sort_members(after.values()),
        sorted(added, key=extension_sort_key),
        sorted(removed, key=extension_sort_key),
        sorted(updated, key=extension_sort_key),
    )


def check_capacity(plan, lines, phone_label):
    """Raise PbxValidationError if the planned list does not fit a phone with ``lines`` slots."""
    if lines is None:
        return
    if len(plan.after) > lines:
        raise PbxValidationError(
            f'DECT phone {phone_label} has {lines} handset slots, but the task would put '
            f'{len(plan.after)} members on it. Remove members, or use exclusive: true to drop unlisted ones.')
    for member in plan.after:
        if member['handset_index'] > lines:
            raise PbxValidationError(
                f"Extension {member['extension_number']} would be on handset_index {member['handset_index']}, "
                f'but DECT phone {phone_label} has only {lines} handset slots (1 to {lines}). '
                'Choose a handset_index within that range.')


def needs_capacity_check(plan):
    """Tell whether the planned list uses a slot above every slot in use now.

    The PBX keeps its current members within the phone's ``lines``, so a plan
    whose highest slot is not above the current highest one fits without
    reading ``lines``; this saves a request on most changed runs.
    """
    if not plan.after:
        return False
    highest_after = max(member['handset_index'] for member in plan.after)
    highest_before = max((member['handset_index'] for member in plan.before), default=0)
    return highest_after > highest_before


def wire_items(members):
    """Return members as the POST body items: managed fields only, every value a string."""
    return [
        {
            'extension_number': member['extension_number'],
            'ipui': member['ipui'],
            'handset_index': str(member['handset_index']),
        }
        for member in members
    ]


def managed_view(members):
    """Return members with only the fields this collection manages, for diffs and comparisons."""
    return [
        {
            'extension_number': member['extension_number'],
            'handset_index': member['handset_index'],
            'ipui': member['ipui'],
        }
        for member in sort_members(members)
    ]


def describe_differences(expected, actual):
    """Return one line per member where ``actual`` differs from ``expected`` (empty if equal)."""
    expected_by_number = {member['extension_number']: member for member in expected}
    actual_by_number = {member['extension_number']: member for member in actual}
    lines = []
    for extension_number in sorted(set(expected_by_number) | set(actual_by_number), key=extension_sort_key):
        want = expected_by_number.get(extension_number)
        have = actual_by_number.get(extension_number)
        if have is None:
            lines.append(f'extension {extension_number} is missing')
        elif want is None:
            lines.append(f'extension {extension_number} is present but should not be')
        else:
            for field in ('handset_index', 'ipui'):
                if want[field] != have[field]:
                    lines.append(
                        f"extension {extension_number} has {field} {have[field]!r} instead of {want[field]!r}")
    return lines

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Operations behind the dect_members and dect_member_info modules, free of AnsibleModule.

Modules and action plugins pass validated parameters and a PbxClient, and get
a result dict back or a PbxError to turn into a failure.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.portsip.pbx.plugins.module_utils.errors import (
    PbxNotFoundError,
    PbxResponseError,
    PbxValidationError,
    PbxVerifyError,
)
from ansible_collections.portsip.pbx.plugins.module_utils.members import (
    check_capacity,
    describe_differences,
    managed_view,
    needs_capacity_check,
    normalize_current,
    normalize_desired,
    reconcile,
    validate_extension_number,
    wire_items,
)

MAC_SEPARATORS_RE = re.compile(r'[:\-. ]')
MAC_RE = re.compile(r'^[0-9a-f]{12}$')


class DectPhone:
    """A DECT phone as far as the modules need it: id, a label for messages, and lines if known."""

    def __init__(self, phone_id, label, lines=None, details=None):
        self.id = phone_id
        self.label = label
        self.lines = lines
        self.details = details

    @property
    def path(self):
        return '/dect_phones/' + quote(self.id, safe='')


def normalize_mac(text):
    """Return a MAC address as 12 lower-case hex digits, or None if ``text`` is not one."""
    compact = MAC_SEPARATORS_RE.sub('', str(text or '')).lower()
    return compact if MAC_RE.match(compact) else None


def _items(body, what):
    if not isinstance(body, dict) or not isinstance(body.get('items'), list):
        raise PbxResponseError(f'The PBX returned {what} without an "items" list.')
    return body['items']


def _lines_of(phone):
    try:
        return int(phone.get('lines'))
    except (TypeError, ValueError):
        return None


def list_dect_phones(client):
    """Return the DECT phones of the PBX (GET /dect_phones)."""
    # NOTE: reads one reply only. The vendor's notes describe top/skip paging for lists, but
    # not a default page size for this one; the emulator does not page, so paging is untested.
    return _items(client.get('/dect_phones'), 'the DECT phone list')


def find_dect_phone(phones, value):
    """Return the one phone whose name is ``value`` or whose MAC equals it in any notation.

    Raises PbxValidationError when no phone or several phones match.
    """
    mac = normalize_mac(value)
    matches = [
        phone for phone in phones
        if isinstance(phone, dict) and (
            phone.get('name') == value or (mac is not None and normalize_mac(phone.get('mac')) == mac))
    ]
    if not matches:
        names = sorted(str(phone.get('name')) for phone in phones if isinstance(phone, dict))
        shown = ', '.join(names[:10]) + (', ...' if len(names) > 10 else '')
        raise PbxValidationError(
            f"DECT phone '{value}' not found: no DECT phone has that name or MAC address. "
            f"Phones on this PBX: {shown or 'none'}.")
    if len(matches) > 1:
        ids = ', '.join(str(phone.get('id')) for phone in matches)
        raise PbxValidationError(
            f"DECT phone '{value}' matches {len(matches)} phones (ids {ids}). Use dect_phone_id to pick one.")
    return matches[0]


def resolve_dect_phone(client, params, phones=None):
    """Return the DectPhone that the task names by ``dect_phone_id`` or ``dect_phone``.

    A phone given by id costs no request here. A name or MAC is looked up in
    the list that ``phones`` returns (a function, so that a caller can cache
    the list), else with GET /dect_phones.
    """
    if params.get('dect_phone_id'):
        phone_id = params['dect_phone_id']
        return DectPhone(phone_id, f"id '{phone_id}'")
    value = params.get('dect_phone')
    if not value:
        raise PbxValidationError('One of dect_phone_id or dect_phone is required.')
    phone_list = phones() if phones is not None else list_dect_phones(client)
    phone = find_dect_phone(phone_list, value)
    return DectPhone(str(phone.get('id')), f"'{value}' (id {phone.get('id')})", _lines_of(phone), phone)


def _phone_not_found(phone, error):
    return PbxNotFoundError(
        f'DECT phone {phone.label} not found on the PBX ({error.method} {error.path} returned HTTP 404). '
        'Check dect_phone_id, or name the phone with dect_phone.',
        method=error.method, path=error.path, status=error.status, errors=error.errors)


def read_members(client, phone):
    """Return the phone's normalised member list; a 404 means the phone does not exist."""
    try:
        body = client.get(phone.path + '/members')
    except PbxNotFoundError as exc:
        raise _phone_not_found(phone, exc) from None
    return normalize_current(_items(body, 'the member list'))


def read_lines(client, phone):
    """Return the phone's number of handset slots, reading its details if not known yet."""
    if phone.lines is None:
        try:
            details = client.get(phone.path)
        except PbxNotFoundError as exc:
            raise _phone_not_found(phone, exc) from None
        phone.details = details if isinstance(details, dict) else None
        phone.lines = _lines_of(details) if isinstance(details, dict) else None
        if phone.lines is None:
            raise PbxResponseError(f'The PBX returned details of DECT phone {phone.label} without "lines".')
    return phone.lines


def _public_members(members):
    return [
        {
            'extension_number': member['extension_number'],
            'handset_index': member['handset_index'],
            'ipui': member['ipui'],
            'display_name': member.get('display_name') or '',
        }
        for member in members
    ]


def validate_members_options(params):
    """Check option combinations and the member list before any request is sent.

    Returns the normalised desired members.
    """
    state = params.get('state') or 'present'
    exclusive = bool(params.get('exclusive'))
    if exclusive and state == 'absent':
        raise PbxValidationError(
            'exclusive: true cannot be combined with state: absent. Use state: present with '
            'exclusive: true to keep only the listed members, or drop exclusive.')
    if params.get('timeout') is not None and params['timeout'] <= 0:
        raise PbxValidationError(f"timeout {params['timeout']} is invalid: give a number of seconds above 0.")
    return normalize_desired(params.get('members'), state)


def manage_members(client, params, check_mode=False, diff=False, phones=None):
    """Bring a DECT phone's member list to the declared state and return the module result.

    Request sequence: GET members; if something changes, GET the phone's
    details only when a new slot above every current one is used, then
    (outside check mode) POST the whole list and GET it again to verify.
    """
    desired = validate_members_options(params)
    state = params.get('state') or 'present'
    exclusive = bool(params.get('exclusive'))

    phone = resolve_dect_phone(client, params, phones=phones)
    current = read_members(client, phone)
    plan = reconcile(current, desired, state=state, exclusive=exclusive)

    members = plan.before
    if plan.changed:
        if needs_capacity_check(plan):
            check_capacity(plan, read_lines(client, phone), phone.label)
        if check_mode:
            members = plan.after
        else:
            client.post(phone.path + '/members', {'items': wire_items(plan.after)})
            stored = read_members(client, phone)
            differences = describe_differences(managed_view(plan.after), managed_view(stored))
            if differences:
                raise PbxVerifyError(
                    f'The PBX accepted the new member list of DECT phone {phone.label}, but reading it back '
                    f"shows a different list: {'; '.join(differences)}. Run the task again; if this repeats, "
                    'check the PBX logs.',
                    dect_phone_id=phone.id,
                    expected_members=_public_members(plan.after),
                    members=_public_members(stored))
            members = stored

    result = dict(
        changed=plan.changed,
        dect_phone_id=phone.id,
        members=_public_members(members),
        added=plan.added,
        removed=plan.removed,
        updated=plan.updated,
    )
    if diff:
        result['diff'] = dict(
            before={'members': managed_view(plan.before)},
            after={'members': managed_view(plan.after)},
            before_header=f'DECT phone {phone.label}',
            after_header=f'DECT phone {phone.label}',
        )
    return result


def member_info(client, params, phones=None):
    """Return the members of a DECT phone, or whether one extension is a member."""
    extension_number = params.get('extension_number')
    if extension_number is not None:
        extension_number = validate_extension_number(extension_number, 'dect_member_info')

    phone = resolve_dect_phone(client, params, phones=phones)
    if extension_number is None:
        return dict(changed=False, dect_phone_id=phone.id, members=_public_members(read_members(client, phone)))

    try:
        body = client.get(f"{phone.path}/members/{quote(extension_number, safe='')}")
    except PbxNotFoundError as exc:
        # The API returns 404 both for an unknown phone and for a non-member.
        # A phone found by name exists; one given by id is confirmed here.
        if phone.details is None:
            try:
                client.get(phone.path)
            except PbxNotFoundError:
                raise _phone_not_found(phone, exc) from None
        return dict(changed=False, dect_phone_id=phone.id, is_member=False, member=None)

    if not isinstance(body, dict):
        raise PbxResponseError(f'The PBX returned member {extension_number} as something other than a JSON object.')
    member = _public_members(normalize_current([body]))[0]
    return dict(changed=False, dect_phone_id=phone.id, is_member=True, member=member)

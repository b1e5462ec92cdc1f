# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Generate the emulator seed and the member lists that the benchmark playbooks declare.

Phone ``i`` (from 0) is a Yealink W70B with 10 handset slots named
``bench-phone-NNN``. It owns six extensions, ``3000 + 10 * i`` to
``3005 + 10 * i``, and the seed puts the first four of them on slots 1 to 4.
The "changed" list keeps slots 1 to 4 but swaps the extensions of slots 3 and
4 for the fifth and sixth, so a run that applies it needs one write per
phone and no check of the phone's capacity.

Usage: python bench/make_seed.py --phones 100 --output seed.json
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import base64
import json

MODEL = {'model': 'W70B', 'vendor': 'Yealink', 'display_name': 'Yealink W70B',
         'filename': 'yealink_w70b.xml', 'lines': 10}
FIRST_EXTENSION = 3000
EXTENSIONS_PER_PHONE = 6
# Positions (0 to 5) of the phone's extensions on slots 1 to 4 in each variant.
SEED_POSITIONS = (0, 1, 2, 3)
CHANGED_POSITIONS = (0, 1, 4, 5)
MAX_PHONES = 699  # keeps every extension number at 4 digits (3000 to 9995)


def phone_id(index):
    """Return the id of phone ``index``, in the PBX's style: base64 of an 18-digit number."""
    return base64.b64encode(str(800000000000000000 + index).encode('ascii')).decode('ascii')


def extension_number(phone_index, position):
    return str(FIRST_EXTENSION + 10 * phone_index + position)


def ipui(phone_index, position):
    """Return a distinct IPUI (10 upper-case hex digits) for each extension of each phone."""
    return f'0{phone_index:04X}{position:05X}'


def member_list(phone_index, variant):
    """Return the members of phone ``phone_index`` in ``variant`` ('seed' or 'changed').

    Values are strings, as the PBX API expects them in a POST body, so the
    ansible.builtin.uri playbook can send the list unchanged.
    """
    positions = SEED_POSITIONS if variant == 'seed' else CHANGED_POSITIONS
    return [
        {
            'extension_number': extension_number(phone_index, position),
            'ipui': ipui(phone_index, position),
            'handset_index': str(slot),
        }
        for slot, position in enumerate(positions, start=1)
    ]


def build_seed(phone_count):
    """Return an emulator seed with ``phone_count`` DECT phones and their extensions."""
    if not 1 <= phone_count <= MAX_PHONES:
        raise ValueError(f'phone count {phone_count} is out of range: use 1 to {MAX_PHONES}.')
    phones = []
    members = {}
    extensions = []
    for index in range(phone_count):
        phones.append({
            'id': phone_id(index),
            'name': f'bench-phone-{index:03d}',
            'mac': '80:5E:C0:{:02X}:{:02X}:{:02X}'.format(0xA0, index // 256, index % 256),
            'model': MODEL['model'],
            'vendor': MODEL['vendor'],
            'template': MODEL['filename'],
            'lines': MODEL['lines'],
        })
        members[phone_id(index)] = member_list(index, 'seed')
        for position in range(EXTENSIONS_PER_PHONE):
            extensions.append({
                'extension_number': extension_number(index, position),
                'name': f'Bench user {index:03d}-{position}',
                'type': 'EXTENSION',
            })
    return {
        'dect_phone_models': [dict(MODEL)],
        'dect_phones': phones,
        'members': members,
        'extensions': extensions,
        'two_factor_accounts': [],
    }


def main():
    parser = argparse.ArgumentParser(description='Write the emulator seed of the portsip.pbx benchmark.')
    parser.add_argument('--phones', type=int, default=100, help='number of DECT phones (default: %(default)s)')
    parser.add_argument('--output', required=True, help='path of the seed JSON file to write')
    args = parser.parse_args()
    try:
        seed = build_seed(args.phones)
    except ValueError as exc:
        parser.error(str(exc))
    with open(args.output, 'w', encoding='utf-8') as output:
        json.dump(seed, output, indent=1)
        output.write('\n')


if __name__ == '__main__':
    main()

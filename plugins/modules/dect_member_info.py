#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: dect_member_info
short_description: Read the extensions assigned to a DECT phone of a PortSIP PBX
version_added: 1.0.0
description:
  - Returns the member list of a DECT base station or DECT manager on a PortSIP PBX (REST API v22).
  - With O(extension_number), tells whether that extension is a member, using
    C(GET /api/dect_phones/{id}/members/{extension_number}).
  - Never changes anything on the PBX.
author:
  - portsip.pbx contributors (!UNKNOWN)
extends_documentation_fragment:
  - portsip.pbx.connection
  - portsip.pbx.connection.attributes
attributes:
  check_mode:
    description: Runs normally in check mode, because it only reads.
    support: full
  diff_mode:
    description: Returns no diff, because it changes nothing.
    support: N/A
options:
  dect_phone_id:
    description:
      - ID of the DECT phone, as the PBX returns it in C(GET /api/dect_phones).
      - Exactly one of O(dect_phone_id) and O(dect_phone) is required.
    type: str
  dect_phone:
    description:
      - Name of the DECT phone, or its MAC address in any usual notation (V(80:5e:c0:11:22:33),
        V(80-5E-C0-11-22-33), V(805ec0112233)).
      - Looked up with C(GET /api/dect_phones). The task fails if no phone or more than one phone matches.
      - Exactly one of O(dect_phone_id) and O(dect_phone) is required.
    type: str
  extension_number:
    description:
      - Extension number to check, a string of 3 to 64 digits.
      - Quote it in YAML. A number is rejected, because YAML reads an unquoted V(0145) as the octal number 101.
      - When set, the module returns RV(is_member) and RV(member) instead of RV(members).
    type: raw
notes:
  - The PBX answers HTTP 404 both for an unknown phone and for an extension that is not a member. On a 404 the module
    confirms that the phone exists (with C(GET /api/dect_phones/{id}) when the phone was given by ID) and fails with
    C(DECT phone ... not found) if it does not.
seealso:
  - module: portsip.pbx.dect_members
'''

EXAMPLES = r'''
- name: Read the members of a base station
  portsip.pbx.dect_member_info:
    pbx_url: https://pbx.example.com:8887
    pbx_token: "{{ vault_portsip_token }}"
    dect_phone: Ward A base
  register: ward_a

- name: Show which extension sits on which slot
  ansible.builtin.debug:
    msg: "{{ ward_a.members | map(attribute='extension_number') | zip(ward_a.members | map(attribute='handset_index')) }}"

- name: Check whether extension 101 is on the base with MAC 80:5E:C0:11:22:33
  portsip.pbx.dect_member_info:
    pbx_url: https://pbx.example.com:8887
    pbx_token: "{{ vault_portsip_token }}"
    dect_phone: 80:5e:c0:11:22:33
    extension_number: "101"
  register: check_101

- name: Fail when 101 is missing
  ansible.builtin.assert:
    that: check_101.is_member
'''

RETURN = r'''
dect_phone_id:
  description: ID of the DECT phone.
  returned: success
  type: str
  sample: NzAwNTUxOTA5NzczMTQ4MTYw
members:
  description: The phone's members, sorted by extension number.
  returned: success and O(extension_number) is not set
  type: list
  elements: dict
  contains:
    extension_number:
      description: Extension number.
      type: str
      sample: "101"
    handset_index:
      description: Handset slot.
      type: int
      sample: 1
    ipui:
      description: IPUI as 10 upper-case hexadecimal digits, or an empty string when no handset restriction is set.
      type: str
      sample: 0328D3C918
    display_name:
      description: Display name of the extension.
      type: str
      sample: Ward A nurse 1
is_member:
  description: Whether O(extension_number) is a member of the phone.
  returned: success and O(extension_number) is set
  type: bool
  sample: true
member:
  description: The member, with the same keys as an element of RV(members), or V(null) when it is not a member.
  returned: success and O(extension_number) is set
  type: dict
  sample:
    extension_number: "101"
    handset_index: 1
    ipui: 0328D3C918
    display_name: Ward A nurse 1
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portsip.pbx.plugins.module_utils.common import argument_constraints, dect_member_info_argument_spec
from ansible_collections.portsip.pbx.plugins.module_utils.module_runner import run_module
from ansible_collections.portsip.pbx.plugins.module_utils.operations import member_info


def run(client, module):
    return member_info(client, module.params)


def main():
    module = AnsibleModule(
        argument_spec=dect_member_info_argument_spec(),
        supports_check_mode=True,
        **argument_constraints()
    )
    run_module(module, run)


if __name__ == '__main__':
    main()

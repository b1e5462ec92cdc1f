#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: dect_members
short_description: Manage the extensions assigned to a DECT phone of a PortSIP PBX
version_added: 1.0.0
description:
  - Adds, updates and removes the members of a DECT base station or DECT manager on a PortSIP PBX (REST API v22).
  - A member assigns an extension to a handset slot (O(members[].handset_index)), optionally bound to one handset
    by its IPUI.
  - The PBX replaces a phone's member list as a whole, so the module reads the list, merges the task into it, and
    writes the complete result back only when something differs. It then reads the list again and fails if the
    PBX does not hold what was written.
  - Values are compared after normalisation, so V("01"), V("1") and V(1) are the same slot, IPUIs compare without
    regard to case, an empty and a missing IPUI are equal, and member order does not matter. A run against an
    unchanged PBX sends one request and reports no change.
author:
  - portsip.pbx contributors (!UNKNOWN)
extends_documentation_fragment:
  - portsip.pbx.connection
  - portsip.pbx.connection.attributes
attributes:
  check_mode:
    description: Sends no write request and reports the same result that a real run would.
    support: full
  diff_mode:
    description: Returns the member lists before and after, sorted by extension number.
    support: full
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
  members:
    description:
      - The members to add, update or remove.
      - With O(state=present) and O(exclusive=true), V([]) removes every member.
    type: list
    elements: dict
    required: true
    suboptions:
      extension_number:
        description:
          - Extension number, a string of 3 to 64 digits.
          - Quote it in YAML (V("0101")). A number is rejected, because YAML reads an unquoted V(0145) as the octal
            number 101, a different extension, before the module sees it.
        type: raw
        required: true
      ipui:
        description:
          - IPUI of the handset that may use this slot, as 10 hexadecimal digits in any case.
          - The 13-digit IPEI printed on the handset label (V(02877 0123456 0)) is accepted too; its check digit is
            verified and it is converted to the IPUI.
          - V("") removes the handset restriction. When left out, a current member keeps its IPUI and a new member
            gets none.
          - Ignored with O(state=absent).
        type: str
      handset_index:
        description:
          - Handset slot, from 1 up to the phone's number of lines.
          - When left out, a current member keeps its slot and a new member gets the lowest free slot.
          - A slot held by a member that the task does not change is an error, so a playbook never moves a
            handset silently.
          - Ignored with O(state=absent).
        type: int
  state:
    description:
      - V(present) adds the listed members or updates their fields.
      - V(absent) removes the listed extensions; their other fields are ignored.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also remove the members that are not listed, so the phone ends up with exactly
        O(members).
      - Cannot be combined with O(state=absent).
    type: bool
    default: false
notes:
  - Every member list is validated before the first request. An invalid extension number or IPUI, a slot below 1,
    a duplicate extension, or two members on one slot fails the task, and nothing on the PBX changes.
  - The phone's number of lines is read with C(GET /api/dect_phones/{id}) only when the new list uses a slot above
    every slot in use now.
seealso:
  - module: portsip.pbx.dect_member_info
'''

EXAMPLES = r'''
- name: Assign extensions to the ward A base station
  portsip.pbx.dect_members:
    pbx_url: https://pbx.example.com:8887
    pbx_token: "{{ vault_portsip_token }}"
    dect_phone: Ward A base
    members:
      - extension_number: "101"
        handset_index: 1
        ipui: 0328D3C918
      - extension_number: "102"

- name: Keep exactly these members on a base given by MAC address, with credentials from the environment
  portsip.pbx.dect_members:
    dect_phone: 80-5E-C0-11-22-33
    exclusive: true
    members:
      - extension_number: "101"
        handset_index: 1
      - extension_number: "103"
        handset_index: 2
        ipui: "02877 0123456 0"

- name: Remove extension 104 from a base
  portsip.pbx.dect_members:
    dect_phone_id: NzAwNTUxOTA5NzczMTQ4MTYw
    state: absent
    members:
      - extension_number: "104"

- name: Set the connection once for every portsip.pbx task of a play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/portsip.pbx.api:
      pbx_url: https://pbx.example.com:8887
      pbx_username: admin
      pbx_password: "{{ vault_portsip_password }}"
      pbx_domain: example.com
      ca_path: /etc/pki/portsip-ca.pem
  tasks:
    - name: Clear every member of a base
      portsip.pbx.dect_members:
        dect_phone: Store room base
        exclusive: true
        members: []
'''

RETURN = r'''
dect_phone_id:
  description: ID of the DECT phone.
  returned: success
  type: str
  sample: NzAwNTUxOTA5NzczMTQ4MTYw
members:
  description:
    - The phone's member list after the task, sorted by extension number.
    - Outside check mode this is the list read back from the PBX. In check mode it is the list the task would write,
      and new members have an empty RV(members[].display_name).
  returned: success
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
      description: Display name of the extension, as the PBX returns it.
      type: str
      sample: Ward A nurse 1
added:
  description: Extension numbers that were (or in check mode would be) added.
  returned: success
  type: list
  elements: str
  sample: ["102"]
removed:
  description: Extension numbers that were (or would be) removed.
  returned: success
  type: list
  elements: str
  sample: []
updated:
  description: Extension numbers whose slot or IPUI was (or would be) changed.
  returned: success
  type: list
  elements: str
  sample: ["101"]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.portsip.pbx.plugins.module_utils.common import argument_constraints, dect_members_argument_spec
from ansible_collections.portsip.pbx.plugins.module_utils.module_runner import run_module
from ansible_collections.portsip.pbx.plugins.module_utils.operations import manage_members


def run(client, module):
    return manage_members(client, module.params, check_mode=module.check_mode, diff=module._diff)


def main():
    module = AnsibleModule(
        argument_spec=dect_members_argument_spec(),
        supports_check_mode=True,
        **argument_constraints()
    )
    run_module(module, run)


if __name__ == '__main__':
    main()

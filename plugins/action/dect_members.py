# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.portsip.pbx.plugins.module_utils.common import dect_members_argument_spec
from ansible_collections.portsip.pbx.plugins.module_utils.operations import manage_members
from ansible_collections.portsip.pbx.plugins.plugin_utils.controller_action import PbxControllerAction


class ActionModule(PbxControllerAction):
    """Run portsip.pbx.dect_members in the controller when the task runs there."""

    MODULE_NAME = 'portsip.pbx.dect_members'
    ARGUMENT_SPEC = staticmethod(dect_members_argument_spec)

    def operation(self, client, params, phones):
        return manage_members(client, params, check_mode=bool(self._task.check_mode),
                              diff=bool(self._task.diff), phones=phones)

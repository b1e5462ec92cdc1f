# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the action plugin tests, defined in action_harness."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.portsip.pbx.tests.unit.plugins.plugin_utils.action_harness import (
    clean_environment,
    clear_caches,
    inject_invocation,
    http,
    pbx,
)

# pytest finds fixtures by name in a conftest's namespace, so importing them registers them here.
__all__ = ['clean_environment', 'clear_caches', 'http', 'inject_invocation', 'pbx']

# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time normalize_desired + reconcile of plugins/module_utils/members.py on growing member lists.

Each case has ``n`` current members on slots 1 to n and a desired list of the
same extensions in which every tenth member gets another IPUI, so reconcile
walks every member and updates a tenth of them (exclusive: true).

Usage: python bench/reconcile_bench.py COLLECTIONS_PATH
COLLECTIONS_PATH contains ansible_collections/portsip/pbx.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import json
import sys
import timeit

SIZES = (10, 100, 1000, 10000)
REPEATS = 7
FIRST_EXTENSION = 10000


def _case(members_module, size):
    current = members_module.normalize_current([
        {'extension_number': str(FIRST_EXTENSION + i), 'ipui': f'{i:010X}', 'handset_index': str(i + 1)}
        for i in range(size)
    ])
    desired = [
        {
            'extension_number': str(FIRST_EXTENSION + i),
            'ipui': f'{i + 0x100000:010X}' if i % 10 == 0 else f'{i:010X}',
            'handset_index': i + 1,
        }
        for i in range(size)
    ]
    return current, desired


def time_reconcile(collections_path, sizes=SIZES, repeats=REPEATS):
    """Return one dict per size with the best time of normalize_desired + reconcile, in seconds.

    timeit's autorange picks the number of calls per repeat (at least 0.2 s
    of work), and the best of ``repeats`` repeats is kept, as timeit advises,
    because slower repeats measure other load on the machine.
    """
    if collections_path not in sys.path:
        sys.path.insert(0, collections_path)
    members = importlib.import_module('ansible_collections.portsip.pbx.plugins.module_utils.members')

    results = []
    for size in sizes:
        current, desired = _case(members, size)

        def run_once(current=current, desired=desired):
            return members.reconcile(current, members.normalize_desired(desired, 'present'),
                                     state='present', exclusive=True)

        plan = run_once()
        expected_updates = (size + 9) // 10
        if len(plan.updated) != expected_updates or plan.added or plan.removed:
            raise RuntimeError(
                f'reconcile of {size} members returned {len(plan.updated)} updated, {len(plan.added)} added '
                f'and {len(plan.removed)} removed members; expected {expected_updates} updated only.')

        timer = timeit.Timer(run_once)
        number, _elapsed = timer.autorange()
        best = min(timer.repeat(repeat=repeats, number=number)) / number
        results.append({'members': size, 'seconds': best, 'calls_per_repeat': number, 'repeats': repeats})
    return results


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: python bench/reconcile_bench.py COLLECTIONS_PATH')
    print(json.dumps(time_reconcile(sys.argv[1]), indent=2))


if __name__ == '__main__':
    main()

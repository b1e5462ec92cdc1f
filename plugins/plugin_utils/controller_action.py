# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Base class of the action plugins that run a portsip.pbx module in the controller process.

A module costs a Python start-up and a module payload per task and per loop
item, while its HTTP work takes milliseconds. When the task would run on the
controller anyway (a ``local`` connection), the action plugin validates the
arguments with the module's own argument spec and calls the same
``operations`` function that the module calls, in-process. It keeps one
PbxClient (one HTTP session, one sign-in) and one DECT phone list per PBX for
the life of the worker process, which runs every item of a loop for one host.
In every other case it runs the module on the target as usual.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import multiprocessing.util
import os

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.portsip.pbx.plugins.module_utils.client import HAS_REQUESTS
from ansible_collections.portsip.pbx.plugins.module_utils.common import (
    argument_constraints,
    client_from_params,
    connection_key,
)
from ansible_collections.portsip.pbx.plugins.module_utils.errors import PbxError
from ansible_collections.portsip.pbx.plugins.module_utils.operations import list_dect_phones

# Inventory or play variable that turns the controller path off, for example to
# compare both paths or to use a Python environment that only the target has.
RUN_IN_CONTROLLER_VAR = 'portsip_pbx_run_in_controller'

_CLIENTS = {}
_PHONE_LISTS = {}
_FINALIZER = []


def close_clients():
    """Sign out and close every cached client. Safe to call more than once."""
    while _CLIENTS:
        _key, client = _CLIENTS.popitem()
        try:
            client.close()
        except Exception:  # pylint: disable=broad-except
            # Sign-out at process exit is best effort: the PBX expires the session.
            pass
    _PHONE_LISTS.clear()


def _register_finalizer():
    # Ansible runs each host's task (with all its loop items) in a forked worker
    # process that ends through multiprocessing, which runs its finalizers but
    # not atexit handlers. Register both, so that sign-out happens either way.
    if not _FINALIZER:
        _FINALIZER.append(multiprocessing.util.Finalize(None, close_clients, exitpriority=10))
        import atexit
        atexit.register(close_clients)


class _TaskEnvironment:
    """Apply the task's ``environment`` to os.environ for the duration of a run.

    The module path gets these variables on the target; the controller path
    needs them too, for the PORTSIP_PBX_* fallbacks and the proxy variables.
    """

    def __init__(self, variables):
        self.variables = {str(name): str(value) for name, value in (variables or {}).items()}
        self.saved = {}

    def __enter__(self):
        for name, value in self.variables.items():
            self.saved[name] = os.environ.get(name)
            os.environ[name] = value
        return self

    def __exit__(self, exc_type, exc_value, tb):
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        return False


class PbxControllerAction(ActionBase):
    """Run a portsip.pbx module in-process when the task runs on the controller.

    Subclasses set MODULE_NAME and ARGUMENT_SPEC (a function returning the
    module's argument spec) and implement ``operation(client, params, phones)``,
    where ``phones`` is a function that returns the cached DECT phone list.
    """

    MODULE_NAME = None
    ARGUMENT_SPEC = None
    _supports_check_mode = True
    _supports_async = True

    def operation(self, client, params, phones):
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        if not self._runs_in_controller(task_vars):
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(
                module_name=self.MODULE_NAME, module_args=self._task.args, task_vars=task_vars,
                wrap_async=wrap_async))
            return result

        environment = {}
        self._compute_environment_string(environment)
        with _TaskEnvironment(environment):
            result.update(self._run_in_controller(self._injects_invocation(task_vars)))
        return result

    @staticmethod
    def _injects_invocation(task_vars):
        # ansible-core 2.21 added INJECT_INVOCATION (default false) and modules
        # follow it; older releases always add invocation to module results.
        try:
            return bool(C.config.get_config_value('INJECT_INVOCATION', variables=task_vars))
        except AnsibleError:
            return True

    def _runs_in_controller(self, task_vars):
        """Decide whether this task can run in the controller with the same outcome as the module."""
        # task_vars reach action plugins untemplated, so "{{ flag }}" must be rendered here.
        if not boolean(self._templar.template(task_vars.get(RUN_IN_CONTROLLER_VAR, True)), strict=False):
            return False
        if not HAS_REQUESTS:
            # The target's Python may have requests even if the controller's has not.
            return False
        if self._task.async_val:
            return False
        if self._play_context.become:
            # become changes the user that reads ca_path and the environment; only the module path honours it.
            return False
        return getattr(self._connection, 'transport', None) == 'local'

    def _run_in_controller(self, inject_invocation=True):
        validator = ArgumentSpecValidator(self.ARGUMENT_SPEC(), **argument_constraints())
        validation = validator.validate(dict(self._task.args))
        no_log_values = validation._no_log_values
        if validation.error_messages:
            error = validation.errors[0]
            message = validation.errors.msg
            if isinstance(error, UnsupportedError):
                message = f'Unsupported parameters for ({self.MODULE_NAME}) module: {message}'
            return remove_values(dict(failed=True, msg=message), no_log_values)

        params = validation.validated_parameters
        client = None
        try:
            client = self._client_for(params)
            outcome = self.operation(client, params, lambda: self._phone_list_for(client, params))
        except PbxError as exc:
            outcome = dict(failed=True, msg=exc.message, **exc.details)
            # A failure may come from a stale phone list; the next item reads it again.
            _PHONE_LISTS.pop(connection_key(params), None)

        if client is not None and client.warnings:
            outcome.setdefault('warnings', []).extend(client.warnings)
            client.warnings.clear()
        if inject_invocation:
            outcome['invocation'] = {'module_args': params}
        return remove_values(outcome, no_log_values)

    @staticmethod
    def _client_for(params):
        key = connection_key(params)
        client = _CLIENTS.get(key)
        if client is None:
            client = client_from_params(params)
            _CLIENTS[key] = client
            _register_finalizer()
        return client

    @staticmethod
    def _phone_list_for(client, params):
        """Return the DECT phone list of the client's PBX, read once per worker process."""
        key = connection_key(params)
        if key not in _PHONE_LISTS:
            _PHONE_LISTS[key] = list_dect_phones(client)
        return _PHONE_LISTS[key]

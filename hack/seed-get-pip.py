"""Seed ansible-test's pip bootstrap cache with a stand-in for get-pip.py.

When ansible-test creates a virtual environment (``--venv``), it bootstraps pip
by downloading ``get-pip-<version>.py`` from ci-files.testing.ansible.com and
caching it as ``~/.ansible/test/cache/get_pip_<version with _ for .>.py``
(``ansible_test/_util/target/setup/requirements.py``, function ``bootstrap``).
Machines without access to that host fail there. ansible-test uses a cached
file without downloading, so this script writes one stand-in per pip version
that the installed ansible-test requests. The stand-in installs pip with
``ensurepip`` and then installs the exact packages that ansible-test requests
(``pip==<version>``, and with ansible-core 2.16 also setuptools and wheel) from
the configured package index.

Run it with the Python of a venv that has ansible-core installed.
A cached file that this script did not write (a real get-pip.py) is kept.
"""

import os
import sys
import types

MARKER = "# portsip.pbx hack/seed-get-pip.py stand-in"

STAND_IN = MARKER + '''
"""Install pip with ensurepip, then the packages that ansible-test requests.

ansible-test runs this file with the arguments it would pass to get-pip.py:
pip options and requirement specifiers such as pip==25.2, plus the get-pip.py
flags --no-setuptools and --no-wheel, which only matter to get-pip.py itself.
"""
import subprocess
import sys

GET_PIP_ONLY_FLAGS = ("--no-setuptools", "--no-wheel")


def main():
    pip_arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + pip_arguments)


if __name__ == "__main__":
    main()
'''


def requested_pip_versions():
    """Return the pip versions that the installed ansible-test bootstraps, one per supported Python."""
    try:
        from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
        from ansible_test._internal.python_requirements import get_venv_packages
    except ImportError as ex:
        sys.exit(
            "ERROR: cannot read pip versions from ansible-test (%s). Run this script with the Python "
            "of a venv that has ansible-core installed, and check whether ansible-test moved "
            "get_venv_packages." % ex
        )

    versions = set()
    for python_version in SUPPORTED_PYTHON_VERSIONS:
        # get_venv_packages reads only the .version attribute of its PythonConfig argument.
        packages = get_venv_packages(types.SimpleNamespace(version=python_version))
        versions.add(packages["pip"])
    return sorted(versions)


def main():
    cache_dir = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache_dir, exist_ok=True)

    for pip_version in requested_pip_versions():
        path = os.path.join(cache_dir, "get_pip_%s.py" % pip_version.replace(".", "_"))
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as cached:
                if not cached.read().startswith(MARKER):
                    print("Kept %s: it is not a stand-in written by this script" % path)
                    continue

        with open(path, "w", encoding="utf-8") as stand_in:
            stand_in.write(STAND_IN)
        print("Wrote pip %s bootstrap stand-in: %s" % (pip_version, path))


if __name__ == "__main__":
    main()

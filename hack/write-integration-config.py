"""Write tests/integration/integration_config.yml from the emulator's emulator.json.

ansible-test integration passes the variables in integration_config.yml to every
target, so the targets reach the emulator without hard-coded ports or paths.

Usage: write-integration-config.py EMULATOR_JSON DEST
"""

import json
import sys

# Variable name in integration_config.yml -> key in emulator.json.
VARIABLES = {
    "pbx_url": "url",
    "pbx_token": "token",
    "pbx_ca_path": "ca_path",
    "pbx_username": "username",
    "pbx_password": "password",
    "pbx_domain": "domain",
    # The control API (/_emulator/...) is served on the same address as the PBX API.
    "emulator_control_url": "url",
}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: write-integration-config.py EMULATOR_JSON DEST")
    info_path, dest = sys.argv[1:]

    with open(info_path, encoding="utf-8") as info_file:
        info = json.load(info_file)

    missing = sorted({key for key in VARIABLES.values() if key not in info})
    if missing:
        sys.exit("ERROR: %s has no %s; check the emulator's --state-dir output" % (info_path, ", ".join(missing)))

    # A JSON scalar is also a valid YAML scalar (None becomes null), so
    # json.dumps quotes each value safely.
    lines = ["# Written by hack/write-integration-config.py from %s" % info_path]
    lines += ["%s: %s" % (name, json.dumps(info[key])) for name, key in VARIABLES.items()]
    with open(dest, "w", encoding="utf-8") as config_file:
        config_file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

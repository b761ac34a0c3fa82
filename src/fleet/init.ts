/** `armbench fleet init`: a commented example inventory to start a fleet from. */
import { existsSync, writeFileSync } from "node:fs";

import { UserError } from "../errors.js";

export const EXAMPLE_INVENTORY = `# armbench fleet inventory: an Ansible inventory (YAML), the machines \`armbench fleet run\`
# benchmarks, each in parallel with the others.
#
#   armbench fleet run --inventory fleet.yml            # every host, quick suite
#   armbench fleet run --inventory fleet.yml --limit graviton3 --suite full
#
# Reaching a host is Ansible's business and uses your SSH set-up: ansible_host,
# ansible_user, ansible_port, ansible_ssh_private_key_file (or your ssh-agent). Host
# keys are checked: add each host's key to ~/.ssh/known_hosts first, e.g.
#   ssh-keyscan -H graviton3-a.example.com >> ~/.ssh/known_hosts   (then compare the
#   fingerprint with the one your cloud console shows)
# Nothing of this file but the armbench_* variables below is read by armbench, and no
# password, key or variable of it is written into any results file, log or report.
#
# armbench_* variables (per host, or per group under vars:):
#   armbench_price_usd_per_hour  price of the machine: the report adds performance per dollar
#   armbench_suite               quick (default), full, or a run suite file on this machine
#                                (relative to this file; --suite on the command line wins)
#   armbench_threads             --threads for every step (default: one per core)
#   armbench_remote_dir          where armbench is installed on the host (default ~/armbench-fleet/<host>)
#   armbench_extra_path          a folder put first on PATH there (e.g. a Node.js 20 that is not the system's)
#   armbench_npm_env             environment for npm ci there (e.g. npm_config_registry: a mirror)
#   armbench_allow_become        true: --install-deps may use sudo (become) on this host
#   armbench_install_timeout_s   limit for npm ci and the native build (default 3600)
#   armbench_run_timeout_s       limit for the suite (default 43200)
#
# Each host needs Python 3 (for Ansible), and for armbench Node.js >= 20, npm, CMake, a
# C++17 compiler, make and tar; a missing one fails that host with the command that
# installs it, or is installed with --install-deps where armbench_allow_become allows.
all:
  children:
    graviton3:
      vars:
        armbench_price_usd_per_hour: 0.29   # an example: your own price per hour
      hosts:
        graviton3-a:
          ansible_host: graviton3-a.example.com
          ansible_user: ubuntu
    yitian710:
      vars:
        armbench_price_usd_per_hour: 0.25   # an example
      hosts:
        yitian-a:
          ansible_host: 192.0.2.10
          ansible_user: ecs-user
          ansible_port: 22
    x86:
      hosts:
        sapphire-rapids-a:
          ansible_host: spr-a.example.com
          ansible_user: ubuntu
          armbench_price_usd_per_hour: 0.34   # an example
          armbench_threads: 8
          # armbench_suite: full
`;

export function writeExampleInventory(file: string, force: boolean): void {
  if (existsSync(file) && !force) throw new UserError(`${file} exists; give another --output or --force to replace it.`);
  try {
    writeFileSync(file, EXAMPLE_INVENTORY);
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${(err as Error).message}.`);
  }
}

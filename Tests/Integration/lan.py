"""A structure's LAN on one machine: each host a network namespace with its own loopback and
one address on a bridge (its "switch", a namespace of its own), and the test runner itself
on the switch as one more host. Made by the test, removed afterwards; a link is cut by
setting its switch port down."""
import os, subprocess
from pathlib import Path

SUBNET = "10.231.0"


def _ip(*args, check=True):
    run = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and run.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {run.stderr.strip()}")
    return run


class Host:
    def __init__(self, lan, name, number):
        self.lan, self.name, self.number = lan, name, number
        self.ns = f"{lan.prefix}-{name}"
        self.address = f"{SUBNET}.{number}"
        self.port_name = f"{lan.prefix[:6]}{number}"  # its port on the switch (≤ 15 characters)

    def command(self, args):
        """`args` run inside this host."""
        return ["ip", "netns", "exec", self.ns, *[str(a) for a in args]]

    def run(self, args, **kwargs):
        return subprocess.run(self.command(args), **kwargs)

    def popen(self, args, **kwargs):
        return subprocess.Popen(self.command(args), **kwargs)

    def cut(self):
        _ip("-n", self.lan.switch, "link", "set", self.port_name, "down")

    def restore(self):
        _ip("-n", self.lan.switch, "link", "set", self.port_name, "up")


class Lan:
    def __init__(self):
        self.prefix = f"gx{os.getpid() % 100000}"
        self.switch = f"{self.prefix}-sw"
        self.hosts = {}
        self.runner_port = f"{self.prefix[:6]}254"
        try:
            _ip("netns", "add", self.switch)
            _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.switch, "link", "set", "br0", "up")
            # The test runner (this process's own namespace) is host .254.
            _ip("link", "add", f"{self.prefix}r", "type", "veth", "peer", "name", self.runner_port, "netns", self.switch)
            _ip("addr", "add", f"{SUBNET}.254/24", "dev", f"{self.prefix}r")
            _ip("link", "set", f"{self.prefix}r", "up")
            self._plug(self.runner_port)
        except Exception:
            self.close()
            raise

    def _plug(self, port):
        _ip("-n", self.switch, "link", "set", port, "master", "br0")
        _ip("-n", self.switch, "link", "set", port, "up")

    def add(self, name, number):
        host = Host(self, name, number)
        _ip("netns", "add", host.ns)
        _ip("-n", host.ns, "link", "set", "lo", "up")
        _ip("-n", self.switch, "link", "add", host.port_name, "type", "veth", "peer", "name", "eth0", "netns", host.ns)
        _ip("-n", host.ns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        _ip("-n", host.ns, "link", "set", "eth0", "up")
        self._plug(host.port_name)
        self.hosts[name] = host
        return host

    def close(self):
        """Kills what still runs in the hosts, then removes them and the switch."""
        for host in self.hosts.values():
            pids = _ip("netns", "pids", host.ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
            _ip("netns", "del", host.ns, check=False)
        _ip("link", "del", f"{self.prefix}r", check=False)
        _ip("netns", "del", self.switch, check=False)

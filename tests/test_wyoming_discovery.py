"""Zeroconf: ``assistant wyoming --wyoming-zeroconf true`` is found as ``_wyoming._tcp`` by a
real zeroconf browser, and a Wyoming client reaches it at the address and port announced.

mDNS is multicast, so the test runs in a network namespace of its own (``unshare --net``) whose
only interface is loopback: nothing it announces leaves that namespace.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import pytest
from service_helpers import PYTHON, child_env

from assistant.wyoming.discovery import announced_address

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import asyncio, json, subprocess, sys
    for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "link", "set", "lo", "multicast", "on"],
                ["ip", "route", "add", "224.0.0.0/4", "dev", "lo"]):
        subprocess.run(cmd, check=True)
    from wyoming.client import AsyncTcpClient
    from wyoming.info import Describe, Info
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "wyoming", "--uri", "tcp://0.0.0.0:0",
         "--wyoming-zeroconf", "true", "--wyoming-zeroconf-name", "hearth-test",
         "--wyoming-services", "tts", "--generation-enabled", "false", "-v"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = server.stdout.readline()

    async def find():
        zc = AsyncZeroconf(interfaces=["127.0.0.1"])
        found = asyncio.Queue()
        browser = AsyncServiceBrowser(zc.zeroconf, "_wyoming._tcp.local.",
                                      handlers=[lambda **kw: found.put_nowait(kw["name"])])
        name = await asyncio.wait_for(found.get(), 20)
        info = AsyncServiceInfo("_wyoming._tcp.local.", name)
        assert await info.async_request(zc.zeroconf, 5000)
        address, port = info.parsed_addresses()[0], info.port
        await browser.async_cancel()
        await zc.async_close()
        async with AsyncTcpClient(address, port) as client:
            await client.write_event(Describe().event())
            described = Info.from_event(await client.read_event())
        return {"ready": ready, "name": name, "address": address, "port": port,
                "tts": [p.name for p in described.tts]}

    try:
        print(json.dumps(asyncio.run(find())))
    finally:
        server.terminate()
        server.wait(timeout=15)
        sys.stderr.write(server.stderr.read())
""")


def can_unshare() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not can_unshare(), reason="needs unshare --net (root) and iproute2")
def test_the_server_is_announced_found_and_reached():
    done = subprocess.run(["unshare", "--net", PYTHON, "-c", SCRIPT], capture_output=True,
                          text=True, timeout=240, env=child_env())
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["name"] == "hearth-test._wyoming._tcp.local."
    assert found["ready"].rstrip().endswith(f":{found['port']}")  # the port it really bound
    assert found["tts"] == ["hearth-tts"]
    assert "zeroconf: announced hearth-test._wyoming._tcp.local." in done.stderr


def test_loopback_is_never_announced_and_any_address_is_the_outward_one():
    assert announced_address("127.0.0.1") is None
    assert announced_address("::1") is None
    assert announced_address("192.168.1.20") == "192.168.1.20"
    assert announced_address("localhost") is None

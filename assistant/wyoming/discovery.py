"""Zeroconf: announce the server as ``_wyoming._tcp`` so Home Assistant offers to add it.

Off by default (``wyoming.zeroconf``). A server on loopback or a Unix socket is never announced:
no other machine could connect to what the announcement names.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from zeroconf import InterfaceChoice
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_wyoming._tcp.local."
MDNS_GROUP = "224.0.0.251"


def default_name() -> str:
    return f"hearth-{socket.gethostname().split('.')[0]}"


def outward_address() -> str:
    """The address other machines reach this one at (a UDP "connect" sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((MDNS_GROUP, 5353))
        return s.getsockname()[0]


def announced_address(host: str) -> str | None:
    """What to announce for a server bound to ``host``; None when nobody else could connect."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:
            ip = ipaddress.ip_address(socket.gethostbyname(host))
        except OSError:
            return None
    if ip.is_loopback:
        return None
    if ip.is_unspecified:
        return outward_address()
    return str(ip)


class Announcer:
    """Registers the service on start, withdraws it on stop."""

    def __init__(self, name: str, address: str, port: int, *,
                 interfaces: InterfaceChoice | list[str] = InterfaceChoice.All) -> None:
        self.name = name or default_name()
        self.info = AsyncServiceInfo(
            SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}",
            addresses=[ipaddress.ip_address(address).packed], port=port,
            server=f"{self.name}.local.")
        self._interfaces = interfaces
        self._zc: AsyncZeroconf | None = None

    async def start(self) -> None:
        self._zc = AsyncZeroconf(interfaces=self._interfaces)
        await self._zc.async_register_service(self.info)
        log.info("zeroconf: announced %s at %s:%d", self.info.name,
                 self.info.parsed_addresses()[0], self.info.port)

    async def stop(self) -> None:
        if self._zc is None:
            return
        zc, self._zc = self._zc, None
        try:
            await zc.async_unregister_service(self.info)
        finally:
            await zc.async_close()

"""Who may act on the household through the Wyoming server.

``handle`` and ``intent`` reach the household's lists, timers, memory and custom intents, so a
client that can reach the port can act on the home. Wyoming has no authentication, and Home
Assistant, the client that matters, cannot send a token; what the server does know is each
client's address. So: on loopback or a Unix socket (this machine only) they are open as before;
on any other bind the server refuses to start unless ``wyoming.remote_handle`` says it is meant
and ``wyoming.handle_clients`` lists the addresses or subnets that may use them, checked when a
client connects. Speech-to-text, text-to-speech and wake words act on nothing and stay open.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import WyomingConfig
from assistant.errors import ConfigError

ACTING = ("handle", "intent")  # the services that change or reveal the household's state
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def loopback_only(where: tuple[str, int] | Path) -> bool:
    """True when only this machine can connect: a Unix socket or a loopback address."""
    if isinstance(where, Path):
        return True
    host = where[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: whatever it resolves to, assume others can reach it


def client_networks(cfg: WyomingConfig) -> tuple[Network, ...]:
    out = []
    for text in cfg.handle_clients:
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ConfigError(f"wyoming.handle_clients: '{text}' is not an address or subnet "
                              "like 192.168.1.20 or 192.168.1.0/24") from None
    return tuple(out)


def check_exposure(cfg: WyomingConfig, where: tuple[str, int] | Path,
                   services: frozenset[str]) -> None:
    """Refuse, in one line, a config that opens handle or intent to other machines unasked."""
    client_networks(cfg)
    acting = [s for s in ACTING if s in services]
    if not acting or loopback_only(where):
        return
    if not cfg.remote_handle or not cfg.handle_clients:
        raise ConfigError(
            f"wyoming: {' and '.join(acting)} act on the household and {cfg.uri} lets other "
            "machines connect: set wyoming.remote_handle = true and list the clients allowed "
            "in wyoming.handle_clients (Home Assistant's address), or serve only asr,tts,wake")


@dataclass(frozen=True)
class Access:
    """Which clients may use the acting services (checked when a client connects)."""

    open_to_all: bool  # a loopback or Unix socket bind
    networks: tuple[Network, ...]

    @classmethod
    def from_config(cls, cfg: WyomingConfig, where: tuple[str, int] | Path) -> Access:
        return cls(loopback_only(where), client_networks(cfg))

    def may_act(self, peer: Any) -> bool:
        """``peer``: the socket's peer name ((host, port, ...) for TCP; a path or '' for Unix)."""
        if self.open_to_all or not isinstance(peer, tuple):
            return True
        try:
            address = ipaddress.ip_address(str(peer[0]).split("%")[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.is_loopback or any(address in n for n in self.networks)

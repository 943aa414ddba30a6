"""``assistant wyoming`` as a well-behaved service: ready and watchdog for systemd, SIGTERM
stops within seconds, SIGHUP reloads config and models (the nightly job sends it) while every
open connection finishes on the engines it started with, zeroconf on request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from urllib.parse import urlparse

from assistant.config import Config
from assistant.errors import HearthError
from assistant.service.notify import Notifier
from assistant.wyoming.access import check_exposure
from assistant.wyoming.discovery import Announcer, announced_address
from assistant.wyoming.engines import Engines, check_services
from assistant.wyoming.limits import Limits
from assistant.wyoming.server import Server, listen_address

log = logging.getLogger(__name__)


def run(load: Callable[[], Config]) -> int:
    """Load once, serve until SIGTERM or Ctrl-C; bad settings fail before any model loads."""
    cfg = load()
    Limits.from_config(cfg.wyoming)
    check_exposure(cfg.wyoming, listen_address(cfg.wyoming.uri), check_services(cfg.wyoming.services))
    logging.getLogger("assistant.wyoming.actions").setLevel(logging.INFO)  # what clients did
    engines = Engines.build(cfg)
    try:
        return asyncio.run(_serve(cfg, engines, load))
    finally:
        engines.close()


async def _announce(cfg: Config, address: str) -> Announcer | None:
    if not cfg.wyoming.zeroconf:
        return None
    url = urlparse(address)
    host = url.hostname if url.scheme == "tcp" else None
    where = announced_address(host) if host else None
    if where is None or url.port is None:
        log.warning("zeroconf: not announcing %s: no other machine can connect to it "
                    "(listen on tcp://0.0.0.0:PORT for Home Assistant elsewhere)", address)
        return None
    announcer = Announcer(cfg.wyoming.zeroconf_name, where, url.port)
    try:
        await announcer.start()
    except Exception as e:  # discovery is a convenience: the server runs without it
        log.warning("zeroconf: could not announce the server: %s", e)
        return None
    return announcer


async def _serve(cfg: Config, engines: Engines, load: Callable[[], Config]) -> int:
    loop = asyncio.get_running_loop()
    server = Server(engines, Limits.from_config(cfg.wyoming))
    address = await server.start(cfg.wyoming.uri)
    announcer = await _announce(cfg, address)
    services = ", ".join(s for s in ("asr", "tts", "wake", "handle", "intent")
                         if s in engines.services)
    print(f"wyoming: serving {services} on {address}", flush=True)
    notifier = Notifier()
    notifier.ready(f"serving {services} on {address}")

    stop = asyncio.Event()
    reloading: set[asyncio.Task] = set()

    async def reload() -> None:
        notifier.reloading()
        try:
            new_cfg = load()
            check_exposure(new_cfg.wyoming, listen_address(cfg.wyoming.uri),
                           check_services(new_cfg.wyoming.services))
            fresh = await loop.run_in_executor(None, Engines.build, new_cfg, server.engines.executor,
                                               server.engines.dialogue_executor)
        except HearthError as e:
            log.warning("wyoming: reload failed, still serving the old models: %s", e)
        else:
            if new_cfg.wyoming.uri != cfg.wyoming.uri:
                log.warning("wyoming: wyoming.uri changed; restart the server to listen there")
            server.replace_engines(fresh)
            log.warning("wyoming: reloaded config and models")
        notifier.ready(f"serving {services} on {address}")

    def on_hup() -> None:
        task = loop.create_task(reload())
        reloading.add(task)
        task.add_done_callback(reloading.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, on_hup)
    pinger = loop.create_task(_watchdog(notifier)) if notifier.watchdog_timeout else None
    try:
        await stop.wait()
    finally:
        notifier.stopping()
        if pinger is not None:
            pinger.cancel()
        if announcer is not None:
            with contextlib.suppress(Exception):
                await announcer.stop()
        await server.close()
        notifier.close()
    return 0


async def _watchdog(notifier: Notifier) -> None:
    """Pings come from the event loop itself: a stuck loop stops them and systemd restarts."""
    assert notifier.watchdog_timeout is not None
    while True:
        notifier.watchdog()
        await asyncio.sleep(notifier.watchdog_timeout / 3)

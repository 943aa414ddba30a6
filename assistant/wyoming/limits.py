"""What one client may send, and the errors that close its connection (and only its).

The ``wyoming`` library reads events (a JSON header line, an optional data part, an optional
binary payload). It reads whatever lengths the header announces, so :class:`GuardedReader`
stands between it and the socket: a header line, data part or payload over the configured caps
is refused before it is buffered, and the reason is kept for the log line.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from assistant.config import WyomingConfig
from assistant.errors import ConfigError, HearthError

HEADER_CEILING = 65536  # asyncio reads a line into memory whole; this bounds it


class ClientError(HearthError):
    """The client broke the protocol or a limit: its connection closes, the server goes on."""


class EventTooLarge(ClientError):
    pass


@dataclass(frozen=True)
class Limits:
    max_connections: int
    max_header_bytes: int
    max_payload_bytes: int
    max_audio_s: float
    idle_timeout_s: float

    @classmethod
    def from_config(cls, cfg: WyomingConfig) -> Limits:
        if not 1 <= cfg.max_connections <= 1000:
            raise ConfigError(f"wyoming.max_connections must be 1..1000, got {cfg.max_connections}")
        if not 1024 <= cfg.max_header_bytes <= HEADER_CEILING:
            raise ConfigError(f"wyoming.max_header_bytes must be 1024..{HEADER_CEILING}, "
                              f"got {cfg.max_header_bytes}")
        if not 4096 <= cfg.max_payload_bytes <= 64 * 1024 * 1024:
            raise ConfigError(f"wyoming.max_payload_bytes must be 4096..67108864, "
                              f"got {cfg.max_payload_bytes}")
        for key in ("max_audio_s", "idle_timeout_s"):
            if not 0 < getattr(cfg, key) <= 86400:
                raise ConfigError(f"wyoming.{key} must be over 0 and at most a day, "
                                  f"got {getattr(cfg, key)}")
        return cls(cfg.max_connections, cfg.max_header_bytes, cfg.max_payload_bytes,
                   cfg.max_audio_s, cfg.idle_timeout_s)


class GuardedReader:
    """The two reads ``wyoming.event.async_read_event`` makes, with the caps applied.

    ``line_seen`` tells a malformed event (a line came, the library could not parse it) from a
    client that simply hung up (no line at all): the library returns None for both.
    """

    def __init__(self, reader: asyncio.StreamReader, limits: Limits) -> None:
        self._reader = reader
        self._limits = limits
        self.line_seen = False

    async def readline(self) -> bytes:
        self.line_seen = False
        try:
            line = await self._reader.readline()
        except ValueError:  # asyncio: the line is longer than the stream's limit
            raise EventTooLarge(f"an event header is over {self._limits.max_header_bytes} "
                                "bytes") from None
        if len(line) > self._limits.max_header_bytes:
            raise EventTooLarge(f"an event header of {len(line)} bytes is over "
                                f"{self._limits.max_header_bytes}")
        self.line_seen = bool(line)
        return line

    async def readexactly(self, n: int) -> bytes:
        if not isinstance(n, int) or n < 0:
            raise ClientError(f"an event announced a length of {n!r}")
        if n > self._limits.max_payload_bytes:
            raise EventTooLarge(f"an event announced {n} bytes of data or payload, over "
                                f"{self._limits.max_payload_bytes}")
        try:
            return await self._reader.readexactly(n)
        except asyncio.IncompleteReadError as e:
            raise ClientError(f"the client hung up inside an event ({len(e.partial)} of {n} "
                              "bytes came)") from None

"""The listener and one handler per connection: events in, services called, limits kept.

The ``wyoming`` library does the framing (``async_read_event`` / ``async_write_event``) and the
handler's shape (``AsyncEventHandler``); this adds what a server on a home network needs: a cap
on connections, on event sizes (:mod:`limits`), on silence and on never-ending speech, and the
rule that whatever one client does wrong (malformed or oversized events, hanging up mid-stream)
costs one log line and that client's connection, never the server or the other clients.
Whether a client may use the services that act on the household is settled when it connects
(:mod:`access`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, Eventable, async_read_event, async_write_event
from wyoming.info import Describe
from wyoming.intent import Intent, Recognize
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop
from wyoming.wake import Detect

from assistant.errors import ConfigError, HearthError
from assistant.wyoming.access import Access
from assistant.wyoming.asr import AsrStream
from assistant.wyoming.engines import Engines
from assistant.wyoming.handle import HandleSession
from assistant.wyoming.info import describe
from assistant.wyoming.limits import ClientError, GuardedReader, Limits
from assistant.wyoming.tts import TtsSession
from assistant.wyoming.wake import WakeStream

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Eventable)
S = TypeVar("S")
GOODBYE_S = 1.0  # how long the last error event may take to go out to a closing client


class ServiceOff(HearthError):
    """A request for a service this server does not run: answered with an error, not closed."""


class NotAllowed(HearthError):
    """A request for handle or intent from a client not allowed them: an error, not closed."""


def decode(kind: type[E], event: Event) -> E:
    """The typed event; a field missing or of the wrong type is the client's error."""
    try:
        return kind.from_event(event)  # type: ignore[return-value]
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ClientError(f"malformed {event.type} event ({type(e).__name__}: {e})") from None


def peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return "unix client" if not peer else str(peer)


class Connection(AsyncEventHandler):
    """One client. Its engines are those of the moment it connected (a reload swaps the
    server's, never a connection's mid-request)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 engines: Engines, limits: Limits, may_act: bool = True) -> None:
        super().__init__(reader, writer)
        self.engines = engines
        self.limits = limits
        self.may_act = may_act
        self.peer = peer_name(writer)
        self._guard = GuardedReader(reader, limits)
        on = engines.services
        self.asr = AsrStream(engines, self.send, limits.max_audio_s) if "asr" in on else None
        self.wake = WakeStream(engines, self.send) if "wake" in on else None
        self.tts = TtsSession(engines, self.send) if "tts" in on else None
        self.skills = HandleSession(engines, self.send, self.peer) if {"handle", "intent"} & on else None
        self._audio_to: AsrStream | WakeStream | None = self.asr or self.wake

    async def send(self, message: Eventable) -> None:
        try:
            await asyncio.wait_for(self.write_event(message.event()), self.limits.idle_timeout_s)
        except TimeoutError:
            raise ClientError(f"the client read nothing for {self.limits.idle_timeout_s:g} s") from None

    def _mid_stream(self) -> str:
        if self.asr is not None and self.asr.active:
            return "a speech-to-text stream"
        if self.wake is not None and self.wake.active:
            return "a wake word stream"
        if self.tts is not None and self.tts.streaming:
            return "a streamed synthesis"
        return ""

    async def _next_event(self) -> Event | None:
        try:
            event = await asyncio.wait_for(async_read_event(self._guard),  # type: ignore[arg-type]
                                           self.limits.idle_timeout_s)
        except TimeoutError:
            stream = self._mid_stream()
            raise ClientError(f"nothing came for {self.limits.idle_timeout_s:g} s"
                              + (f" in the middle of {stream}" if stream else "")) from None
        except (KeyError, TypeError, AttributeError) as e:  # JSON that is not an event
            raise ClientError(f"malformed event ({type(e).__name__}: {e})") from None
        if event is None and self._guard.line_seen:
            raise ClientError("malformed event (its header is not JSON)")
        if event is not None and not isinstance(event.data, dict):
            raise ClientError(f"malformed {event.type} event (its data is not an object)")
        return event

    async def run(self) -> None:
        log.debug("wyoming: %s connected", self.peer)
        try:
            while (event := await self._next_event()) is not None:
                try:
                    await self.handle_event(event)
                except ServiceOff as e:
                    log.info("wyoming: %s: %s", self.peer, e)
                    await self.send(Error(text=str(e), code="service-off"))
                except NotAllowed as e:
                    log.warning("wyoming: %s: refused: %s", self.peer, e)
                    await self.send(Error(text=str(e), code="not-allowed"))
            self._hung_up()
        except ClientError as e:
            log.warning("wyoming: %s: %s; closing this connection", self.peer, e)
            await self._goodbye(str(e))
        except HearthError as e:  # bad audio format and the like: the client's input
            log.warning("wyoming: %s: %s; closing this connection", self.peer, e)
            await self._goodbye(str(e))
        except ConnectionError:
            self._hung_up(always=True)
        except Exception:  # a bug: say where, keep serving everyone else
            log.exception("wyoming: %s: internal error; closing this connection", self.peer)
            await self._goodbye("internal error")
        finally:
            await self.disconnect()
            self.writer.close()
            log.debug("wyoming: %s disconnected", self.peer)

    def _hung_up(self, always: bool = False) -> None:
        """A hang-up is only news in the middle of something (or while we were answering)."""
        stream = self._mid_stream()
        if stream or always:
            log.warning("wyoming: %s hung up%s", self.peer,
                        f" in the middle of {stream}" if stream else " before its answer")

    async def _goodbye(self, text: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.write_event(Error(text=text).event()), GOODBYE_S)

    async def disconnect(self) -> None:
        for stream in (self.asr, self.wake, self.tts):
            if stream is not None:
                with contextlib.suppress(Exception):
                    await stream.abort()

    def _need(self, service: str, session: S | None) -> S:
        if session is None:
            raise ServiceOff(f"{service} is not enabled on this server (wyoming.services)")
        return session

    async def handle_event(self, event: Event) -> bool:
        t = event.type
        if Describe.is_type(t):
            await self.send(describe(self.engines))
        elif Ping.is_type(t):
            await self.send(Pong(text=decode(Ping, event).text))
        elif Transcribe.is_type(t):
            self._audio_to = self._need("asr", self.asr)
            self._audio_to.transcribe(decode(Transcribe, event))
        elif Detect.is_type(t):
            self._audio_to = self._need("wake", self.wake)
            self._audio_to.detect(decode(Detect, event))
        elif AudioStart.is_type(t):
            decode(AudioStart, event)
            await self._need("asr or wake", self._audio_to).start()
        elif AudioChunk.is_type(t):
            await self._need("asr or wake", self._audio_to).chunk(decode(AudioChunk, event))
        elif AudioStop.is_type(t):
            await self._need("asr or wake", self._audio_to).stop()
        elif SynthesizeStart.is_type(t):
            start = decode(SynthesizeStart, event)
            await self._need("tts", self.tts).start(start.voice.name if start.voice else None)
        elif SynthesizeChunk.is_type(t):
            self._need("tts", self.tts).chunk(decode(SynthesizeChunk, event))
        elif SynthesizeStop.is_type(t):
            await self._need("tts", self.tts).stop()
        elif Synthesize.is_type(t):
            await self._need("tts", self.tts).synthesize(decode(Synthesize, event))
        elif Transcript.is_type(t):
            self._skills("handle")
            await self.skills.transcript(decode(Transcript, event))  # type: ignore[union-attr]
        elif Intent.is_type(t):
            self._skills("handle")
            await self.skills.intent(decode(Intent, event))  # type: ignore[union-attr]
        elif Recognize.is_type(t):
            self._skills("intent")
            await self.skills.recognize(decode(Recognize, event))  # type: ignore[union-attr]
        else:
            log.debug("wyoming: %s: ignoring a %s event", self.peer, t)
        return True

    def _skills(self, service: str) -> None:
        if self.skills is None or service not in self.engines.services:
            raise ServiceOff(f"{service} is not enabled on this server (wyoming.services)")
        if not self.may_act:
            raise NotAllowed(f"{service} is not open to this client (wyoming.handle_clients)")


def listen_address(uri: str) -> tuple[str, int] | Path:
    """``tcp://HOST:PORT`` as (host, port), ``unix://PATH`` as a path; anything else is one line."""
    parsed = urlparse(uri)
    if parsed.scheme == "tcp":
        try:
            port = parsed.port
        except ValueError:
            port = None
        if not parsed.hostname or port is None:
            raise ConfigError(f"wyoming.uri: '{uri}' needs a host and a port, "
                              "like tcp://127.0.0.1:10700")
        return parsed.hostname, port
    if parsed.scheme == "unix" and (parsed.path or parsed.netloc):
        return Path(parsed.netloc + parsed.path)
    raise ConfigError(f"wyoming.uri must be tcp://HOST:PORT or unix://PATH, got '{uri}'")


def remove_stale_socket(path: Path) -> None:
    """Remove the socket a previous server left at ``path``; anything else there is not ours
    to delete, and listening there is refused in one line."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(st.st_mode):
        raise ConfigError(f"wyoming.uri: {path} exists and is not a socket; not removing it")
    path.unlink()


class Server:
    """Listens on ``tcp://HOST:PORT`` or ``unix://PATH``; ``address`` is where it really is
    (port 0 becomes the port the system chose)."""

    def __init__(self, engines: Engines, limits: Limits) -> None:
        self.engines = engines
        self.limits = limits
        self.address = ""
        self._server: asyncio.Server | None = None
        self._socket_path: Path | None = None
        self._where: tuple[str, int] | Path = Path()
        self._tasks: set[asyncio.Task] = set()
        self.refused = 0

    @property
    def connections(self) -> int:
        return len(self._tasks)

    async def start(self, uri: str) -> str:
        where = self._where = listen_address(uri)
        limit = self.limits.max_header_bytes
        try:
            if isinstance(where, Path):
                remove_stale_socket(where)
                self._server = await asyncio.start_unix_server(self._accept, where, limit=limit)
                os.chmod(where, 0o660)
                self._socket_path = where
                self.address = f"unix://{where}"
            else:
                self._server = await asyncio.start_server(self._accept, *where, limit=limit)
                host, bound = self._server.sockets[0].getsockname()[:2]
                self.address = f"tcp://{f'[{host}]' if ':' in host else host}:{bound}"
        except OSError as e:
            raise ConfigError(f"wyoming: cannot listen on {uri}: {e.strerror or e}") from None
        return self.address

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._tasks) >= self.limits.max_connections:
            self.refused += 1
            log.warning("wyoming: refused %s: %d clients are connected already "
                        "(wyoming.max_connections)", peer_name(writer), len(self._tasks))
            with contextlib.suppress(Exception):
                await asyncio.wait_for(async_write_event(
                    Error(text="server busy: too many connections", code="busy").event(),
                    writer), GOODBYE_S)
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        access = Access.from_config(self.engines.cfg.wyoming, self._where)
        try:
            await Connection(reader, writer, self.engines, self.limits,
                             access.may_act(writer.get_extra_info("peername"))).run()
        finally:
            self._tasks.discard(task)

    def replace_engines(self, engines: Engines) -> Engines:
        """New connections get ``engines``; the old ones finish on theirs."""
        old, self.engines = self.engines, engines
        return old

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
        if self._socket_path is not None:
            self._socket_path.unlink(missing_ok=True)


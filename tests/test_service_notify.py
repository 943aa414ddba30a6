"""sd_notify: messages reach a real datagram socket (path and abstract), no-op outside systemd."""

from __future__ import annotations

import os
import uuid

from service_helpers import NotifyListener

from assistant.service.notify import Notifier


def test_messages_reach_a_path_socket(tmp_path):
    listener = NotifyListener(tmp_path / "notify")
    n = Notifier({"NOTIFY_SOCKET": listener.env_value})
    assert n.enabled
    assert n.ready("idle")
    assert n.status("waiting for microphone:\nno device")  # newline must not split the field
    assert n.reloading()
    assert n.stopping()
    msgs = listener.receive(0.2)
    assert msgs[0] == {"READY": "1", "STATUS": "idle"}
    assert msgs[1] == {"STATUS": "waiting for microphone: no device"}
    assert msgs[2]["RELOADING"] == "1" and int(msgs[2]["MONOTONIC_USEC"]) > 0
    assert msgs[3] == {"STOPPING": "1"}
    n.close()
    listener.close()


def test_abstract_socket_with_at_sign():
    listener = NotifyListener(f"@hearth-test-{uuid.uuid4().hex}")
    n = Notifier({"NOTIFY_SOCKET": listener.env_value, "WATCHDOG_USEC": "2000000"})
    assert n.watchdog_timeout == 2.0
    assert n.watchdog()
    assert listener.wait_for("WATCHDOG", "1", timeout=2)
    listener.close()


def test_watchdog_only_for_our_pid_and_sane_values(tmp_path):
    sock = str(tmp_path / "n")
    assert Notifier({"NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "30000000",
                     "WATCHDOG_PID": str(os.getpid())}).watchdog_timeout == 30.0
    assert Notifier({"NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "30000000",
                     "WATCHDOG_PID": str(os.getpid() + 1)}).watchdog_timeout is None
    assert Notifier({"NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "soon"}).watchdog_timeout is None
    assert Notifier({"NOTIFY_SOCKET": sock, "WATCHDOG_USEC": "0"}).watchdog_timeout is None


def test_no_op_outside_systemd():
    n = Notifier({})
    assert not n.enabled
    assert n.watchdog_timeout is None
    assert not n.ready() and not n.watchdog() and not n.status("x")


def test_vanished_socket_never_raises(tmp_path, caplog):
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")})
    assert n.ready() is False
    assert n.status("still fine") is False
    warnings = [r for r in caplog.records if "notify socket" in r.getMessage()]
    assert len(warnings) == 1  # said once, not once per message

"""The unit files: rendered for this venv, accepted by systemd-analyze, sandboxed (OK band or
better), consistent with what the code really needs (W^X); and the install steps."""

from __future__ import annotations

import ctypes.util
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from service_helpers import PYTHON, WX_FILTER, child_env

from assistant.cli import main
from assistant.errors import HearthError
from assistant.service import units
from assistant.service.install import Installer

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze not installed")
# systemd's bands: < 0.1 PERFECT, < 1 SAFE, < 5 OK, < 7 MEDIUM, < 9 EXPOSED, < 10 UNSAFE.
GOOD_BANDS = {"PERFECT", "SAFE", "OK"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The units for this very venv, in a temp folder (the ExecStart binary really exists)."""
    d = tmp_path_factory.mktemp("units")
    for name, text in units.render(units.detect()).items():
        (d / name).write_text(text)
    return d


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert ANALYZE is not None
    return subprocess.run([ANALYZE, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def exposure(unit_dir: Path, name: str) -> tuple[float, str]:
    done = analyze("security", "--offline=true", str(unit_dir / name), cwd=unit_dir)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+) (\w+)", done.stdout)
    assert m, done.stdout[-500:] + done.stderr
    return float(m.group(1)), m.group(2)


@needs_analyze
def test_rendered_units_verify_cleanly(rendered):
    done = analyze("verify", *units.UNITS, cwd=rendered)
    assert done.returncode == 0 and done.stderr == "", done.stderr


@needs_analyze
def test_verify_catches_a_missing_executable(tmp_path):
    params = units.UnitParams(assistant=Path("/nonexistent/venv/bin/assistant"))
    (tmp_path / units.MAIN_UNIT).write_text(units.render(params)[units.MAIN_UNIT])
    done = analyze("verify", units.MAIN_UNIT, cwd=tmp_path)
    assert done.returncode != 0 and "not executable" in done.stderr


@needs_analyze
@pytest.mark.parametrize("name", [units.MAIN_UNIT, units.JOB_UNIT, units.WYOMING_UNIT])
def test_sandbox_exposure_is_ok_or_better(rendered, name):
    level, band = exposure(rendered, name)
    assert band in GOOD_BANDS and level < 5.0, (level, band)


@needs_analyze
def test_exposure_check_can_fail(tmp_path):
    """A unit without the sandbox lands outside the good bands, so the check above means it."""
    (tmp_path / "bare.service").write_text("[Service]\nExecStart=/bin/true\n")
    level, band = exposure(tmp_path, "bare.service")
    assert band not in GOOD_BANDS and level > 5.0


def test_rendered_main_unit_has_what_the_appliance_needs(rendered):
    text = (rendered / units.MAIN_UNIT).read_text()
    exe = units.default_executable()
    for line in [f"ExecStart={exe} run", "Type=notify", "ExecReload=", "-HUP $MAINPID",
                 "WatchdogSec=", "Restart=on-failure", "User=hearth", "SupplementaryGroups=audio",
                 "StateDirectory=hearth", "RuntimeDirectory=hearth", "DeviceAllow=char-alsa rw",
                 "RestrictAddressFamilies=AF_UNIX", "PrivateNetwork=yes", "UMask=0077"]:
        assert line in text, line
    assert "@" not in re.sub(r"SystemCallFilter=.*|^#.*", "", text, flags=re.M)  # all filled
    job = (rendered / units.JOB_UNIT).read_text()
    assert f"ExecStart={exe} personalize run --quiet" in job and "Nice=19" in job
    assert "try-reload-or-restart hearth.service" in job
    timer = (rendered / units.TIMER_UNIT).read_text()
    assert "OnCalendar=*-*-* 03:00:00" in timer and "Persistent=true" in timer


def test_wyoming_unit_opens_the_network_only_for_its_socket(tmp_path):
    from assistant.config import WyomingConfig

    params = units.detect(wyoming=WyomingConfig(uri="tcp://0.0.0.0:10700",
                                                allow_subnets=["192.168.1.7/24", "fd00::/8"]))
    text = units.render(params)[units.WYOMING_UNIT]
    exe = units.default_executable()
    for line in [f"ExecStart={exe} wyoming --uri tcp://0.0.0.0:10700", "Type=notify",
                 "IPAddressDeny=any", "IPAddressAllow=localhost 192.168.1.0/24 fd00::/8",
                 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n", "PrivateDevices=yes",
                 "MemoryDenyWriteExecute=no", "User=hearth", "WatchdogSec="]:
        assert line in text, line
    assert "PrivateNetwork" not in text and "DeviceAllow" not in text
    # zeroconf needs multicast out and the interface list (netlink), and only then
    announced = units.render(units.detect(wyoming=WyomingConfig(zeroconf=True)))[units.WYOMING_UNIT]
    assert "IPAddressAllow=localhost multicast" in announced
    assert "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" in announced
    with pytest.raises(HearthError, match="not a subnet"):
        units.detect(wyoming=WyomingConfig(allow_subnets=["my lan"])).values()
    if ANALYZE is not None:
        (tmp_path / units.WYOMING_UNIT).write_text(text)
        assert analyze("verify", units.WYOMING_UNIT, cwd=tmp_path).stderr == ""
        level, band = exposure(tmp_path, units.WYOMING_UNIT)
        assert band in GOOD_BANDS, (level, band)
    # the nightly job reloads the Wyoming server too, when it runs
    job = units.render(params)[units.JOB_UNIT]
    assert "try-reload-or-restart hearth.service hearth-wyoming.service" in job


def test_wyoming_unit_is_safe_and_carries_who_may_act(tmp_path):
    from assistant.config import WyomingConfig

    cfg = WyomingConfig(uri="tcp://0.0.0.0:10700", allow_subnets=["192.168.1.0/24"],
                        remote_handle=True, handle_clients=["192.168.1.20"], run_commands=True)
    text = units.render(units.detect(wyoming=cfg))[units.WYOMING_UNIT]
    exe = units.default_executable()
    assert (f"ExecStart={exe} wyoming --uri tcp://0.0.0.0:10700 --wyoming-remote-handle true "
            "--wyoming-handle-clients 192.168.1.20 --wyoming-run-commands true\n") in text
    for line in ["PrivateMounts=yes", "PrivateUsers=yes", "StateDirectoryMode=0700",
                 "CacheDirectoryMode=0700"]:
        assert line + "\n" in text, line
    assert "\nProcSubset=" not in text  # openWakeWord's TFLite crashes without /proc/cpuinfo
    if ANALYZE is not None:
        (tmp_path / units.WYOMING_UNIT).write_text(text)
        assert analyze("verify", units.WYOMING_UNIT, cwd=tmp_path).stderr == ""
        level, _ = exposure(tmp_path, units.WYOMING_UNIT)
        assert level <= 1.0, level  # IP to a subnet costs 0.1 over loopback only
        loopback = units.render(units.detect())[units.WYOMING_UNIT]
        (tmp_path / units.WYOMING_UNIT).write_text(loopback)
        level, band = exposure(tmp_path, units.WYOMING_UNIT)
        assert level <= 1.0, (level, band)
        # Whisper's run-time kernels (x86) need W^X off: that alone is the step from SAFE
        wx = loopback.replace("MemoryDenyWriteExecute=no", "MemoryDenyWriteExecute=yes")
        (tmp_path / units.WYOMING_UNIT).write_text(wx)
        level, band = exposure(tmp_path, units.WYOMING_UNIT)
        assert band == "SAFE", (level, band)


def test_home_folders_are_bound_back_read_only():
    needed = [Path("/home/ann/hearth/.venv"), Path("/usr"), Path("/home/ann/hearth"),
              Path("/root/.pyenv/versions/3.11.7"), Path("/opt/hearth")]
    assert units.home_binds(needed) == [Path("/home/ann/hearth"), Path("/root/.pyenv/versions/3.11.7")]
    assert units.home_binds([Path("/opt/hearth/.venv"), Path("/usr")]) == []
    venv_in_home = units.UnitParams(Path("/home/ann/.venv/bin/assistant"),
                                    read_only=[Path("/home/ann/.venv")]).values()
    assert venv_in_home["PROTECT_HOME"] == "tmpfs"
    assert venv_in_home["BIND_READ_ONLY"] == "/home/ann/.venv"
    assert units.UnitParams(Path("/opt/h/bin/assistant")).values()["PROTECT_HOME"] == "yes"


def test_template_rendering_rules():
    out = units.render_text("A=@X@\nB=@EMPTY@\nC=1\n", {"X": "50%%", "EMPTY": ""})
    assert out == "A=50%%\nC=1\n"  # a setting with nothing to say is left out
    with pytest.raises(HearthError, match="@TYPO@"):
        units.render_text("A=@TYPO@\n", {"X": "1"})
    with pytest.raises(HearthError, match="spaces"):
        units.UnitParams(Path("/my venv/bin/assistant")).values()
    assert units.UnitParams(Path("/opt/50%/bin/assistant")).values()["ASSISTANT"] == "/opt/50%%/bin/assistant"


# -- install / uninstall ------------------------------------------------------------------
class Recorder:
    def __init__(self) -> None:
        self.commands: list[list[str]] = []
        self.lines: list[str] = []

    def installer(self, unit_dir: Path, *, system: bool = True, **kw) -> Installer:
        return Installer(unit_dir, system_dir=unit_dir if system else Path("/etc/systemd/system"),
                         say=self.lines.append, run=self.commands.append, **kw)


def fake_units() -> dict[str, str]:
    return {name: f"# {name}\n" for name in units.UNITS}


def test_install_creates_user_and_enables_under_systemd(tmp_path):
    r = Recorder()
    r.installer(tmp_path, is_root=True, systemd=True, user_exists=lambda u: False,
                group_members=lambda g: []).install(fake_units())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(units.UNITS)
    assert (tmp_path / units.MAIN_UNIT).stat().st_mode & 0o777 == 0o644
    useradd = r.commands[0]
    assert useradd[0] == "useradd" and "--system" in useradd and useradd[-1] == "hearth"
    assert useradd[useradd.index("--groups") + 1] == "audio"
    assert r.commands[1:] == [["systemctl", "daemon-reload"],
                              ["systemctl", "enable", "--now", "hearth.service",
                               "hearth-personalize.timer"]]


def test_install_enables_the_wyoming_server_only_when_asked(tmp_path):
    r = Recorder()
    inst = r.installer(tmp_path, is_root=True, systemd=True, user_exists=lambda u: True,
                       group_members=lambda g: ["hearth"])
    inst.install(fake_units())
    assert r.commands[-1] == ["systemctl", "enable", "--now", "hearth.service",
                              "hearth-personalize.timer"]
    assert any("--wyoming" in line for line in r.lines)
    r.commands.clear()
    inst.install(fake_units(), units.ENABLE + (units.WYOMING_UNIT,))
    assert r.commands[-1][-1] == "hearth-wyoming.service"


def test_install_without_systemd_says_so_in_one_line(tmp_path):
    r = Recorder()
    r.installer(tmp_path, is_root=True, systemd=False, user_exists=lambda u: True,
                group_members=lambda g: ["hearth"]).install(fake_units())
    assert r.commands == []  # user fine, systemctl skipped
    skipped = [line for line in r.lines if "systemd is not running" in line]
    assert len(skipped) == 1 and "\n" not in skipped[0]


def test_existing_user_joins_audio(tmp_path):
    r = Recorder()
    r.installer(tmp_path, is_root=True, systemd=False, user_exists=lambda u: True,
                group_members=lambda g: ["pi"]).install(fake_units())
    assert r.commands == [["usermod", "--append", "--groups", "audio", "hearth"]]


def test_install_to_system_dir_needs_root(tmp_path):
    r = Recorder()
    with pytest.raises(HearthError, match="needs root"):
        r.installer(tmp_path, is_root=False, systemd=True).install(fake_units())
    assert list(tmp_path.iterdir()) == []


def test_dry_run_changes_nothing(tmp_path):
    r = Recorder()
    r.installer(tmp_path / "units", dry_run=True, is_root=False, systemd=True,
                user_exists=lambda u: False, group_members=lambda g: []).install(fake_units())
    assert not (tmp_path / "units").exists() and r.commands == []
    assert any(line.startswith("would run: useradd") for line in r.lines)
    assert any(line.startswith("would run: systemctl enable --now") for line in r.lines)


def test_uninstall_disables_and_removes(tmp_path):
    r = Recorder()
    inst = r.installer(tmp_path, is_root=True, systemd=True, user_exists=lambda u: True,
                       group_members=lambda g: ["hearth"])
    inst.install(fake_units())
    r.commands.clear()
    inst.uninstall()
    assert list(tmp_path.iterdir()) == []
    assert r.commands[0][:3] == ["systemctl", "disable", "--now"]
    assert r.commands[-1] == ["systemctl", "daemon-reload"]


def test_cli_dry_run_renders_for_this_venv(tmp_path, capsys):
    assert main(["service", "install", "--dry-run", "--unit-dir", str(tmp_path / "u")]) == 0
    out = capsys.readouterr().out
    assert f"ExecStart={units.default_executable()} run" in out
    assert not (tmp_path / "u").exists()
    assert main(["service", "install", "--dry-run", "--exec", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err


# -- MemoryDenyWriteExecute: set where the code allows it, and only there -----------------
WX_PROBE = WX_FILTER + textwrap.dedent("""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    wx = libc.mmap(None, 4096, 7, 0x22, -1, 0)
    print("filter", "on" if wx in (None, ctypes.c_void_p(-1).value) else "off")

    try:
        import sounddevice
        sounddevice._ffi.callback("PaStreamCallback")(lambda *a: 0)
        print("audio_callbacks ok")
    except (MemoryError, OSError) as e:
        print("audio_callbacks fail", type(e).__name__)

    import numpy as np
    import onnxruntime as ort
    model = os.path.join(os.path.dirname(ort.__file__), "datasets", "sigmoid.onnx")
    s = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    y = s.run(None, {s.get_inputs()[0].name: np.zeros((3, 4, 5), np.float32)})[0]
    print("onnxruntime", "ok" if abs(float(y.mean()) - 0.5) < 1e-6 else "wrong")

    from assistant.asr.whisper import load_model, model_folder
    from assistant.errors import ModelError
    try:
        load_model(model_folder("whisper-tiny-en"))
        print("whisper ok")
    except ModelError as e:
        print("whisper fail", e)
""")


def _wx_setting(unit: str) -> bool:
    m = re.search(r"^MemoryDenyWriteExecute=(\w+)", unit, re.M)
    return bool(m) and m.group(1) == "yes"


@pytest.mark.skipif(ctypes.util.find_library("seccomp") is None, reason="no libseccomp")
def test_memory_deny_write_execute_matches_what_the_code_needs(rendered):
    done = subprocess.run([PYTHON, "-c", WX_PROBE], capture_output=True, text=True,
                          timeout=120, env=child_env())
    assert done.returncode == 0, done.stderr[-2000:]
    result = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert result["filter"] == "on"  # the emulation really denies W+X
    assert result["onnxruntime"] == "ok"  # models run under W^X: the jobs unit turns it on
    assert _wx_setting((rendered / units.JOB_UNIT).read_text())
    # PortAudio callbacks (assistant.audio.device) need W+X with this libffi: the main unit
    # must leave it off, and may turn it on once they stop needing it.
    audio_ok = result["audio_callbacks"] == "ok"
    assert _wx_setting((rendered / units.MAIN_UNIT).read_text()) == audio_ok, result
    # Whisper (CTranslate2) generates its x86 kernels at run time (oneDNN): the Wyoming unit,
    # which serves it, may turn W^X on only where Whisper still runs under it
    whisper_ok = result["whisper"] == "ok"
    assert _wx_setting((rendered / units.WYOMING_UNIT).read_text()) == whisper_ok, result


def test_folders_closed_to_the_service_user_are_reported(tmp_path):
    venv = tmp_path / "closed" / "venv"
    venv.mkdir(parents=True)
    (tmp_path / "closed").chmod(0o700)
    try:
        assert tmp_path / "closed" in units.unreachable([venv])
        (tmp_path / "closed").chmod(0o755)
        assert tmp_path / "closed" not in units.unreachable([venv])
    finally:
        (tmp_path / "closed").chmod(0o755)

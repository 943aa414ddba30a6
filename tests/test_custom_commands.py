"""What speech may make a custom intent's command do (issue 19): the program is fixed, free
words reach it only where the file allows, option- and path-like values are refused, a missing
slot means no run, and the child gets a minimal world, a capped log and a killed process group."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import paths
from assistant.dialogue.manager import DialogueManager
from assistant.sentences.load import load
from assistant.skills.command import MAX_OUTPUT, CommandRefused, CommandRunner, execute
from assistant.skills.custom import CustomIntentSkill
from assistant.store import Store
from assistant.understanding.templates import TemplateMatcher
from assistant.values.slots import resolve

# a program that writes its argv, environment and working folder to the file it is given
RECORD = ("import json, os, sys; json.dump(dict(argv=sys.argv[2:], env=dict(os.environ), "
          "cwd=os.getcwd()), open(sys.argv[1], 'w'))")

NOTES = """\
language: en
intents:
  SaveNote:
    data:
      - sentences:
          - "save note {note}"
    command: [PYTHON, "-c", RECORD, LOG, "add", "{note}"]
    command_wildcards: [note]
    command_end_of_options: true
  WaterGarden:
    data:
      - sentences:
          - "water [the] {zone} for {minutes} minutes"
          - "(start|run) the {zone} sprinkler[s]"
    command: [PYTHON, "-c", RECORD, LOG, "{zone}", "{minutes}"]
lists:
  note: {wildcard: true}
  zone: {values: [tomatoes, lawn]}
  minutes: {range: {from: 1, to: 60}}
"""


def notes(folder: Path, log: Path, text: str = NOTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (text.replace("PYTHON", json.dumps(sys.executable)).replace("RECORD", json.dumps(RECORD))
            .replace("LOG", json.dumps(str(log))))
    path = folder / "notes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def say(tmp_path: Path, text: str) -> tuple[str, dict | None]:
    """The reply to ``text`` and what the command received (None: it did not run)."""
    log = tmp_path / "ran.json"
    s = load(files=[notes(tmp_path / "intents", log)])
    assert not s.problems, s.problems
    d = DialogueManager(Store(tmp_path / "h.db"), skills=[CustomIntentSkill(s.custom)], plugins=False)
    reply = d.respond(resolve(TemplateMatcher(s).match(text)))
    return reply.text, json.loads(log.read_text()) if log.exists() else None


def test_a_wildcard_slot_the_file_allows_comes_after_end_of_options_with_a_minimal_world(tmp_path):
    reply, ran = say(tmp_path, "save note buy more milk")
    assert reply in ("Done.", "Okay.") and ran is not None
    assert ran["argv"] == ["add", "--", "buy more milk"]
    assert ran["cwd"] == "/"
    assert ran["env"] == {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                          "HEARTH_INTENT": "SaveNote", "HEARTH_SLOT_NOTE": "buy more milk"}


def test_an_option_said_into_a_slot_is_refused_in_one_sentence_and_one_line(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="assistant.skills.command"):
        reply, ran = say(tmp_path, "save note -rf /")
    assert ran is None
    assert reply == "Sorry, I didn't run save note: the note I heard can't go into a command."
    assert [r.getMessage() for r in caplog.records] == [
        "custom intent SaveNote: not run: note='-rf /': it begins with '-'"]


def test_a_slot_the_sentence_did_not_fill_means_no_run_and_a_reason(tmp_path):
    reply, ran = say(tmp_path, "run the lawn sprinkler")  # {minutes} is in the argv, not said
    assert ran is None
    assert reply == "Sorry, I didn't run water garden: I didn't catch the minutes."


@pytest.mark.parametrize("value,why", [("--force", "it begins with '-'"), ("a/b", "it holds '/'"),
                                       ("..", "it holds '..'"), ("a\0b", "it holds a NUL")])
def test_option_and_path_values_never_reach_the_program(tmp_path, caplog, value, why):
    s = load(files=[notes(tmp_path / "intents", tmp_path / "ran.json")])
    with pytest.raises(CommandRefused), caplog.at_level(logging.WARNING, logger="assistant.skills.command"):
        CustomIntentSkill(s.custom).run(s.custom["SaveNote"], {"note": value})
    assert not (tmp_path / "ran.json").exists() and caplog.records[-1].getMessage().endswith(why)


@pytest.mark.parametrize("change,line,problem", [
    (('[PYTHON, "-c", RECORD, LOG, "add", "{note}"]', '["{note}", "--version"]'), 7,
     "intent 'SaveNote': the program '{note}' must be fixed, not a slot"),
    (("    command_wildcards: [note]\n", ""), 7,
     "intent 'SaveNote': command uses the wildcard slot {note} (any words); "
     "allow it with 'command_wildcards: [note]'"),
    (("command_wildcards: [note]", "command_wildcards: [zone]"), 8,
     "intent 'SaveNote': command_wildcards names 'zone', which is no wildcard slot of it"),
    (('"add", "{note}"]', '"{note}", "--force"]'), 7,
     "intent 'SaveNote': option '--force' comes after a slot argument, where '--' "
     "(command_end_of_options) would make it a plain argument"),
])
def test_unsafe_commands_are_refused_at_load_in_one_line(tmp_path, change, line, problem):
    path = notes(tmp_path, tmp_path / "ran.json", NOTES.replace(*change))
    s = load(files=[path])
    assert s.problems == [f"{path}:{line}: {problem}"] and not s.custom


def test_intents_check_names_the_program_slot_once(tmp_path):
    path = notes(paths.config_dir() / "checked", tmp_path / "ran.json",
                 NOTES.replace('[PYTHON, "-c", RECORD, LOG, "add", "{note}"]', '["{note}", "--version"]'))
    r = subprocess.run([sys.executable, "-m", "assistant", "intents", "check", str(path)],
                       capture_output=True, text=True, timeout=120)
    line = f"{path}:7: intent 'SaveNote': the program '{{note}}' must be fixed, not a slot"
    assert r.returncode == 1 and r.stdout.strip() == line
    assert str(path) not in r.stderr  # printed once, not logged again


def test_output_is_capped_and_the_whole_process_group_dies_at_the_time_limit(tmp_path):
    done = execute([sys.executable, "-c", "import sys; sys.stdout.write('x' * 1000000 + 'end')"],
                   {"PATH": "/usr/bin:/bin"}, 10.0)
    assert done.code == 0 and len(done.output) == MAX_OUTPUT and done.output.endswith(b"end")
    pid_file = tmp_path / "grandchild"
    spawn = ("import subprocess, sys, time; p = subprocess.Popen(['sleep', '60']); "
             "open(sys.argv[1], 'w').write(str(p.pid)); time.sleep(60)")
    started = time.monotonic()
    done = execute([sys.executable, "-c", spawn, str(pid_file)], {"PATH": "/usr/bin:/bin"}, 1.0)
    assert done.code is None and time.monotonic() - started < 5
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{grandchild}").exists() or \
        Path(f"/proc/{grandchild}/stat").read_text().split()[2] == "Z"


def test_one_command_at_a_time_a_second_is_refused_at_once():
    runner = CommandRunner()
    first = threading.Thread(target=runner.run, args=(["sleep", "1.5"], {"PATH": "/usr/bin:/bin"}, 5.0))
    first.start()
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(CommandRefused, match="another command is still running"):
        runner.run(["true"], {"PATH": "/usr/bin:/bin"}, 5.0)
    assert time.monotonic() - started < 0.1
    first.join()
    assert runner.run(["true"], {"PATH": "/usr/bin:/bin"}, 5.0).code == 0

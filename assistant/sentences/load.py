"""Sentence templates: Hearth's own (package data) and the household's custom intents.

Both are Home Assistant's template language, parsed by ``hassil``. The built-in files in
``sentences/data/`` define Hearth's intents and the lists and rules they share; every
``<config dir>/intents/*.yaml`` file adds custom intents in Home Assistant's custom-sentences
layout, plus Hearth keys per intent: ``response`` (a reply template over the slot values),
``command`` (an argv run with the slots as arguments, never with a slot as the program),
``command_wildcards`` (the wildcard slots allowed into it: free speech reaches a program only
where the file says so) and ``command_end_of_options`` (the program takes ``--``, which Hearth
then puts before the first slot argument).

A bad user file costs only itself: it is reported as one line naming the file, the line and the
problem (``file.yaml:7: ...``), and the other files keep working. A file that decides which
programs run is only read if nobody else could have written it: one the group or others may
write, or that belongs to someone other than this user or root, is skipped (as sshd's
``StrictModes`` skips such keys).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import os
import stat
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents, merge_dict, parse_sentence
from hassil.expression import Group, ListReference, RuleReference, Sentence
from hassil.intents import RangeSlotList, SlotList

from assistant import paths
from assistant.sentences.spoken import spoken_templates

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).resolve().parent / "data"
NO_MATCH = "template_match"  # metadata key: ``false`` = sampled for training, never matched
LANGUAGE = "en"


def user_dir() -> Path:
    """Where the household's custom intents live."""
    return paths.config_dir() / "intents"


@dataclass(frozen=True)
class CustomIntent:
    """What a custom intent does when heard: say ``response``, run ``command`` (argv)."""

    name: str
    source: Path
    response: str = ""
    command: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()
    wildcards: tuple[str, ...] = ()  # wildcard slots the file lets into ``command``
    end_of_options: bool = False  # the program takes "--": put it before the first slot argument
    command_off: str = ""  # why the command may not run where this set is used ("" = it may)


@dataclass
class SentenceSet:
    """Every template Hearth knows, as one ``hassil.Intents``, with what came from where."""

    intents: Intents
    raw: dict[str, Any]  # the merged YAML (wildcard ``examples`` live only here)
    custom: dict[str, CustomIntent] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one line per bad user file
    custom_lists: tuple[str, ...] = ()  # lists the custom files define, in file order

    @property
    def builtin_names(self) -> list[str]:
        return [n for n in self.intents.intents if n not in self.custom]

    def examples(self, list_name: str) -> list[str]:
        """Sample values of a wildcard list (what a person might put there)."""
        return [str(v) for v in self.raw.get("lists", {}).get(list_name, {}).get("examples", [])]

    def matchable(self, intent: str, data_index: int) -> bool:
        """False for template blocks kept for training only (too broad to act on directly)."""
        data = self.intents.intents[intent].data[data_index]
        return (data.metadata or {}).get(NO_MATCH, True) is not False


class TemplateError(Exception):
    """One problem in a template file, at a line (0: the file as a whole)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def _read(path: Path) -> tuple[dict[str, Any], yaml.Node]:
    """The file as data and as a YAML node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(1, f"cannot read it: {e}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.context_mark or e.problem_mark  # where the broken construct began
        raise TemplateError((mark.line + 1) if mark else 1,
                            f"not valid YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise TemplateError(1, f"not valid YAML: {e}") from None
    if not isinstance(data, dict) or node is None:
        raise TemplateError(1, "expected a mapping with 'language' and 'intents'")
    return data, node


def _line(node: yaml.Node | None, *path: str | int) -> int:
    """The 1-based line of the key or item at ``path`` (the deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for p in path:
        found = None
        if isinstance(p, int) and isinstance(node, yaml.SequenceNode) and p < len(node.value):
            found = (node.value[p], node.value[p])
        elif isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == p), None)
        if found is None:
            break
        line = found[0].start_mark.line + 1
        node = found[1]
    return line


def number_range(ref: ListReference, lists: dict[str, SlotList]) -> range | None:
    """The numbers a list reference stands for (an inline ``{n:1..9}`` or a range list), or None
    when it is no number list; the grammar and the sampler read ranges the same way."""
    inline = ref.get_inline_range()
    if inline is not None:
        return range(inline[0], inline[1] + 1, inline[2])
    slot_list = lists.get(ref.list_name)
    if isinstance(slot_list, RangeSlotList):
        return range(slot_list.start, slot_list.stop + 1, slot_list.step)
    return None


def _references(sentence: Sentence) -> tuple[set[str], set[str]]:
    """The list names and rule names a template refers to."""
    lists: set[str] = set()
    rules: set[str] = set()

    def walk(e: Any) -> None:
        if isinstance(e, ListReference):
            if not e.is_inline_range:
                lists.add(e.list_name)
        elif isinstance(e, RuleReference):
            rules.add(e.rule_name)
        elif isinstance(e, Group):
            for item in e.items:
                walk(item)

    walk(sentence.expression)
    return lists, rules


def _parse(text: Any, line: int) -> Sentence:
    if not isinstance(text, str) or not text.strip():
        raise TemplateError(line, f"a sentence must be text, got {text!r}")
    try:
        return parse_sentence(text, keep_text=True)
    except Exception as e:  # hassil raises several types for bad syntax
        raise TemplateError(line, f"bad template {text!r}: {e}") from None


def _check_lists(data: dict[str, Any], node: yaml.Node) -> None:
    lists = data.get("lists", {}) or {}
    if not isinstance(lists, dict):
        raise TemplateError(_line(node, "lists"), "'lists' must be a mapping of list names")
    for name, body in lists.items():
        line = _line(node, "lists", name)
        if not isinstance(body, dict) or not ({"values", "range", "wildcard"} & set(body)):
            raise TemplateError(line, f"list '{name}' needs 'values', 'range' or 'wildcard: true'")
        if "values" in body:
            if not isinstance(body["values"], list) or not body["values"]:
                raise TemplateError(line, f"list '{name}': 'values' must be a non-empty list")
            for i, v in enumerate(body["values"]):
                vline = _line(node, "lists", name, "values", i)
                if isinstance(v, dict):
                    if "in" not in v:
                        raise TemplateError(vline, f"list '{name}': a value needs 'in' (and 'out')")
                    _parse(v["in"], vline)
                elif not isinstance(v, (str, int, float)):
                    raise TemplateError(vline, f"list '{name}': bad value {v!r}")
        if "range" in body:
            r = body["range"]
            if not isinstance(r, dict) or not all(isinstance(r.get(k), int) for k in ("from", "to")):
                raise TemplateError(line, f"list '{name}': range needs whole numbers 'from' and 'to'")
            if r["from"] > r["to"]:
                raise TemplateError(line, f"list '{name}': range 'from' is greater than 'to'")


def _values_as_text(data: dict[str, Any]) -> None:
    """``values: [1, 2, 4]`` as the text it was written as (YAML reads it as numbers, which
    hassil cannot match)."""
    for body in (data.get("lists") or {}).values():
        values = body.get("values") or []
        values[:] = [str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                     for v in values]


def _check_intents(data: dict[str, Any], node: yaml.Node, known_lists: dict[str, Any],
                   known_rules: set[str], builtin: Iterable[str]) -> None:
    intents = data.get("intents")
    if not isinstance(intents, dict) or not intents:
        raise TemplateError(_line(node, "intents"), "'intents' must map intent names to their sentences")
    builtin = set(builtin)
    for name, body in intents.items():
        where = ("intents", name)
        if name in builtin:
            raise TemplateError(_line(node, *where), f"intent '{name}' is built in; give yours another name")
        if not isinstance(body, dict) or not isinstance(body.get("data"), list) or not body["data"]:
            raise TemplateError(_line(node, *where), f"intent '{name}' needs 'data' with a list of 'sentences'")
        slots: set[str] = set()
        wild: set[str] = set()
        for i, block in enumerate(body["data"]):
            sents = block.get("sentences") if isinstance(block, dict) else None
            if not isinstance(sents, list) or not sents:
                raise TemplateError(_line(node, *where, "data", i), f"intent '{name}': each 'data' item needs 'sentences'")
            local_rules = set(block.get("expansion_rules") or {})
            local_lists = {**known_lists, **(block.get("lists") or {})}
            for j, text in enumerate(sents):
                line = _line(node, *where, "data", i, "sentences", j)
                sentence = _parse(text, line)
                lists, rules = _references(sentence)
                missing = sorted(lists - set(local_lists))
                if missing:
                    raise TemplateError(line, f"unknown list {{{missing[0]}}} in {text!r}")
                missing = sorted(rules - known_rules - local_rules)
                if missing:
                    raise TemplateError(line, f"unknown rule <{missing[0]}> in {text!r}")
                slots |= _slot_names(sentence, data)
                wild |= _wildcard_slots(sentence, data, local_lists)
        if "response" in body and not isinstance(body["response"], str):
            raise TemplateError(_line(node, *where, "response"), f"intent '{name}': 'response' must be text")
        _check_command(name, body, node, wild)
        for key, text in [("response", body.get("response") or "")] + \
                [("command", str(a)) for a in body.get("command") or []]:
            unknown = placeholders(text) - slots
            if unknown:
                raise TemplateError(_line(node, *where, key),
                                    f"intent '{name}': {key} uses {{{sorted(unknown)[0]}}}, which no sentence fills")


def placeholders(text: str) -> set[str]:
    """The slot names ``{slot}`` in a response or command argument."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}
    except ValueError:
        return set()


def list_references(expression: Any, rule: Callable[[str], Any] = lambda _name: None,
                    ) -> list[ListReference]:
    """The list references in a template, in order, and in the body ``rule`` gives for each rule
    it refers to (None: not followed; by default no rule is)."""
    out: list[ListReference] = []

    def walk(e: Any) -> None:
        if isinstance(e, ListReference):
            out.append(e)
        elif isinstance(e, RuleReference):
            body = rule(e.rule_name)
            if body is not None:
                walk(body)
        elif isinstance(e, Group):
            for item in e.items:
                walk(item)

    walk(expression)
    return out


def _list_refs(sentence: Sentence, data: dict[str, Any]) -> list[ListReference]:
    """The list references a sentence fills slots from, through its expansion rules too."""

    def rule(name: str) -> Any:
        body = (data.get("expansion_rules") or {}).get(name)
        return parse_sentence(body, keep_text=True).expression if isinstance(body, str) else None

    return list_references(sentence.expression, rule)


def _slot_names(sentence: Sentence, data: dict[str, Any]) -> set[str]:
    """Slot names a sentence fills: its list references (``{list:slot}``)."""
    return {ref.slot_name for ref in _list_refs(sentence, data)}


def _wildcard_slots(sentence: Sentence, data: dict[str, Any], lists: dict[str, Any]) -> set[str]:
    """The slots a sentence fills with any words (from a ``wildcard: true`` list)."""
    return {ref.slot_name for ref in _list_refs(sentence, data)
            if isinstance(lists.get(ref.list_name), dict) and lists[ref.list_name].get("wildcard")}


def _check_command(name: str, body: dict[str, Any], node: yaml.Node, wild: set[str]) -> None:
    """The rules a command keeps before it may run (each broken one is a line in the file)."""
    where = ("intents", name)
    command = body.get("command")
    if command is None:
        for key in ("command_wildcards", "command_end_of_options"):
            if key in body:
                raise TemplateError(_line(node, *where, key), f"intent '{name}': '{key}' without a 'command'")
        return
    line = _line(node, *where, "command")
    if not isinstance(command, list) or not command \
            or not all(isinstance(a, (str, int, float)) for a in command):
        raise TemplateError(line, f"intent '{name}': 'command' must be a list of arguments (argv), not a shell string")
    args = [str(a) for a in command]
    if placeholders(args[0]):
        raise TemplateError(line, f"intent '{name}': the program {args[0]!r} must be fixed, not a slot")
    allowed = body.get("command_wildcards", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise TemplateError(_line(node, *where, "command_wildcards"),
                            f"intent '{name}': 'command_wildcards' must be a list of slot names")
    for slot in allowed:
        if slot not in wild:
            raise TemplateError(_line(node, *where, "command_wildcards"),
                                f"intent '{name}': command_wildcards names '{slot}', which is no wildcard slot of it")
    used = set().union(*(placeholders(a) for a in args))
    for slot in sorted(used & wild - set(allowed)):
        raise TemplateError(line, f"intent '{name}': command uses the wildcard slot {{{slot}}} "
                                  f"(any words); allow it with 'command_wildcards: [{slot}]'")
    end = body.get("command_end_of_options", False)
    if not isinstance(end, bool):
        raise TemplateError(_line(node, *where, "command_end_of_options"),
                            f"intent '{name}': 'command_end_of_options' must be true or false")
    first = next((i for i, a in enumerate(args) if placeholders(a)), len(args))
    late = next((a for a in args[first:] if a.startswith("-")), None)
    if end and late is not None:
        raise TemplateError(line, f"intent '{name}': option {late!r} comes after a slot argument, "
                                  "where '--' (command_end_of_options) would make it a plain argument")


@functools.lru_cache(maxsize=1)
def _builtin_raw() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        merge_dict(merged, yaml.safe_load(path.read_text(encoding="utf-8")))
    return merged


def untrusted(path: Path) -> str | None:
    """Why ``path`` (a custom-intents file) must not be loaded, or None when only this user
    or root could have written it or its folder."""
    real = path.resolve()
    for where, what in ((real, "file"), (real.parent, "folder")):
        try:
            st = where.stat()
        except OSError:
            return None  # reading it says what is wrong
        if st.st_uid not in (os.geteuid(), 0):
            return f"skipped: its {what} {where} belongs to uid {st.st_uid}, not to this user or root"
        # in a sticky folder (/tmp) others may add files but not replace this user's
        sticky = what == "folder" and st.st_mode & stat.S_ISVTX
        if st.st_mode & 0o022 and not sticky:
            return (f"skipped: its {what} {where} may be written by the group or others "
                    f"(mode {st.st_mode & 0o777:o}; chmod go-w it)")
    return None


def check_file(path: Path, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The file's data if it is a valid custom-intents file; else raises ``TemplateError``."""
    base = base if base is not None else _builtin_raw()
    data, node = _read(path)
    lang = data.get("language", LANGUAGE)
    if lang != LANGUAGE:
        raise TemplateError(_line(node, "language"), f"language '{lang}': Hearth understands '{LANGUAGE}' only")
    _check_lists(data, node)
    _values_as_text(data)
    known_lists = {**base.get("lists", {}), **(data.get("lists", {}) or {})}
    known_rules = set(base.get("expansion_rules", {})) | set(data.get("expansion_rules", {}) or {})
    _check_intents(data, node, known_lists, known_rules, base.get("intents", {}))
    merged = copy.deepcopy(base)
    merge_dict(merged, copy.deepcopy(data))
    try:
        Intents.from_dict(merged)
    except Exception as e:
        raise TemplateError(1, f"hassil cannot load it: {e}") from None
    return data


def _custom(data: dict[str, Any], path: Path) -> dict[str, CustomIntent]:
    out = {}
    for name, body in data["intents"].items():
        slots: set[str] = set()
        for block in body["data"]:
            for text in block["sentences"]:
                slots |= _slot_names(parse_sentence(text, keep_text=True), data)
        out[name] = CustomIntent(name, path, str(body.get("response") or ""),
                                 tuple(str(a) for a in body.get("command") or ()), tuple(sorted(slots)),
                                 tuple(body.get("command_wildcards") or ()),
                                 bool(body.get("command_end_of_options", False)))
    return out


def load(folder: Path | None = None, files: Iterable[Path] | None = None,
         log_problems: bool = True) -> SentenceSet:
    """The built-in templates plus every valid custom-intents file (``*.yaml`` in ``folder``,
    default ``<config dir>/intents``; or exactly ``files``). Bad files are skipped, each
    reported in ``problems`` and, unless the caller prints them itself, logged in one line."""
    raw = copy.deepcopy(_builtin_raw())
    custom: dict[str, CustomIntent] = {}
    custom_lists: dict[str, None] = {}  # ordered, without repeats
    problems: list[str] = []
    if files is None:
        folder = folder or user_dir()
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.is_dir() else []
    for path in files:
        try:
            why = untrusted(path)
            if why:
                raise TemplateError(0, why)
            data = check_file(path, raw)
            clash = sorted(set(data["intents"]) & set(custom))
            if clash:
                raise TemplateError(1, f"intent '{clash[0]}' is already defined in {custom[clash[0]].source.name}")
        except TemplateError as e:
            problems.append(f"{path}:{e.line}: {e.problem}" if e.line else f"{path}: {e.problem}")
            if log_problems:
                log.warning("custom intents: %s", problems[-1])
            continue
        merge_dict(raw, copy.deepcopy(data))
        custom.update(_custom(data, path))
        custom_lists.update(dict.fromkeys(data.get("lists") or {}))
    spoken_templates(raw)  # "channel 4" heard as "channel four", as transcripts are read
    return SentenceSet(Intents.from_dict(raw), raw, custom, problems, tuple(custom_lists))


def without_commands(s: SentenceSet, why: str) -> SentenceSet:
    """``s`` with every custom intent's command held back: asked for, it says ``why``."""
    return dataclasses.replace(s, custom={name: dataclasses.replace(c, command_off=why)
                                          for name, c in s.custom.items()})


@functools.lru_cache(maxsize=1)
def builtin() -> SentenceSet:
    """Hearth's own templates only (no user files): what training and tests rely on."""
    return load(files=[])

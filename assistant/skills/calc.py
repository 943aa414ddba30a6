"""Arithmetic and unit conversion from spoken words."""

from __future__ import annotations

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.render import say_number
from assistant.values.arithmetic import MathError, calculate
from assistant.values.units import convert, find_conversion, unit_named


class CalcSkill(BaseSkill):
    name = "calculator"
    intents = frozenset({"math_calculate", "unit_convert"})
    summary = "do sums and convert units"

    def handle(self, request: SkillRequest) -> SkillResult:
        if request.understanding.intent == "unit_convert":
            return self._convert(request)
        return self._calculate(request)

    def _calculate(self, req: SkillRequest) -> SkillResult:
        """The sum said; one that starts with an operator ("and divided by three") goes on from
        the last result in this conversation."""
        texts = [t for t in (req.slot_text("expression"), req.text) if t]
        last = req.topic.get("result")
        if last is not None:
            last = str(int(last)) if float(last).is_integer() else repr(float(last))
            texts += [f"{last} {t}" for t in texts]
        for text in texts:
            try:
                value = calculate(text)
            except MathError as e:
                if "zero" in str(e):
                    return SkillResult("math.divide_by_zero", ok=False)
                continue
            except OverflowError:
                return SkillResult("math.too_big", ok=False)
            req.topic["result"] = value
            return SkillResult("math.result", {"result": say_number(value), "value": value})
        return SkillResult("math.unknown", ok=False)

    def _convert(self, req: SkillRequest) -> SkillResult:
        src, dst = (unit_named(req.value(s) or "") for s in ("from_unit", "to_unit"))
        amount = req.value("amount")
        if src is None or dst is None:
            found = find_conversion(req.text)
            if found is None:
                return SkillResult("unit.unknown", ok=False)
            amount, src, dst = (amount if amount is not None else found[0]), found[1], found[2]
        amount = 1 if amount is None else amount
        try:
            value = convert(amount, src, dst)
        except ValueError:
            return SkillResult("unit.incompatible", {"from": src.plural, "to": dst.plural}, ok=False)
        return SkillResult("unit.result", {"amount": say_number(amount), "from": src.say(amount),
                                           "result": say_number(value), "to": dst.say(value),
                                           "value": value})

"""Arithmetic spoken in words: "what's fifteen percent of eighty", "twelve times seven",
"the square root of sixteen", "two to the power of ten". A small recursive-descent parser over
spoken operator phrases; never ``eval``."""

from __future__ import annotations

import math
import re

from assistant.values.number import Number, read_number, tokenize

# operator phrases -> symbol; longest phrases are tried first
OPERATORS: dict[tuple[str, ...], str] = {
    ("plus",): "+", ("add",): "+",
    ("minus",): "-", ("take", "away"): "-", ("less",): "-",
    ("times",): "*", ("multiplied", "by"): "*", ("x",): "*", ("of",): "*",
    ("divided", "by"): "/", ("over",): "/",
    ("to", "the", "power", "of"): "^", ("to", "the", "power"): "^", ("raised", "to"): "^",
    ("to", "the"): "^",
    ("squared",): "sq", ("cubed",): "cube", ("percent",): "%",
    ("square", "root", "of"): "sqrt", ("the", "square", "root", "of"): "sqrt",
    ("square", "root"): "sqrt",
}
LEADING = {"what", "whats", "is", "calculate", "compute", "how", "much", "tell", "me", "please",
           "work", "out", "hey", "the", "answer", "to", "can", "you", "solve", "equals"}
TRAILING = {"equals", "equal", "is", "please", "then"}


_SIGN = re.compile(r"(?<![\w.])-(?=\d)")


class MathError(ValueError):
    """The words are not arithmetic, or the result is undefined (division by zero)."""


def to_symbols(text: str) -> list[Number | str]:
    """Words -> numbers and operator symbols; raises MathError on any other word."""
    for symbol, word in (("+", " plus "), ("*", " times "), ("/", " over "), (" - ", " minus ")):
        text = text.replace(symbol, word)
    text = _SIGN.sub(" minus ", text)  # "-5 plus 2": the tokenizer would drop the sign
    toks = tokenize(text)
    while toks and toks[0] in LEADING and toks[:3] != ["the", "square", "root"]:
        toks = toks[1:]
    while toks and toks[-1] in TRAILING:
        toks = toks[:-1]
    out: list[Number | str] = []
    i = 0
    phrases = sorted(OPERATORS, key=len, reverse=True)
    while i < len(toks):
        expects_number = not out or (isinstance(out[-1], str) and out[-1] not in ("sq", "cube", "%"))
        if expects_number and toks[i] == "minus":  # a sign, not subtraction
            num = read_number(toks, i)
            if num is not None:
                out.append(num[0])
                i = num[1]
                continue
        for phrase in phrases:
            if tuple(toks[i:i + len(phrase)]) == phrase and not (phrase == ("of",) and not out):
                out.append(OPERATORS[phrase])
                i += len(phrase)
                break
        else:
            num = read_number(toks, i)
            if num is None:
                raise MathError(f"not arithmetic: {toks[i]!r}")
            out.append(num[0])
            i = num[1]
    return out


class _Parser:
    """expr := term (+|- term)* ; term := power (*|/ power)* ; power := unary (^ power)? ;
    unary := sqrt unary | - unary | number postfix*"""

    def __init__(self, symbols: list[Number | str]) -> None:
        self.s, self.i = symbols, 0

    def peek(self) -> Number | str | None:
        return self.s[self.i] if self.i < len(self.s) else None

    def take(self) -> Number | str | None:
        tok = self.peek()
        self.i += 1
        return tok

    def expr(self) -> float:
        value = self.term()
        while self.peek() in ("+", "-"):
            op, rhs = self.take(), self.term()
            value = value + rhs if op == "+" else value - rhs
        return value

    def term(self) -> float:
        value = self.power()
        while self.peek() in ("*", "/"):
            op, rhs = self.take(), self.power()
            if op == "/" and rhs == 0:
                raise MathError("division by zero")
            value = value * rhs if op == "*" else value / rhs
        return value

    def power(self) -> float:
        base = self.unary()
        if self.peek() == "^":
            self.take()
            exponent = self.power()
            if abs(exponent) > 1000:
                raise MathError("exponent too large")
            return float(base) ** exponent
        return base

    def unary(self) -> float:
        tok = self.take()
        if tok == "sqrt":
            value = self.unary()
            if value < 0:
                raise MathError("square root of a negative number")
            return math.sqrt(value)
        if tok == "-":
            return -self.unary()
        if isinstance(tok, str) or tok is None:
            raise MathError("expected a number")
        value = float(tok)
        while self.peek() in ("sq", "cube", "%"):
            op = self.take()
            value = value**2 if op == "sq" else value**3 if op == "cube" else value / 100
        return value


def calculate(text: str) -> float:
    """The value of the spoken arithmetic; MathError when it is not arithmetic or undefined."""
    symbols = to_symbols(text)
    if not symbols:
        raise MathError("no arithmetic")
    parser = _Parser(symbols)
    value = parser.expr()
    if parser.i != len(symbols):
        raise MathError("trailing words")
    return value


def evaluate(text: str) -> Number | None:
    """:func:`calculate`, or None (for slot normalization, which must not raise)."""
    try:
        value = calculate(text)
    except (MathError, OverflowError):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else value

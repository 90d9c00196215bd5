"""Numbers as people write them, for every page and message: ``410 ms``, ``1,000 users``, ``99.9 %``.

Readings and thresholds are Decimals; ``Decimal("4.1E+2")`` must never reach a page as ``4.1E+2``. One
formatter for the status page, the board, the metrics page, the activity log and composed messages:

- no exponent, no trailing zeros (``0.10`` reads ``0.1``, ``410.0`` reads ``410``);
- thousands grouped with a comma (``1,000``, ``12,500.5``);
- the unit after a space, whatever it is (``410 ms``, ``99.9 %``, ``1,000 users``);
- at most four decimals, the precision readings and thresholds are kept in: a mean of readings
  (``2.2666666666666666666666666667``) reads ``2.2667``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["format_number", "format_quantity"]

#: Decimals shown at most (``MetricReading.value`` and the thresholds keep four).
PLACES = 4
STEP = Decimal(1).scaleb(-PLACES)


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def format_number(value: object) -> str:
    """``Decimal("4.1E+2")`` -> ``"410"``, ``1000`` -> ``"1,000"``, ``0.10`` -> ``"0.1"``; ``None`` -> ``""``."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if not number.is_finite():
        return str(number)
    exponent = number.as_tuple().exponent  # an int for a finite number
    if isinstance(exponent, int) and exponent < -PLACES:
        number = number.quantize(STEP, rounding=ROUND_HALF_UP)
    whole = number == number.to_integral_value()
    number = number.quantize(Decimal(1)) if whole else number.normalize()
    text = f"{number:,f}"
    return "0" if text == "-0" else text


def format_quantity(value: object, unit: str | None = "") -> str:
    """A number and its unit, spaced: ``format_quantity(Decimal("4.1E+2"), "ms")`` -> ``"410 ms"``."""
    text = format_number(value)
    unit = (unit or "").strip()
    return f"{text} {unit}" if text and unit else text

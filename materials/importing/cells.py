"""Cell parsers (each returns the value or raises CellError), rows and header checks."""

from collections import namedtuple
from decimal import Decimal, InvalidOperation

from materials.importing.messages import (
    ABOVE_MAXIMUM,
    BAD_GTIN,
    BELOW_MINIMUM,
    DUPLICATE_COLUMN,
    FORMULA,
    MISSING_COLUMN,
    NOT_A_CHOICE,
    NOT_BOOLEAN,
    NOT_NUMBER,
    NOT_POSITIVE,
    NOT_WHOLE,
    REQUIRED,
    TOO_MANY_DIGITS,
    TOO_MANY_PLACES,
    UNKNOWN_COLUMN,
)
from materials.importing.workbook import cell_text, is_blank, is_formula

TRUE_WORDS = {"yes", "y", "true", "1", "是"}
FALSE_WORDS = {"no", "n", "false", "0", "否"}


class CellError(Exception):
    def __init__(self, message, **params):
        super().__init__(str(message) % params if params else str(message))
        self.message = self.args[0]


Column = namedtuple("Column", "parse required default", defaults=(False, None))


def decimal_value(value):
    if isinstance(value, bool):
        raise CellError(NOT_NUMBER)
    try:
        number = Decimal(str(value) if isinstance(value, int | float) else cell_text(value))
    except InvalidOperation as exc:
        raise CellError(NOT_NUMBER) from exc
    if not number.is_finite():
        raise CellError(NOT_NUMBER)
    return number


def decimal_parser(*, places, max_digits, positive=False, maximum=None):
    """A Decimal with at most ``places`` decimals fitting DecimalField(max_digits, places)."""

    def parse(value):
        number = decimal_value(value)
        if max(0, -number.normalize().as_tuple().exponent) > places:
            raise CellError(TOO_MANY_PLACES, places=places)
        if abs(number) >= 10 ** (max_digits - places):
            raise CellError(TOO_MANY_DIGITS, digits=max_digits - places)
        if positive and number <= 0:
            raise CellError(NOT_POSITIVE)
        range_check(number, 0, maximum)
        return number

    return parse


def integer_parser(*, minimum=0, maximum=2**31 - 1):
    def parse(value):
        number = decimal_value(value)
        if number != number.to_integral_value():
            raise CellError(NOT_WHOLE)
        range_check(number, minimum, maximum)
        return int(number)

    return parse


def range_check(number, minimum, maximum):
    if number < minimum:
        raise CellError(BELOW_MINIMUM, minimum=minimum)
    if maximum is not None and number > maximum:
        raise CellError(ABOVE_MAXIMUM, maximum=maximum)


def boolean_value(value):
    word = cell_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(NOT_BOOLEAN)


def choice_parser(choices):
    by_lower = {choice.lower(): choice for choice in choices}

    def parse(value):
        try:
            return by_lower[cell_text(value).lower()]
        except KeyError as exc:
            raise CellError(NOT_A_CHOICE, choices=", ".join(choices)) from exc

    return parse


def lookup_parser(mapping, message):
    """The row (or code) that ``mapping`` holds for the cell's code."""

    def parse(value):
        code = cell_text(value)
        if code not in mapping:
            raise CellError(message, code=code)
        return mapping[code]

    return parse


def gtin_value(value):
    text = cell_text(value)
    if not text.isdigit() or len(text) not in {8, 12, 13, 14}:
        raise CellError(BAD_GTIN)
    return text


# --- rows and headers -------------------------------------------------------------------


class Row:
    """One sheet row being validated; bad cells go to the shared ``errors`` list."""

    def __init__(self, sheet, number, values, errors):
        self.sheet, self.number, self.values, self.errors = sheet, number, values, errors
        self.bad_columns = set()

    def error(self, column, message):
        self.bad_columns.add(column)
        self.errors.append(
            {"sheet": self.sheet, "row": self.number, "column": column, "message": str(message)}
        )

    def read(self, column, spec):
        value = self.values.get(column)
        if is_blank(value):
            if spec.required:
                self.error(column, REQUIRED)
            return spec.default
        if is_formula(value):
            self.error(column, FORMULA)
            return None
        try:
            return spec.parse(value)
        except CellError as exc:
            self.error(column, exc.message)
            return None

    def read_all(self, columns, present):
        """Values of the ``present`` columns that parsed; bad ones are left out."""
        values = {name: self.read(name, columns[name]) for name in present}
        return {name: value for name, value in values.items() if name not in self.bad_columns}


def sheet_rows(sheet, errors):
    return [Row(sheet.name, number, values, errors) for number, values in sheet.rows]


def header_check(sheet, columns, errors):
    """Report unknown, repeated and missing columns; False when rows cannot be read."""
    header = Row(sheet.name, 1, {}, errors)
    seen = set()
    for name in filter(None, sheet.header):
        if name in seen:
            header.error(name, DUPLICATE_COLUMN)
        elif name not in columns:
            header.error(name, UNKNOWN_COLUMN)
        seen.add(name)
    for name, spec in columns.items():
        if spec.required and name not in seen:
            header.error(name, MISSING_COLUMN)
    return all(name in seen for name, spec in columns.items() if spec.required)

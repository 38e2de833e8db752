"""Simplified Chinese groups thousands with a comma, as Chinese finance writes amounts
(Django's zh_Hans formats name no separator; issue #16). Everything else is Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

"""Template filters over ``core.formatting``, so pages show numbers, codes and times the
way the workbooks do: ``{% load formatting %}`` then ``{{ ratio|percent }}``,
``{{ line.quantity|quantity:line.material.uom.code }}``, ``{{ amount|money }}``,
``{{ entry.movement_type|label:movement_types }}``, ``{{ moment|moment }}``."""

from django import template

from core import formatting

register = template.Library()

register.filter("percent", formatting.percent)
register.filter("money", formatting.money)
register.filter("moment", formatting.moment)


@register.filter
def quantity(value, unit=""):
    return formatting.quantity(value, unit or "")


@register.filter
def label(value, choices):
    return formatting.label(choices, value)

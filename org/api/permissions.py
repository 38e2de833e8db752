"""API mixins for the rules of ``org.access``: workshop scope and cost visibility."""

from org.access import can_see_costs, scope_queryset


class WorkshopScoped:
    """Viewset mixin: rows outside the user's workshops are not there (404, never 403).

    ``workshop_field`` is the lookup path from the viewset's model to its workshop.
    """

    workshop_field = "workshop"

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user, self.workshop_field)


class HidesCosts:
    """Serializer mixin: ``cost_fields`` (standard costs, amounts) are left out of the output
    for roles that may not see them (``org.access.can_see_costs``; issue #7, item 6)."""

    cost_fields = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not can_see_costs(request.user):
            for name in self.cost_fields:
                data.pop(name, None)
        return data

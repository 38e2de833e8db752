"""The two kinds of error a service raises.

- ``django.core.exceptions.ValidationError`` for bad input (HTTP 400, field messages);
- ``StateConflict`` when the object is in the wrong state for the action (HTTP 409).

Messages are translatable constants so pages, API and tests share them.
"""


class StateConflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""

    def __init__(self, message, *, params=None):
        self.message = message
        self.params = params or {}
        super().__init__(str(message))

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)

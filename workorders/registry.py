"""What the apps above workorders keep open on a work order's close-out (R-W4).

The returns app registers, in its ``AppConfig.ready``, a function returning the unfinished
requests and slips of a work order (``{"returns": rows, "replenishments": rows, ...}``) and
the labels of the states those rows carry, so workorders never imports returns.
"""

OPEN_REQUESTS = []
STATE_LABELS = {}


def register_open_requests(open_requests, *, state_labels):
    """``open_requests(work_order) -> {name: rows}``;
    ``state_labels``: ``{name: {value: label}}``."""
    OPEN_REQUESTS.append(open_requests)
    STATE_LABELS.update(state_labels)


def open_requests(work_order):
    found = {}
    for provider in OPEN_REQUESTS:
        found.update(provider(work_order))
    return found


def state_labels():
    return STATE_LABELS


CLOSEOUT_ITEMS = []


def register_closeout_item(code, label, open_rows):
    """A checklist item of a higher app, after the work order's own (R-W4):
    ``open_rows(work_order) -> [{"text": str, "url": str}]``; open while it has rows."""
    CLOSEOUT_ITEMS.append((code, label, open_rows))


def closeout_items():
    return list(CLOSEOUT_ITEMS)

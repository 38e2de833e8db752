"""The handheld clients of the load test: mixed issue, return and transfer traffic through
the API with device tokens, every POST with an ``Idempotency-Key``. A share of the responses
is dropped on purpose (the request is sent, the connection closed unread) and the POST is
retried with the same key, as a handheld on bad Wi-Fi does; so are connections cut by a
killed web worker and 5xx answers. Each client writes its key into the document (issue note,
transfer remark, return explanation) so the checks can count bookings per key.
"""

import http.client
import json
import random
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
MAX_ATTEMPTS = 8
REQUEST_TIMEOUT = 40  # above gunicorn's 30 s worker timeout
LOT_LABEL = "L:{material}|{lot}"


@dataclass(frozen=True)
class Plan:
    """What the seed prepared: where stock is and which work orders take issues."""

    material: str
    lot: str
    locations: tuple
    work_orders: tuple
    reason: str


@dataclass
class Operation:
    kind: str
    key: str
    status: int | None = None  # the final answer; None: never answered
    detail: dict = field(default_factory=dict)

    @property
    def acked(self):
        return self.status is not None and 200 <= self.status < 300


class Recorder:
    """What every client saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.operations = []
        self.server_errors = Counter()  # (method route, status) -> count
        self.statuses = Counter()
        self.dropped = 0
        self.cut = 0

    def answer(self, method, path, status):
        route = re.sub(r"/\d+/", "/{id}/", path)
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors[f"{status} {method} {route}"] += 1

    def count(self, what):
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)

    def add(self, operation):
        with self.lock:
            self.operations.append(operation)
        return operation


class Api:
    """One user's HTTP calls (a handheld's token or a desk session); a new connection per
    call (gunicorn sync workers close it anyway)."""

    def __init__(self, *, port, credentials, device, recorder, rng, drop_rate):
        self.port, self.recorder, self.rng, self.drop_rate = port, recorder, rng, drop_rate
        self.headers = {
            **credentials,  # a device token's Authorization, or a desk session's cookies
            "X-Device-Id": device,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def send(self, path, payload, key, *, drop):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("POST", path, payload, {**self.headers, "Idempotency-Key": key})
            if drop:  # the handheld walked out of Wi-Fi range: the answer never arrives
                self.recorder.count("dropped")
                return None, None
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        self.recorder.answer("POST", path, response.status)
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, None

    def post(self, path, body, *, key, deadline):
        """POST until an answer that is not a 5xx/429 or the attempts (or time) run out."""
        payload = json.dumps(body).encode()
        status, data = None, None
        for attempt in range(MAX_ATTEMPTS):
            drop = self.rng.random() < self.drop_rate
            try:
                status, data = self.send(path, payload, key, drop=drop)
            except (OSError, http.client.HTTPException):  # a killed worker cut the connection
                self.recorder.count("cut")
                status, data = None, None
            if status is not None and status < 500 and status != 429:
                return status, data
            if time.monotonic() > deadline + REQUEST_TIMEOUT:
                break
            time.sleep(0.05 * (attempt + 1))
        return status, data


class Client(threading.Thread):
    """One handheld user doing random work until ``deadline`` (or ``max_operations``)."""

    MIX = (("issue", 45), ("transfer", 30), ("return_flow", 25))

    def __init__(self, *, number, plan, apis, recorder, deadline, seed, max_operations=100_000):
        super().__init__(daemon=True, name=f"client-{number}")
        self.plan, self.apis, self.recorder = plan, apis, recorder
        self.deadline, self.max_operations = deadline, max_operations
        self.rng = random.Random(seed)
        self.label = LOT_LABEL.format(material=plan.material, lot=plan.lot)

    def run(self):
        kinds, weights = zip(*self.MIX, strict=True)
        for _ in range(self.max_operations):
            if time.monotonic() >= self.deadline:
                return
            getattr(self, self.rng.choices(kinds, weights)[0])()

    def operation(self, role, kind, path, body_for_key):
        key = f"{kind}-{uuid.uuid4()}"
        operation = self.recorder.add(Operation(kind=kind, key=key))
        operation.status, data = self.apis[role].post(
            path, body_for_key(key), key=key, deadline=self.deadline
        )
        return operation, data

    def issue(self):
        work_order_id = self.rng.choice(self.plan.work_orders)[0]
        location = self.rng.choice(self.plan.locations)
        if self.rng.random() < 0.5:
            path = f"/api/v1/work-orders/{work_order_id}/issue/"
            line = {
                "material": self.plan.material,
                "lot": self.plan.lot,
                "location": location,
                "quantity": "3",
            }
            self.operation("clerk", "issue", path, lambda key: {"lines": [line], "note": key})
        else:
            path = f"/api/v1/work-orders/{work_order_id}/issue-scan/"
            self.operation(
                "clerk",
                "issue",
                path,
                lambda key: {
                    "code": self.label,
                    "quantity": "3",
                    "location": location,
                    "note": key,
                },
            )

    def transfer(self):
        source, target = self.rng.sample(self.plan.locations, 2)
        if self.rng.random() < 0.5:
            body = {
                "material": self.plan.material,
                "lot": self.plan.lot,
                "from_location": source,
                "to_location": target,
                "quantity": "1",
            }
            path = "/api/v1/stock/transfer/"
        else:
            body = {
                "from_location": f"LOC:{source}",
                "code": self.label,
                "to_location": f"LOC:{target}",
                "quantity": "1",
            }
            path = "/api/v1/stock/transfer-scan/"
        self.operation("keeper", "transfer", path, lambda key: {**body, "remark": key})

    def return_flow(self):
        """Create (2) + scanned line (1) → submit → review → QC → receive-scan and post."""
        number = self.rng.choice(self.plan.work_orders)[1]
        line = {"material": self.plan.material, "lot": self.plan.lot, "quantity": "2"}
        created, slip = self.operation(
            "clerk",
            "return.create",
            "/api/v1/returns/",
            lambda key: {
                "work_order": number,
                "reason": self.plan.reason,
                "explanation": key,
                "lines": [line],
            },
        )
        if not created.acked:
            return
        created.detail = {"slip": slip["id"]}
        url = f"/api/v1/returns/{slip['id']}/"
        steps = (
            ("clerk", "return.line", "lines/", {"code": self.label, "quantity": "1"}),
            ("clerk", "return.submit", "submit/", {}),
            ("leader", "return.review", "review/", {"approve": True}),
        )
        for role, kind, suffix, body in steps:
            operation, slip = self.operation(role, kind, url + suffix, lambda _key, b=body: b)
            operation.detail = created.detail
            if not operation.acked:
                return
        created.detail["number"] = slip["number"]
        verdicts = [{"line_id": line["id"], "verdict": "good"} for line in slip["lines"]]
        qc, _ = self.operation(
            "qc", "return.qc", url + "qc-verdict/", lambda _key: {"lines": verdicts}
        )
        qc.detail = created.detail
        if not qc.acked:
            return
        counted = [{"code": self.label, "quantity": "2"}, {"code": self.label, "quantity": "1"}]
        posted, _ = self.operation(
            "keeper",
            "return.post",
            "/api/v1/returns/receive-scan/",
            lambda _key: {"slip": slip["number"], "lines": counted},
        )
        posted.detail = created.detail

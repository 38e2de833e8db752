"""Production hardening (issue #7 items 4–6): deploy checks, login lockout, hidden costs,
upload limits, the auditor's search/export and the daily chain check (token scope:
test_token_scope.py)."""

import csv
import io
import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client, override_settings
from openpyxl import load_workbook
from rest_framework.test import APIClient

from alerts.models import Notification
from audit.models import AuditEvent
from audit.monitoring import audit_chain_watch
from audit.services import audit_record
from materials.importing.master import master_import
from materials.importing.messages import MasterImportError
from org.lockout import login_failures
from tests.audit.test_audit_chain import behind_the_triggers_back
from tests.builders import with_roles
from tests.factories import MaterialFactory, UserFactory
from tests.materials import MATERIAL_HEADER, workbook

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-9"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


NOT_PRODUCTION = ("DEBUG", "DATABASE_URL")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in NOT_PRODUCTION},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "returns.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://returns.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "too-short"])
def test_no_start_without_a_real_secret_key_when_debug_is_off(secret):
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DEBUG": "0", "SECRET_KEY": secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/"])
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_username_is_locked_after_repeated_failures(login_url):
    from django.urls import reverse

    url = reverse("login") if login_url.startswith("/accounts") else login_url
    user = UserFactory(username="locked-user", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    for _attempt in range(3):
        client.post(url, {"username": "locked-user", "password": "wrong"})
    assert login_failures("locked-user", "127.0.0.1") == 3
    response = client.post(url, {"username": "locked-user", "password": PASSWORD})
    assert response.status_code == 200  # the form again: the right password is refused too
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.locked_out", object_id="locked-user").exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_clears_the_failures():
    user = UserFactory(username="forgetful")
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.post("/accounts/login/", {"username": "forgetful", "password": "wrong"})
    client.post("/accounts/login/", {"username": "forgetful", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    assert login_failures("forgetful", "127.0.0.1") == 0


def test_costs_are_shown_only_to_roles_that_may_see_them():
    MaterialFactory(code="PRICED", standard_cost="12.50")
    clerk = with_roles(UserFactory(username="clerk-c"), "clerk")
    finance = with_roles(UserFactory(username="finance-c"), "finance")
    hidden = client_for(clerk).get("/api/v1/materials/?code=PRICED").json()["results"][0]
    shown = client_for(finance).get("/api/v1/materials/?code=PRICED").json()["results"][0]
    assert "standard_cost" not in hidden
    assert Decimal(shown["standard_cost"]) == Decimal("12.50")


@override_settings(IMPORT_MAX_MB=1)
def test_an_oversized_excel_import_is_refused_before_parsing(user):
    big = io.BytesIO(b"PK" + os.urandom(1024 * 1024 + 10))
    with pytest.raises(MasterImportError, match="larger than 1 MB"):
        master_import(file=big, actor=user)


@override_settings(IMPORT_MAX_ROWS=2)
def test_an_excel_import_with_too_many_rows_is_refused(user):
    rows = [MATERIAL_HEADER] + [[f"M-{i}", "x", "PCS", "PART", "AUX", "1"] for i in range(3)]
    with pytest.raises(MasterImportError, match="more than 2 data rows"):
        master_import(file=workbook(Materials=rows), actor=user)


# ------------------------------------------------------------------------ audit (R-U1)


def test_the_auditor_searches_and_exports_the_trail(admin):
    auditor = with_roles(UserFactory(username="auditor-1"), "auditor")
    clerk = with_roles(UserFactory(username="clerk-a"), "clerk")
    from django.db import transaction

    with transaction.atomic():
        audit_record(
            actor=clerk,
            device="HH-3",
            action="return.submit",
            object_type="x.y",
            object_id="42",
            after={"state": "=cmd()"},
        )
        audit_record(actor=admin, action="material.change", object_type="x.z", object_id="7")
        audit_record(actor=admin, action="forged", object_type="x.w", object_id="=1+2")
    client = client_for(auditor)
    found = client.get("/api/v1/audit-events/?user=clerk-a&device=HH-3&object_type=x.y").json()
    assert [(e["action"], e["object_id"]) for e in found["results"]] == [("return.submit", "42")]
    assert client.get("/api/v1/audit-events/?object_id=7").json()["count"] == 1
    exported = client.get("/api/v1/audit-events/export/?type=csv&user=clerk-a")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert rows[1][3:6] == ["clerk-a", "HH-3", "return.submit"]
    formula = client.get("/api/v1/audit-events/export/?type=csv&object_type=x.w")
    cells = list(csv.reader(io.StringIO(b"".join(formula.streaming_content).decode("utf-8-sig"))))
    assert cells[1][7] == "'=1+2"  # a cell that would be a formula is neutralised
    sheet = load_workbook(
        io.BytesIO(client.get("/api/v1/audit-events/export/?object_id=7").content)
    ).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))][5] == "material.change"
    assert client_for(clerk).get("/api/v1/audit-events/").status_code == 403


@override_settings(ADMINS=[("ops", "ops@example.com")])
def test_the_daily_check_alerts_the_admins_on_a_break(admin):
    from django.db import transaction

    with transaction.atomic():
        audit_record(actor=admin, action="a.one", object_type="x", object_id="1")
        audit_record(actor=admin, action="a.two", object_type="x", object_id="2")
    assert audit_chain_watch() == [] and not mail.outbox
    behind_the_triggers_back("UPDATE audit_auditevent SET action = 'forged' WHERE action = 'a.one'")
    problems = audit_chain_watch()
    assert problems and "was altered" in problems[0]
    assert mail.outbox[0].to == ["ops@example.com"]
    assert Notification.objects.filter(user=admin, title__contains="audit trail").exists()

"""The exports page lists every job of its user, a page at a time (issue #16 (c)): the
21st job is on page 2, not cut off."""

import pytest
from django.urls import reverse

from reports.models import ExportJob, ExportKind
from reports.views import JOBS_PER_PAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def jobs_of(user, count):
    return [
        ExportJob.objects.create(kind=ExportKind.LEDGER, requested_by=user, language="en").pk
        for _ in range(count)
    ]


def test_every_job_is_reachable_page_by_page(client, user):
    mine = jobs_of(user, JOBS_PER_PAGE + 5)
    jobs_of(UserFactory(username="someone-else"), 3)
    client.force_login(user)
    first = client.get(reverse("reports:exports"))
    assert [job.pk for job in first.context["jobs"]] == mine[::-1][:JOBS_PER_PAGE]
    html = first.content.decode()
    assert 'rel="next"' in html and "?page=2" in html
    second = client.get(reverse("reports:exports"), {"page": 2})
    assert [job.pk for job in second.context["jobs"]] == mine[::-1][JOBS_PER_PAGE:]
    assert f"Page 2 of 2 ({len(mine)} rows)" in second.content.decode()


def test_a_few_jobs_need_no_page_links(client, user):
    jobs_of(user, 2)
    client.force_login(user)
    page = client.get(reverse("reports:exports"))
    assert len(page.context["jobs"]) == 2 and 'rel="next"' not in page.content.decode()

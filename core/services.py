from datetime import datetime

from django.utils import timezone

from core.models import DocumentSequence
from core.transactions import atomic_service


@atomic_service
def document_number_next(*, prefix: str, when: datetime | None = None) -> str:
    """Next gap-free number such as ``RT-202611-0001``.

    The sequence row stays locked until the caller's transaction ends, so a rolled-back
    document gives its number back and two concurrent callers never share one.
    """
    period = timezone.localtime(when or timezone.now()).strftime("%Y%m")
    DocumentSequence.objects.bulk_create(
        [DocumentSequence(prefix=prefix, period=period)], ignore_conflicts=True
    )
    sequence = DocumentSequence.objects.select_for_update().get(prefix=prefix, period=period)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{period}-{sequence.last_number:04d}"

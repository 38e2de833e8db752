from django.utils import timezone

from audit.services import audit_record
from core.models import DocumentSequence
from core.transactions import atomic_service


@atomic_service
def document_number_next(*, prefix, when=None):
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


def model_snapshot(instance):
    """Field values of a master record for the audit trail's before/after."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@atomic_service
def master_record_save(*, instance, actor, device=""):
    """Create or change a master-data record and audit it with before/after values (R-U1).

    Saving an unchanged record writes nothing, so an ERP may send the same data again.
    """
    model = type(instance)
    before = None
    if instance.pk is not None:
        current = model.objects.select_for_update().filter(pk=instance.pk).first()
        before = model_snapshot(current) if current else None
        if before == model_snapshot(instance):
            return instance
    instance.full_clean()
    instance.save()
    action = f"{model._meta.model_name}.{'change' if before else 'create'}"
    audit_record(
        actor=actor,
        device=device,
        action=action,
        obj=instance,
        before=before,
        after=model_snapshot(instance),
    )
    return instance


@atomic_service
def master_record_delete(*, instance, actor, device=""):
    """Delete a master-data record (PROTECT keeps referenced ones) and audit it."""
    before, pk = model_snapshot(instance), instance.pk
    instance.delete()
    audit_record(
        actor=actor,
        device=device,
        action=f"{instance._meta.model_name}.delete",
        obj=instance,
        object_id=pk,
        before=before,
    )

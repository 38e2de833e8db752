"""Audited writes of master data (R-U1): the admin, the API and the importer save and delete
master records only through these, so each change leaves its before/after in the trail."""

from audit.services import audit_record
from core.transactions import atomic_service


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

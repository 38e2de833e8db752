"""Admin for workshops (master data, audited master-record services)."""

from django.contrib import admin

from core.admin import AuditedModelAdmin
from org.models import Workshop


@admin.register(Workshop)
class WorkshopAdmin(AuditedModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

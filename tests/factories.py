"""factory_boy factories shared by the suite. They build master data only; stock moves go
through the services so tests exercise the real rules."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from materials.models import (
    ApprovalClass,
    Bom,
    BomLine,
    Location,
    LocationKind,
    Material,
    MaterialCategory,
    Supplier,
    TrackingMode,
    UnitOfMeasure,
    Warehouse,
    WarehouseCategory,
)
from org.models import Workshop
from workorders.models import ProductionLine


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")


class UomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitOfMeasure
        django_get_or_create = ("code",)

    code = "PCS"
    name = "pieces"


class MaterialCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaterialCategory
        django_get_or_create = ("code",)

    code = "PART"
    name = "parts"
    approval_class = ApprovalClass.C


class WarehouseCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarehouseCategory
        django_get_or_create = ("code",)

    code = "RAW"
    name = "raw material"


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = "WH1"
    name = "main warehouse"
    category = factory.SubFactory(WarehouseCategoryFactory)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("code",)

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"WH1-A{n:02d}")
    kind = LocationKind.STORAGE


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SUP{n:03d}")
    name = factory.LazyAttribute(lambda s: f"Supplier {s.code}")


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MAT-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"material {o.code}")
    uom = factory.SubFactory(UomFactory)
    category = factory.SubFactory(MaterialCategoryFactory)
    approval_class = factory.LazyAttribute(lambda o: o.category.approval_class)
    warehouse_category = factory.SubFactory(WarehouseCategoryFactory)
    standard_cost = Decimal("2.5000")
    tracking = TrackingMode.NONE


class BomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bom

    product = factory.SubFactory(MaterialFactory)
    version = 1


class BomLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BomLine

    bom = factory.SubFactory(BomFactory)
    material = factory.SubFactory(MaterialFactory)
    qty_per_unit = Decimal("2")
    loss_pct = Decimal("5")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        django_get_or_create = ("code",)

    code = "WS1"
    name = "assembly"


class ProductionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionLine
        django_get_or_create = ("code",)

    workshop = factory.SubFactory(WorkshopFactory)
    code = "L1"
    name = "line 1"

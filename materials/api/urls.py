from materials.api.views import (
    BomViewSet,
    MaterialCategoryViewSet,
    MaterialViewSet,
    SupplierViewSet,
    UnitOfMeasureViewSet,
)

routes = [
    ("uoms", UnitOfMeasureViewSet, "uom"),
    ("material-categories", MaterialCategoryViewSet, "material-category"),
    ("materials", MaterialViewSet, "material"),
    ("boms", BomViewSet, "bom"),
    ("suppliers", SupplierViewSet, "supplier"),
]
urlpatterns = []

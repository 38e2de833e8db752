from materials.api.views import (
    BomViewSet,
    MaterialCategoryViewSet,
    MaterialViewSet,
    UnitOfMeasureViewSet,
)

routes = [
    ("uoms", UnitOfMeasureViewSet, "uom"),
    ("material-categories", MaterialCategoryViewSet, "material-category"),
    ("materials", MaterialViewSet, "material"),
    ("boms", BomViewSet, "bom"),
]
urlpatterns = []

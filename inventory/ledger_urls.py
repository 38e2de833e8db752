from django.urls import path

from inventory import ledger_page

app_name = "ledger"
urlpatterns = [
    path("", ledger_page.ledger_list, name="list"),
]

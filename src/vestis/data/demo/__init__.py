"""The deterministic demo shop: catalog, product images, shoppers, size charts and a year of events.

``generate_demo`` writes the shop in the public formats the importers read (Merchant
Center feed, customers and size-chart CSVs, Personalize-style events); ``load_demo``
imports it through those importers, so the demo exercises the same path as real data.
"""

from vestis.data.demo.images import render_product_image, write_contact_sheet
from vestis.data.demo.shop import END_DATE, DemoSummary, demo_is_generated, generate_demo, load_demo

__all__ = [
    "END_DATE",
    "DemoSummary",
    "demo_is_generated",
    "generate_demo",
    "load_demo",
    "render_product_image",
    "write_contact_sheet",
]

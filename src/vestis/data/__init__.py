"""Getting data in: importers for retailer feeds and public data sets, and the demo generator."""

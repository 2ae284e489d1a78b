"""The catalog store: products, customers, interaction events and size charts in SQL."""

"""The shopping guide: query understanding, hybrid product search, outfits and conversation."""

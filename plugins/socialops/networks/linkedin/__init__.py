"""LinkedIn organization pages: the adapter (:mod:`.adapter`, the versioned REST API)."""

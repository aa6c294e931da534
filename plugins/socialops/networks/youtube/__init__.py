"""YouTube: the adapter (:mod:`.adapter`, googleapiclient with static discovery)."""

"""Meta's Graph API: the Facebook Page and Instagram professional account adapters, and ads
reporting (:mod:`.adapter`)."""

"""Meta's Graph API: the Facebook Page (:mod:`.facebook`) and Instagram professional account
(:mod:`.instagram`) adapters, on what they share: the Graph client, its extras and errors
(:mod:`.client`), the Graph adapter base (:mod:`.graph`) and ads reporting (:mod:`.ads`)."""

"""How adapters talk HTTP: a REST client for Meta and LinkedIn (:mod:`.http`), and the
googleapiclient transport for YouTube and Sheets (:mod:`.google`)."""

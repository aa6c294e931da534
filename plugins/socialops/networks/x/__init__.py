"""X (Twitter): the adapter (:mod:`.adapter`, tweepy v2) and its content limits (:mod:`.limits`).

Nothing is imported here, so that the calendar can read X's limits without tweepy.
"""

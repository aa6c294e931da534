"""Why another account cannot be read: the adapters' reasons as short codes, and their words.

The adapters say in English why a public lookup did not return an account
(:attr:`ProfileLookup.unreadable`) or why its posts are not shown (:class:`NotSupported`);
competitor watch and influencer scoring store that detail for the task log and tell a person
the reason of its code, in the brand's language.
"""

from __future__ import annotations

from socialops.i18n import N_, Text

#: Why an account cannot be read, by reason code (:func:`reason_code`), for a person.
REASONS: dict[str, Text] = {
    "not_found": N_("no account with this handle or id: renamed or deleted"),
    "suspended": N_("the network suspended or withheld the account"),
    "not_professional": N_(
        "Instagram shows other accounts only when they are business or creator accounts"
    ),
    "protected": N_("its posts are visible to approved followers only"),
    "page_public_content": N_(
        "reading another Page's posts needs Meta's Page Public Content Access feature "
        "(an app review)"
    ),
    "no_api": N_("LinkedIn's API gives no data on pages the brand does not administer"),
}


#: The reason of a code :data:`REASONS` does not know: the network's own words go to the
#: task log only, never to the community managers.
UNKNOWN_REASON = N_("the network did not return it; the details are in the task log")


def reason_of(code: str) -> Text:
    return REASONS.get(code, UNKNOWN_REASON)


def reason_code(detail: str) -> str:
    """The code of an adapter's reason (a key of :data:`REASONS`, else ``other``), from
    the English words of :class:`~socialops.networks.records.ProfileLookup` and
    :class:`~socialops.networks.errors.NotSupported`."""
    text = detail.casefold()
    for code, words in (
        ("page_public_content", "page public content access"),
        ("no_api", "does not administer"),
        ("not_professional", "business or creator"),
        ("protected", "protected"),
        ("suspended", "suspended"),
        ("not_found", "no such"),
        ("not_found", "does not exist"),
        ("not_found", "renamed or deleted"),
    ):
        if words in text:
            return code
    return "other"

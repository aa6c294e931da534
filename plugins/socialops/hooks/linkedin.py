"""The LinkedIn hook: Airflow connection ``linkedin_default`` →
:class:`~socialops.networks.linkedin.LinkedInAdapter`.

Connection fields are documented in ``docs/networks/linkedin.md``: the password is the
member's OAuth access token (an administrator of the organization page), the extra
``organization_urn`` names the page and ``api_version`` pins the ``LinkedIn-Version`` header.
"""

from __future__ import annotations

from socialops.hooks.base import SocialNetworkHook


class LinkedInHook(SocialNetworkHook):
    network = "linkedin"
    default_conn_name = "linkedin_default"
    conn_type = "linkedin"
    hook_name = "LinkedIn organization page"

"""The Graph API emulators answer in Meta's shapes: data + paging, error objects, usage headers."""

from __future__ import annotations

import json

import pytest
import requests
from tests.support.ads_world import FIRST_DAY, LAST_DAY, build_ads_world, world_row
from tests.support.meta_world import IG_ID, PAGE_ID, build_meta_world

from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.meta_api import (
    FacebookEmulator,
    InstagramEmulator,
    meta_campaign_id,
    split_fields,
)

TOKEN = {"Authorization": "Bearer sandbox-facebook-page-token"}


@pytest.fixture(scope="module")
def server():
    with SandboxServer(Sandbox(build_meta_world, [FacebookEmulator, InstagramEmulator])) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server):
    server.sandbox.reset()


def graph(server, network, path, **params):
    return requests.get(
        f"{server.url}/{network}/v21.0{path}", params=params, headers=TOKEN, timeout=5
    )


def test_connections_point_at_the_emulators_without_fixed_ids():
    fb = FacebookEmulator.connection("http://127.0.0.1:8800")
    ig = InstagramEmulator.connection("http://127.0.0.1:8800")
    assert (
        fb["host"] == "http://127.0.0.1:8800/facebook"
        and ig["host"] == "http://127.0.0.1:8800/instagram"
    )
    assert fb["password"].startswith("sandbox-")
    # One Meta ad account runs both networks' campaigns.
    assert fb["extra"] == {"api_version": "v21.0", "ad_account_id": "1029384756"}
    assert ig["extra"]["ad_account_id"] == "1029384756"
    assert (
        FacebookEmulator.conn_id == "facebook_default"
        and InstagramEmulator.conn_id == "instagram_default"
    )


def test_split_fields_keeps_expansions_whole():
    spec = "id,insights.metric(a,b){values},comments.summary(total_count).limit(0),shares"
    assert split_fields(spec) == [
        "id",
        "insights.metric(a,b){values}",
        "comments.summary(total_count).limit(0)",
        "shares",
    ]


def test_edges_answer_data_and_cursor_paging(server):
    first = graph(
        server, "facebook", f"/{PAGE_ID}/posts", limit=5, fields="id,message,created_time"
    )
    body = first.json()
    assert first.status_code == 200 and len(body["data"]) == 5
    assert set(body["data"][0]) == {"id", "message", "created_time"}
    assert body["data"][0]["created_time"].endswith("+0000")
    assert {"before", "after"} <= set(body["paging"]["cursors"]) and body["paging"][
        "next"
    ].startswith("http://")
    last = requests.get(
        body["paging"]["next"].replace("after=", "limit=5&after="), headers=TOKEN, timeout=5
    ).json()
    assert "next" in last["paging"]


@pytest.mark.parametrize(
    "network, edge, fields",
    [
        (
            "facebook",
            f"/{PAGE_ID}/posts",
            "insights.metric(post_impressions,post_impressions_unique,post_clicks),"
            "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares",
        ),
        (
            "instagram",
            f"/{IG_ID}/media",
            "media_type,like_count,comments_count,insights.metric(reach,saved,shares,views)",
        ),
    ],
)
def test_edges_expand_the_fields_of_the_id_lookup_with_the_same_values(
    server, network, edge, fields
):
    listed = graph(server, network, edge, limit=100, fields=fields).json()["data"]
    ids = ",".join(item["id"] for item in listed)
    looked_up = graph(server, network, "/", ids=ids, fields=fields).json()

    assert len(listed) == 12 and all(item["insights"]["data"] for item in listed)
    assert listed == [looked_up[item["id"]] for item in listed]


@pytest.mark.parametrize(
    ("network", "edge"), [("facebook", f"/{PAGE_ID}/posts"), ("instagram", f"/{IG_ID}/media")]
)
def test_edges_keep_the_window_since_included_until_excluded(server, network, edge):
    def listed(**window):
        answer = graph(
            server, network, edge, limit=100, fields="id,timestamp,created_time", **window
        )
        return [item["id"] for item in answer.json()["data"]]

    everything = listed()
    world = server.sandbox.world
    times = [world.post(network, post_id).created_at for post_id in everything]
    assert times == sorted(times, reverse=True) and len(set(times)) == len(times) > 4
    since, until = (int(times[at].timestamp()) for at in (3, 1))
    # [since, until): the post created at `since` is in, the one at `until` is not.
    assert listed(since=since, until=until) == everything[2:4]
    assert listed(since=since) == everything[:4]
    assert listed(until=until) == everything[2:]


def test_a_bad_cursor_is_a_graph_error_with_usage_headers(server):
    answer = graph(server, "facebook", f"/{PAGE_ID}/posts", after="not-a-cursor!")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100
    assert "X-App-Usage" in answer.headers


def test_every_answer_carries_usage_headers_that_rise_with_load(server):
    server.sandbox.emulators["facebook"].calls_per_hour = 20
    first = graph(server, "facebook", "/me")
    second = graph(server, "facebook", "/me")
    app = [json.loads(r.headers["X-App-Usage"])["call_count"] for r in (first, second)]
    assert app == [5, 10]
    buc = json.loads(second.headers["X-Business-Use-Case-Usage"])
    assert (
        buc[PAGE_ID][0]["type"] == "pages"
        and buc[PAGE_ID][0]["estimated_time_to_regain_access"] == 0
    )


def test_errors_are_graph_error_objects(server):
    missing = requests.get(f"{server.url}/facebook/v21.0/me", timeout=5)
    assert missing.json()["error"]["code"] == 104
    unknown = graph(server, "facebook", "/", ids="rival,ghost", fields="id")
    error = unknown.json()["error"]
    assert unknown.status_code == 400
    assert {"message", "type", "code", "fbtrace_id", "is_transient"} <= set(error)
    assert "ghost" in error["message"]
    too_many = graph(server, "facebook", "/", ids=",".join(str(n) for n in range(51)))
    assert "Maximum: 50" in too_many.json()["error"]["message"]


def test_faults_answer_like_meta(server):
    sandbox = server.sandbox
    sandbox.add_fault({"network": "facebook", "kind": "rate_limit", "reset_after": 300})
    limited = graph(server, "facebook", "/me")
    assert limited.json()["error"]["code"] == 80001
    assert (
        json.loads(limited.headers["X-Business-Use-Case-Usage"])[PAGE_ID][0][
            "estimated_time_to_regain_access"
        ]
        == 5
    )
    sandbox.add_fault({"network": "facebook", "kind": "server_error"})
    failed = graph(server, "facebook", "/me")
    assert failed.status_code == 500 and failed.json()["error"]["is_transient"] is True
    sandbox.add_fault({"network": "facebook", "kind": "expired_token"})
    expired = graph(server, "facebook", "/me")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == 190


def test_instagram_removed_metrics_are_refused_like_on_meta(server):
    answer = graph(server, "instagram", "/17900000000000100/insights", metric="impressions")
    assert (
        answer.status_code == 400
        and "metric[0] must be one of" in answer.json()["error"]["message"]
    )


def test_instagram_page_links_to_the_owned_account_and_discovery_finds_businesses(server):
    assert graph(server, "instagram", "/me", fields="instagram_business_account").json()[
        "instagram_business_account"
    ] == {"id": IG_ID}
    found = graph(
        server,
        "instagram",
        f"/{IG_ID}",
        fields="business_discovery.username(rival){followers_count}",
    )
    assert found.json()["business_discovery"] == {
        "id": "17841400000000002",
        "followers_count": 88000,
    }
    personal = graph(
        server, "instagram", f"/{IG_ID}", fields="business_discovery.username(fan){id}"
    )
    assert personal.json()["error"]["error_subcode"] == 2207013


def test_instagram_refuses_media_that_is_not_a_url(server):
    answer = requests.post(
        f"{server.url}/instagram/v21.0/{IG_ID}/media",
        data={"image_url": "/tmp/a.jpg"},
        headers=TOKEN,
        timeout=5,
    )
    assert answer.json()["error"]["error_subcode"] == 2207052


def test_instagram_publishing_limit_shape(server):
    body = graph(
        server, "instagram", f"/{IG_ID}/content_publishing_limit", fields="quota_usage,config"
    ).json()
    assert body == {
        "data": [{"quota_usage": 0, "config": {"quota_total": 100, "quota_duration": 86400}}]
    }


def test_the_sandbox_catalogue_lists_both_graph_emulators():
    from socialops.sandbox import emulator_types

    assert emulator_types(["facebook", "instagram"]) == [FacebookEmulator, InstagramEmulator]


# -- Marketing API: campaign insights of the ad account -----------------------------------------
@pytest.fixture(scope="module")
def ads_server():
    with SandboxServer(Sandbox(build_ads_world, [FacebookEmulator, InstagramEmulator])) as running:
        yield running


def insights(server, network="facebook", account="1029384756", **params):
    query = {
        "level": "campaign",
        "time_increment": "1",
        "fields": (
            "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values,"
            "account_currency"
        ),
        **params,
    }
    return graph(server, network, f"/act_{account}/insights", **query)


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_campaign_insights_are_daily_rows_shaped_like_meta(ads_server, network):
    day = LAST_DAY.isoformat()
    answer = insights(ads_server, network, time_range=json.dumps({"since": day, "until": day}))
    assert answer.status_code == 200 and "X-App-Usage" in answer.headers
    rows = answer.json()["data"]
    assert [r["campaign_name"] for r in rows] == ["launch-ambre", "noel-2026"]  # no X campaign
    noel = rows[1]
    source = world_row(ads_server.sandbox.world, "noel-2026", LAST_DAY)
    assert noel["campaign_id"] == meta_campaign_id("noel-2026") and noel["campaign_id"].isdigit()
    assert noel["spend"] == f"{source['spend']:.2f}" and noel["impressions"] == str(
        source["impressions"]
    )
    assert (noel["date_start"], noel["date_stop"], noel["account_currency"]) == (day, day, "EUR")
    purchases = {a["action_type"]: a["value"] for a in noel.get("actions", [])}
    if source["conversions"]:
        assert (
            purchases["purchase"]
            == purchases["offsite_conversion.fb_pixel_purchase"]
            == str(source["conversions"])
        )
        assert noel["action_values"][0]["value"] == f"{source['revenue']:.2f}"
    else:
        assert "purchase" not in purchases and "action_values" not in noel


def test_campaign_insights_page_with_cursors_and_select_fields(ads_server):
    window = json.dumps({"since": FIRST_DAY.isoformat(), "until": LAST_DAY.isoformat()})
    first = insights(ads_server, time_range=window, fields="spend", limit="100").json()
    assert len(first["data"]) == 100 and set(first["data"][0]) == {
        "spend",
        "date_start",
        "date_stop",
    }
    rest = requests.get(first["paging"]["next"], headers=TOKEN, timeout=5).json()
    assert len(rest["data"]) == 20 and "next" not in rest["paging"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"account": "42"}, "Object with ID 'act_42' does not exist"),
        ({"level": "ad"}, "level=campaign"),
        ({"time_increment": "all_days"}, "time_increment=1"),
        ({"time_range": "yesterday"}, "param time_range must be"),
    ],
)
def test_campaign_insights_refuse_what_they_do_not_emulate(ads_server, params, message):
    answer = insights(ads_server, **params)
    assert answer.status_code == 400 and message in answer.json()["error"]["message"]

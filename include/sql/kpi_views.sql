-- KPI views of the socialops warehouse: what a report (SQL, a BI tool, a notebook) can query
-- directly. They compute the formulas of socialops.analytics.kpis / docs/kpis.md in SQL, on
-- PostgreSQL and SQLite alike; tests/warehouse/test_views.py checks both agree with pandas.
--
-- Written once for both databases with macros, expanded by socialops.warehouse.views:
--   RATIO(a, b)         a / b as a float, NULL when b is 0, negative or NULL (never an error)
--   PCT(a, b)           100 × RATIO(a, b)
--   DAYS_BETWEEN(a, b)  whole days from date b to date a
--   WEEK_START(d)       the Monday of date d's ISO week
--   LOCAL_DAY(ts)       the date of a timestamp in the brand's time zone, given when the
--                       views are created (SQLite has no time zones: the expansion holds
--                       that zone's UTC offsets, see views.py)
-- and two that read a row with a `basis` column and `previous_<m>` beside each counter <m>:
--   INCREMENT(m)          m's increment of the day by that basis, NULL when 'unknown'
--   INCREMENT_UNKNOWN(m)  1 when that increment is unknown: basis 'unknown', or m reported
--                         on one of the two days only; else 0
-- Macro arguments are plain column names. Each view starts with a "-- view: <name>" line.
-- Metric rows are keyed by the brand-local day the nightly run loaded; posts' creation days
-- are brand-local too (LOCAL_DAY).

-- view: kpi_post_daily
-- One row per post snapshot: lifetime counters as read on `day`, with engagement rates.
WITH snapshots AS (
    SELECT
        m.network, m.post_id, m.day,
        p.account_id, p.account_handle, p.campaign_id, p.created_at, p.url,
        m.impressions, m.reach, m.likes, m.comments, m.shares, m.saves,
        m.video_views, m.link_clicks,
        CASE
            WHEN m.likes IS NULL AND m.comments IS NULL AND m.shares IS NULL AND m.saves IS NULL
            THEN NULL
            ELSE COALESCE(m.likes, 0) + COALESCE(m.comments, 0)
                 + COALESCE(m.shares, 0) + COALESCE(m.saves, 0)
        END AS engagements
    FROM post_metrics_daily AS m
    LEFT JOIN posts AS p ON p.network = m.network AND p.external_id = m.post_id
), with_followers AS (
    SELECT s.*, a.followers
    FROM snapshots AS s
    LEFT JOIN account_metrics_daily AS a
        ON a.network = s.network AND a.account_id = s.account_id AND a.day = s.day
)
SELECT
    network, post_id, day, account_id, account_handle, campaign_id, created_at, url,
    impressions, reach, likes, comments, shares, saves, video_views, link_clicks,
    engagements, followers,
    PCT(engagements, reach) AS engagement_rate_reach_pct,
    PCT(engagements, impressions) AS engagement_rate_impressions_pct,
    PCT(engagements, followers) AS engagement_rate_followers_pct
FROM with_followers;

-- view: kpi_post_latest
-- Each post on its latest snapshot: rank top posts with ORDER BY engagements DESC.
SELECT *
FROM (
    SELECT
        d.*,
        ROW_NUMBER() OVER (PARTITION BY network, post_id ORDER BY day DESC) AS snapshot_rank
    FROM kpi_post_daily AS d
) AS ranked
WHERE snapshot_rank = 1;

-- view: kpi_campaign_organic
-- Organic results of the posts tagged with a campaign, on their latest snapshot.
WITH sums AS (
    SELECT
        campaign_id,
        COUNT(*) AS posts,
        SUM(impressions) AS impressions,
        SUM(reach) AS reach,
        SUM(engagements) AS engagements
    FROM kpi_post_latest
    WHERE campaign_id IS NOT NULL
    GROUP BY campaign_id
)
SELECT sums.*, PCT(engagements, reach) AS engagement_rate_reach_pct
FROM sums;

-- view: kpi_account_daily
-- Per account and day: audience, growth, activity of its posts, engagement rates.
-- A post's increment on day d (docs/kpis.md, "A day's activity"): its counter on d minus its
-- counter on d - 1 when both snapshots exist; its whole counter when d is its first snapshot
-- and it was created on d (brand-local) or later; otherwise unknown. A day's sum is unknown
-- (NULL) when any of its posts' increments is, or when a post has snapshots before and after
-- the day but none on it; engagements are 0 on a day without any post snapshot.
WITH growth AS (
    SELECT
        network, account_id, day, account_handle, followers, following, profile_views,
        impressions AS own_impressions, reach AS own_reach,
        LAG(followers) OVER w AS lag_followers,
        LAG(day) OVER w AS lag_day
    FROM account_metrics_daily
    WINDOW w AS (PARTITION BY network, account_id ORDER BY day)
), previous AS (
    SELECT
        g.*,
        CASE WHEN DAYS_BETWEEN(day, lag_day) = 1 THEN lag_followers END AS followers_previous
    FROM growth AS g
), snapshots AS (
    SELECT
        network, account_id, post_id, day, created_at, impressions, reach, engagements,
        LAG(day) OVER w AS previous_day,
        LAG(impressions) OVER w AS previous_impressions,
        LAG(reach) OVER w AS previous_reach,
        LAG(engagements) OVER w AS previous_engagements
    FROM kpi_post_daily
    WHERE account_id IS NOT NULL
    WINDOW w AS (PARTITION BY network, post_id ORDER BY day)
), based AS (
    SELECT
        s.*,
        CASE
            WHEN DAYS_BETWEEN(day, previous_day) = 1 THEN 'previous_day'
            WHEN previous_day IS NULL AND LOCAL_DAY(created_at) >= day THEN 'created'
            ELSE 'unknown'
        END AS basis
    FROM snapshots AS s
), increments AS (
    SELECT
        network, account_id, day,
        INCREMENT(impressions) AS impressions,
        INCREMENT_UNKNOWN(impressions) AS impressions_unknown,
        INCREMENT(reach) AS reach,
        INCREMENT_UNKNOWN(reach) AS reach_unknown,
        INCREMENT(engagements) AS engagements,
        INCREMENT_UNKNOWN(engagements) AS engagements_unknown
    FROM based
), activity AS (
    SELECT network, account_id, day,
           CASE WHEN MAX(impressions_unknown) = 0 THEN SUM(impressions) END
               AS posts_impressions,
           CASE WHEN MAX(reach_unknown) = 0 THEN SUM(reach) END AS posts_reach,
           CASE WHEN MAX(engagements_unknown) = 0 THEN SUM(engagements) END AS engagements
    FROM increments
    GROUP BY network, account_id, day
), gaps AS (
    -- a post read on previous_day and on day but not in between
    SELECT network, account_id, previous_day, day
    FROM snapshots
    WHERE DAYS_BETWEEN(day, previous_day) > 1
), created AS (
    SELECT network, account_id, LOCAL_DAY(created_at) AS day FROM posts
), published AS (
    SELECT network, account_id, day, COUNT(*) AS posts_published
    FROM created
    GROUP BY network, account_id, day
), joined AS (
    SELECT
        p.*,
        a.account_id AS activity_account,
        a.posts_impressions, a.posts_reach, a.engagements,
        EXISTS (
            SELECT 1 FROM gaps AS g
            WHERE g.network = p.network AND g.account_id = p.account_id
              AND g.previous_day < p.day AND p.day < g.day
        ) AS post_missing,
        COALESCE(n.posts_published, 0) AS posts_published
    FROM previous AS p
    LEFT JOIN activity AS a
        ON a.network = p.network AND a.account_id = p.account_id AND a.day = p.day
    LEFT JOIN published AS n
        ON n.network = p.network AND n.account_id = p.account_id AND n.day = p.day
), combined AS (
    SELECT
        network, account_id, day, account_handle,
        followers, followers_previous,
        followers - followers_previous AS net_new_followers,
        following, profile_views,
        COALESCE(own_impressions, CASE WHEN NOT post_missing THEN posts_impressions END)
            AS impressions,
        COALESCE(own_reach, CASE WHEN NOT post_missing THEN posts_reach END) AS reach,
        CASE WHEN post_missing THEN NULL
             WHEN activity_account IS NULL THEN 0
             ELSE engagements END AS engagements,
        posts_published
    FROM joined
)
SELECT
    c.*,
    PCT(net_new_followers, followers_previous) AS follower_growth_pct,
    PCT(engagements, reach) AS engagement_rate_reach_pct,
    PCT(engagements, followers) AS engagement_rate_followers_pct
FROM combined AS c;

-- view: kpi_campaign_daily
-- Paid results per campaign and day, with the budget consumed up to that day.
WITH spend AS (
    SELECT
        s.campaign_id, s.day, s.source,
        CAST(s.spend AS DOUBLE PRECISION) AS spend,
        s.impressions, s.clicks, s.conversions,
        CAST(s.revenue AS DOUBLE PRECISION) AS revenue,
        CAST(s.revenue AS DOUBLE PRECISION) - CAST(s.spend AS DOUBLE PRECISION) AS gain,
        1000 * CAST(s.spend AS DOUBLE PRECISION) AS spend_per_mille,
        SUM(CAST(s.spend AS DOUBLE PRECISION)) OVER (
            PARTITION BY s.campaign_id ORDER BY s.day
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS budget_consumed,
        c.name, c.network, CAST(c.budget AS DOUBLE PRECISION) AS budget, c.currency
    FROM campaign_spend_daily AS s
    LEFT JOIN campaigns AS c ON c.id = s.campaign_id
)
SELECT
    campaign_id, day, name, network, currency, source,
    spend, impressions, clicks, conversions, revenue,
    PCT(clicks, impressions) AS ctr_pct,
    RATIO(spend, clicks) AS cpc,
    RATIO(spend_per_mille, impressions) AS cpm,
    RATIO(spend, conversions) AS cpa,
    RATIO(revenue, spend) AS roas,
    PCT(gain, spend) AS roi_pct,
    budget, budget_consumed,
    PCT(budget_consumed, budget) AS budget_consumed_pct,
    budget - budget_consumed AS budget_remaining
FROM spend;

-- view: kpi_campaign_summary
-- Paid results per campaign over its life; declared campaigns without spend show 0.
WITH totals AS (
    SELECT
        campaign_id,
        SUM(CAST(spend AS DOUBLE PRECISION)) AS spend,
        SUM(impressions) AS impressions,
        SUM(clicks) AS clicks,
        SUM(conversions) AS conversions,
        SUM(CAST(revenue AS DOUBLE PRECISION)) AS revenue,
        COUNT(DISTINCT day) AS days
    FROM campaign_spend_daily
    GROUP BY campaign_id
), ids AS (
    SELECT id AS campaign_id FROM campaigns
    UNION
    SELECT campaign_id FROM totals
), joined AS (
    SELECT
        i.campaign_id, c.name, c.network, c.currency, c.start_date, c.end_date,
        CAST(c.budget AS DOUBLE PRECISION) AS budget,
        COALESCE(t.spend, 0) AS spend, t.impressions, t.clicks, t.conversions, t.revenue,
        COALESCE(t.days, 0) AS days,
        t.revenue - COALESCE(t.spend, 0) AS gain,
        1000 * COALESCE(t.spend, 0) AS spend_per_mille
    FROM ids AS i
    LEFT JOIN campaigns AS c ON c.id = i.campaign_id
    LEFT JOIN totals AS t ON t.campaign_id = i.campaign_id
)
SELECT
    campaign_id, name, network, currency, start_date, end_date, days,
    spend, impressions, clicks, conversions, revenue,
    PCT(clicks, impressions) AS ctr_pct,
    RATIO(spend, clicks) AS cpc,
    RATIO(spend_per_mille, impressions) AS cpm,
    RATIO(spend, conversions) AS cpa,
    RATIO(revenue, spend) AS roas,
    PCT(gain, spend) AS roi_pct,
    budget,
    spend AS budget_consumed,
    PCT(spend, budget) AS budget_consumed_pct,
    budget - spend AS budget_remaining
FROM joined;

-- view: kpi_competitor_weekly
-- Per competitor account and week (Monday, WEEK_START): audience, growth, posting and public
-- engagement, as socialops.analytics.competitors.weekly_benchmark computes them (docs/kpis.md,
-- "Competitors"). Posts count in the week of their brand-local creation day.
WITH snapshots AS (
    SELECT
        network, account_id, handle, owner_name, day, followers, WEEK_START(day) AS week
    FROM competitor_snapshots
), ranked AS (
    SELECT
        s.*,
        ROW_NUMBER() OVER (PARTITION BY network, account_id, week ORDER BY day DESC) AS latest
    FROM snapshots AS s
), audience AS (
    SELECT network, account_id, week, handle, owner_name, followers FROM ranked WHERE latest = 1
), post_days AS (
    SELECT
        network, account_id, handle, owner_name, LOCAL_DAY(created_at) AS local_day,
        CASE
            WHEN likes IS NULL AND comments IS NULL AND shares IS NULL THEN NULL
            ELSE COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(shares, 0)
        END AS engagements
    FROM competitor_posts
), post_weeks AS (
    SELECT p.*, WEEK_START(local_day) AS week FROM post_days AS p
), weekly_posts AS (
    SELECT
        network, account_id, week, MAX(handle) AS handle, MAX(owner_name) AS owner_name,
        COUNT(*) AS posts, SUM(engagements) AS engagements
    FROM post_weeks
    GROUP BY network, account_id, week
), weeks AS (
    SELECT network, account_id, week FROM audience
    UNION
    SELECT network, account_id, week FROM weekly_posts
), joined AS (
    SELECT
        w.network, w.account_id, w.week,
        COALESCE(a.handle, p.handle) AS handle,
        COALESCE(a.owner_name, p.owner_name) AS owner_name,
        a.followers, COALESCE(p.posts, 0) AS posts, p.engagements,
        LAG(a.followers) OVER (PARTITION BY w.network, w.account_id ORDER BY w.week)
            AS previous_followers,
        LAG(w.week) OVER (PARTITION BY w.network, w.account_id ORDER BY w.week) AS previous_week
    FROM weeks AS w
    LEFT JOIN audience AS a
        ON a.network = w.network AND a.account_id = w.account_id AND a.week = w.week
    LEFT JOIN weekly_posts AS p
        ON p.network = w.network AND p.account_id = w.account_id AND p.week = w.week
), growth AS (
    SELECT
        j.*,
        CASE WHEN DAYS_BETWEEN(week, previous_week) = 7 THEN previous_followers END
            AS last_week_followers,
        RATIO(engagements, posts) AS engagements_per_post
    FROM joined AS j
), measured AS (
    SELECT g.*, followers - last_week_followers AS follower_growth FROM growth AS g
)
SELECT
    owner_name, network, account_id, handle, week, followers, follower_growth,
    PCT(follower_growth, last_week_followers) AS follower_growth_pct,
    posts, engagements, engagements_per_post,
    PCT(engagements_per_post, followers) AS engagement_rate_followers_pct
FROM measured;

"""The reader's language: words from the catalogues, numbers, dates and durations from Babel."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialops.i18n import N_, N_plural, Percent, Text, quoted
from socialops.notifications.catalogue import Reader, utc_offset
from socialops.notifications.mrkdwn import Mrkdwn, escape

FR, EN = Reader("fr", "Europe/Paris"), Reader("en", "Europe/Paris")
NB, NNB = "\u00a0", "\u202f"


def test_numbers_follow_the_locale():
    assert FR.number(1234) == f"1{NNB}234" and EN.number(1234) == "1,234"
    assert FR.number(1234.56) == f"1{NNB}234,6" and EN.number(1234.56) == "1,234.6"
    assert FR.percent(0.42) == f"42{NB}%" and EN.percent(0.42) == "42%"


@pytest.mark.parametrize(
    "moment, zone, fr, en",
    [
        (
            datetime(2026, 11, 24, 17, 30, tzinfo=UTC),
            "Europe/Paris",
            "mar. 24 nov. 2026 à 18:30 UTC+1",
            "Tue, 24 Nov 2026 at 18:30 UTC+1",
        ),
        (  # summer time
            datetime(2026, 7, 14, 8, 0, tzinfo=UTC),
            "Europe/Paris",
            "mar. 14 juil. 2026 à 10:00 UTC+2",
            "Tue, 14 Jul 2026 at 10:00 UTC+2",
        ),
        (  # a naive time from the warehouse is UTC
            datetime(2026, 11, 24, 17, 30),
            "UTC",
            "mar. 24 nov. 2026 à 17:30 UTC",
            "Tue, 24 Nov 2026 at 17:30 UTC",
        ),
        (
            datetime(2026, 11, 24, 17, 30, tzinfo=UTC),
            "Asia/Kolkata",
            "mar. 24 nov. 2026 à 23:00 UTC+5:30",
            "Tue, 24 Nov 2026 at 23:00 UTC+5:30",
        ),
    ],
)
def test_times_are_in_the_brands_zone_and_language(moment, zone, fr, en):
    assert Reader("fr", zone).when(moment) == fr
    assert Reader("en", zone).when(moment) == en


def test_days_and_offsets():
    assert FR.day(date(2026, 11, 20)) == "ven. 20 nov. 2026"
    assert EN.day(date(2026, 11, 20)) == "Fri, 20 Nov 2026"
    assert utc_offset(datetime(2026, 11, 24, tzinfo=ZoneInfo("America/Sao_Paulo"))) == "UTC-3"


@pytest.mark.parametrize(
    "minutes, fr, en",
    [
        (120, "2 heures", "2 hours"),
        (90, "90 minutes", "90 minutes"),
        (30, "30 minutes", "30 minutes"),
        (60, "1 heure", "1 hour"),
        (1440, "1 jour", "1 day"),
    ],
)
def test_durations_in_the_largest_exact_unit(minutes, fr, en):
    # CLDR puts a no-break space in some French units and not others: compare the words.
    assert FR.duration(timedelta(minutes=minutes)).replace(NB, " ") == fr
    assert EN.duration(timedelta(minutes=minutes)) == en


def test_lists_are_joined_the_readers_way():
    assert FR.names(["X", "LinkedIn", "Instagram"]) == "X, LinkedIn et Instagram"
    assert EN.names(["X", "LinkedIn", "Instagram"]) == "X, LinkedIn and Instagram"
    assert EN.names([]) == ""


def test_a_text_is_english_for_logs_and_translated_for_the_reader():
    text = N_("{value} is not a status", value=quoted("ok*"))
    assert str(text) == "'ok*' is not a status"
    assert FR.render(text) == f"«{NB}ok\u2217{NB}» n'est pas un statut"
    assert EN.render(text) == "'ok\u2217' is not a status"


def test_plurals_choose_the_form_by_count():
    def remove(n: int) -> Text:
        return N_plural("remove {count} hashtag", "remove {count} hashtags", n)

    assert [str(remove(n)) for n in (0, 1, 2)] == [
        "remove 0 hashtags",
        "remove 1 hashtag",
        "remove 2 hashtags",
    ]
    assert [FR.render(remove(n)) for n in (0, 1, 2, 1500)] == [
        "retirez 0 hashtag",
        "retirez 1 hashtag",
        "retirez 2 hashtags",
        f"retirez 1{NNB}500 hashtags",
    ]
    with pytest.raises(ValueError, match="needs a count"):
        Text("a", plural="b")


def test_values_are_shown_by_type():
    text = N_(
        "{network} {account}: followers rose from {before} ({previous_day}) to {now} "
        "(+{change}, threshold ±{threshold}); {kept}",
        network="X",
        account="a_b",
        before=1000,
        previous_day=date(2026, 11, 19),
        now=1500,
        change=Percent(0.5),
        threshold=Percent(0.2),
        kept=N_("alert #{id}", id=3),
    )
    assert FR.render(text) == (
        f"X a_b{NB}: abonnés passés de 1{NNB}000 (jeu. 19 nov. 2026) à 1{NNB}500 "
        f"(+50{NB}%, seuil ±20{NB}%){NNB}; alerte n°{NB}3"
    )


def test_a_value_inside_a_code_span_is_shown_exactly():
    text = N_("{value} is already used on row {row}", value=Mrkdwn("`a_*b*`"), row=3)
    assert EN.render(text) == "`a_*b*` is already used on row 3"
    # The template decides: a value between backticks keeps * and _ (inert there).
    shorten = N_plural(
        "shorten it by {count} character or add a shorter `{column}` variant",
        "shorten it by {count} characters or add a shorter `{column}` variant",
        2,
        column="text_x*`",
    )
    assert (
        EN.render(shorten) == "shorten it by 2 characters or add a shorter `text_x*\u02cb` variant"
    )


def test_templates_with_a_format_or_an_unknown_locale_are_refused():
    with pytest.raises(ValueError, match="without a format"):
        EN.render(Text("{n:>5}", {"n": 1}))
    with pytest.raises(ValueError, match="brand.locale must be one of fr, en"):
        Reader("de")
    with pytest.raises(Exception, match="Mars/Olympus"):
        Reader("fr", "Mars/Olympus")


def test_english_text_cannot_reach_slack_unrendered():
    with pytest.raises(TypeError, match="render 'open' with a Reader"):
        escape(N_("open"))
    assert FR.render("plain <b>") == "plain &lt;b&gt;"  # not catalogue text: only escaped

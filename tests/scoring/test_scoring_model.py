"""score_partners, rank_by, rank_changes, needs_attention and explain on small hand-computed cases."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scoring_cases import activity_frame, feedback_frame, partners_frame
from scoring_workspace import generated_workspace

from scoring import (
    SCORED_COLUMNS,
    ScoringSettings,
    Weights,
    explain,
    needs_attention,
    percentile,
    rank_by,
    rank_changes,
    score_partners,
)

NOW = datetime(2024, 6, 30, 12, tzinfo=UTC)  # noon: today's bucket midpoint is exactly now
SETTINGS = ScoringSettings(now=NOW)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# Acme: meeting 30 days ago + call today, answers 100 and 80, revenue 3 × cost, contact 30 days ago.
# Globex: meeting 90 days ago (the window's first half-day), answer 40, revenue = cost, contact 60 days ago.
# Initech: nothing at all. Umbrella: an email today, revenue with a cost of 0, contact right now.
PARTNERS = partners_frame(
    [
        {
            "partner_id": 1,
            "name": "Acme",
            "tier": "gold",
            "revenue": 300,
            "cost": 100,
            "last_contact": days_ago(30),
        },
        {"partner_id": 2, "name": "Globex", "revenue": 100, "cost": 100, "last_contact": days_ago(60)},
        {"partner_id": 3, "name": "Initech"},
        {"partner_id": 4, "name": "Umbrella", "revenue": 50, "cost": 0, "last_contact": NOW},
    ]
)
ACTIVITY = activity_frame(
    [
        (1, "2024-05-31", 3.0, 1),  # midpoint 30 days before now: 3 · ½
        (1, "2024-06-30", 2.0, 1),  # midpoint = now: 2
        (2, "2024-04-01", 3.0, 1),  # midpoint 90 days before now: 3 · ⅛
        (2, "2024-03-31", 5.0, 2),  # ends before the window starts: ignored
        (2, "2024-07-01", 5.0, 2),  # starts after now: ignored
        (4, "2024-06-30", 1.0, 1),
        (99, "2024-06-30", 9.0, 3),  # not an active partner: ignored
    ]
)
FEEDBACK = feedback_frame([(1, 180.0, 2), (2, 40.0, 1), (99, 0.0, 5)])  # workspace mean 220 / 3


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return score_partners(PARTNERS, ACTIVITY, FEEDBACK, SETTINGS)


def row(scored: pd.DataFrame, partner_id: int) -> pd.Series:
    return scored.set_index("partner_id").loc[partner_id]


def test_columns_and_order(scored):
    assert tuple(scored.columns) == SCORED_COLUMNS
    assert scored["name"].tolist() == ["Umbrella", "Acme", "Globex", "Initech"]
    assert scored["rank"].tolist() == [1, 2, 3, 4]
    assert scored.index.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("partner_id", "expected"),
    [
        (1, {"engagement_raw": 3.5, "engagement": 100, "recency": 50, "satisfaction": 80, "business_raw": 3}),
        (
            2,
            {"engagement_raw": 0.375, "engagement": 50, "recency": 25, "satisfaction": 65, "business_raw": 1},
        ),
        (3, {"engagement_raw": 0, "engagement": 0, "recency": 0, "satisfaction": math.nan}),
        (4, {"engagement_raw": 1, "engagement": 75, "recency": 100, "satisfaction": math.nan}),
    ],
)
def test_components_by_hand(scored, partner_id, expected):
    actual = row(scored, partner_id)
    for column, value in expected.items():
        assert actual[column] == pytest.approx(value, nan_ok=True), column


def test_business_is_a_percentile_of_revenue_over_cost(scored):
    assert row(scored, 4)["business_raw"] == math.inf  # revenue with a cost of 0: the top of the range
    assert row(scored, 1)["business"] == pytest.approx(200 / 3)
    assert row(scored, 2)["business"] == pytest.approx(100 / 3)
    assert row(scored, 4)["business"] == 100
    assert math.isnan(row(scored, 3)["business"]) and math.isnan(row(scored, 3)["business_raw"])


@pytest.mark.parametrize(
    ("partner_id", "score"),
    [
        (1, 0.40 * 80 + 0.35 * 100 + 0.15 * 50 + 0.10 * 200 / 3),  # 81.17
        (2, 0.40 * 65 + 0.35 * 50 + 0.15 * 25 + 0.10 * 100 / 3),  # 50.58
        (3, 0.0),  # engagement 0 and recency 0, nothing else
        (4, (0.35 * 75 + 0.15 * 100 + 0.10 * 100) / 0.60),  # no satisfaction: 85.42
    ],
)
def test_scores_by_hand(scored, partner_id, score):
    assert row(scored, partner_id)["score"] == pytest.approx(score)


def test_categories_counts_and_pass_through_columns(scored):
    assert row(scored, 1)["category"] == "satisfied"
    assert row(scored, 2)["category"] == "dissatisfied"
    assert row(scored, 3)["category"] is None
    assert row(scored, 1)["tier"] == "gold" and row(scored, 2)["tier"] is None
    assert row(scored, 1)["feedback_count"] == 2 and row(scored, 3)["feedback_count"] == 0
    assert row(scored, 1)["interaction_count"] == 2 and row(scored, 2)["interaction_count"] == 1
    assert row(scored, 4)["last_contact"] == pd.Timestamp(NOW)
    assert pd.isna(row(scored, 3)["last_contact"])
    assert scored["last_contact"].dtype == "datetime64[ns, UTC]"


def test_todays_bucket_decays_from_now_when_its_midpoint_is_still_ahead():
    morning = ScoringSettings(now=datetime(2024, 6, 30, 6, tzinfo=UTC))
    scored = score_partners(
        partners_frame([{"partner_id": 1}]), activity_frame([(1, "2024-06-30", 2.0, 1)]), None, morning
    )
    assert scored["engagement_raw"].iloc[0] == 2.0


def test_a_bucket_decays_from_the_middle_of_its_day():
    settings = ScoringSettings(now=NOW, half_life_days=1.0)
    scored = score_partners(
        partners_frame([{"partner_id": 1}]), activity_frame([(1, "2024-06-28", 4.0, 1)]), None, settings
    )
    assert scored["engagement_raw"].iloc[0] == pytest.approx(4.0 * 2**-2.0)  # midpoint 2 days before noon


def test_no_feedback_in_the_workspace_means_no_satisfaction_for_anyone():
    scored = score_partners(PARTNERS, ACTIVITY, feedback_frame([]), SETTINGS)
    assert scored["satisfaction"].isna().all() and scored["category"].isna().all()
    assert (scored["feedback_count"] == 0).all()


def test_zero_damping_is_the_plain_mean():
    settings = ScoringSettings(now=NOW, damping=0)
    scored = score_partners(PARTNERS, ACTIVITY, FEEDBACK, settings)
    assert row(scored, 1)["satisfaction"] == 90 and row(scored, 2)["satisfaction"] == 40


def test_only_partner_with_engagement_is_100_but_zero_engagement_is_0():
    partners = partners_frame([{"partner_id": 1}, {"partner_id": 2}])
    alone = score_partners(partners.iloc[:1], activity_frame([(1, "2024-06-30", 1.0, 1)]), None, SETTINGS)
    assert alone["engagement"].tolist() == [100]
    nobody = score_partners(partners, None, None, SETTINGS)
    assert nobody["engagement"].tolist() == [0, 0] and nobody["engagement_raw"].tolist() == [0, 0]


def test_tied_values_share_their_percentile():
    assert percentile(np.array([5.0, 5.0, 1.0, np.nan, 7.0])).tolist()[:3] == [62.5, 62.5, 25.0]
    assert percentile(np.array([3.0, 3.0])).tolist() == [75.0, 75.0]
    assert percentile(np.array([np.inf, 1.0])).tolist() == [100.0, 50.0]


@pytest.mark.parametrize(
    ("revenue", "cost", "raw"),
    [
        (300, 100, 3.0),
        (0, 100, 0.0),
        (50, 0, math.inf),  # revenue and no cost: as good as it gets
        (-50, 0, -math.inf),  # a loss and no cost: as bad as it gets
        (0, 0, math.nan),  # nothing to measure
        (100, -5, math.nan),  # a negative cost is not a cost
        (None, 100, math.nan),
        (100, None, math.nan),
    ],
)
def test_business_ratio_edge_cases(revenue, cost, raw):
    partners = partners_frame([{"partner_id": 1, "revenue": revenue, "cost": cost}])
    scored = score_partners(partners, None, None, SETTINGS)
    assert scored["business_raw"].iloc[0] == pytest.approx(raw, nan_ok=True)


def test_no_revenue_or_a_loss_scores_0_on_business():
    partners = partners_frame(
        [
            {"partner_id": 1, "revenue": 0, "cost": 10},
            {"partner_id": 2, "revenue": -5, "cost": 10},
            {"partner_id": 3, "revenue": 20, "cost": 10},
        ]
    )
    scored = score_partners(partners, None, None, SETTINGS).set_index("partner_id")
    assert scored.loc[[1, 2, 3], "business"].tolist() == [0, 0, 100]


def test_recency_of_a_contact_in_the_future_is_100_and_never_is_0():
    partners = partners_frame(
        [{"partner_id": 1, "last_contact": NOW + timedelta(hours=3)}, {"partner_id": 2}]
    )
    scored = score_partners(partners, None, None, SETTINGS).set_index("partner_id")
    assert scored.loc[1, "recency"] == 100 and scored.loc[2, "recency"] == 0


def test_ties_break_by_name_ignoring_case_then_partner_id():
    partners = partners_frame(
        [
            {"partner_id": 5, "name": "beta"},
            {"partner_id": 9, "name": "alpha"},
            {"partner_id": 2, "name": "Alpha"},
            {"partner_id": 7, "name": "Gamma", "last_contact": NOW},
        ]
    )
    scored = score_partners(partners, None, None, SETTINGS)
    assert scored["partner_id"].tolist() == [7, 2, 9, 5]
    assert scored["rank"].tolist() == [1, 2, 3, 4]


def test_partners_whose_components_all_weigh_0_have_no_score_and_come_last():
    settings = ScoringSettings(now=NOW, weights=Weights(satisfaction=1, engagement=0, recency=0, business=0))
    scored = score_partners(PARTNERS, ACTIVITY, FEEDBACK, settings)
    assert scored["partner_id"].tolist() == [1, 2, 3, 4]
    assert scored["score"].tolist()[:2] == [80, 65]
    assert scored["score"].iloc[2:].isna().all()


def test_input_in_other_shapes_is_accepted():
    partners = pd.DataFrame(
        {
            "partner_id": [1, 2],
            "name": ["Acme", "Globex"],
            "tier": [None, "gold"],
            "revenue": [Decimal("300.00"), None],
            "cost": [Decimal("100.00"), None],
            "last_contact": [datetime(2024, 6, 29, 12), None],  # naive: UTC
            "owner": ["U1", "U2"],  # extra columns are ignored
        }
    )
    activity = pd.DataFrame({"partner_id": [1], "day": ["2024-06-29"], "weight": [3], "count": [1]})
    scored = score_partners(partners, activity, pd.DataFrame(), SETTINGS).set_index("partner_id")
    assert scored.loc[1, "business_raw"] == 3
    assert scored.loc[1, "recency"] == pytest.approx(100 * 2 ** (-1 / 30))
    assert scored.loc[1, "engagement_raw"] == pytest.approx(3 * 2 ** (-1 / 30), abs=1e-7)


def test_an_empty_workspace_gives_an_empty_frame_with_every_column():
    scored = score_partners(partners_frame([]), None, None, SETTINGS)
    assert tuple(scored.columns) == SCORED_COLUMNS and scored.empty
    assert rank_by(scored, "revenue").empty
    assert needs_attention(scored, NOW).empty
    assert rank_changes(scored, scored).empty


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        ((PARTNERS.drop(columns="cost"), None, None), "partners is missing the column"),
        ((pd.concat([PARTNERS, PARTNERS.iloc[:1]]), None, None), "more than one row for partner_id 1"),
        ((PARTNERS, ACTIVITY.assign(weight=-1.0), None), "activity.weight"),
        ((PARTNERS, None, feedback_frame([(1, 600.0, 2)])), "feedback for partner 1 does not average 0-100"),
        ((PARTNERS, None, feedback_frame([(1, 10.0, -1)])), "feedback.count"),
        ((PARTNERS.assign(revenue="lots"), None, None), "partners.revenue must hold numbers"),
    ],
)
def test_malformed_input_is_refused(frames, message):
    with pytest.raises(ValueError, match=message):
        score_partners(*frames, SETTINGS)


def test_the_input_frames_are_not_modified():
    partners, activity, feedback = PARTNERS.copy(), ACTIVITY.copy(), FEEDBACK.copy()
    score_partners(partners, activity, feedback, SETTINGS)
    pd.testing.assert_frame_equal(partners, PARTNERS)
    pd.testing.assert_frame_equal(activity, ACTIVITY)
    pd.testing.assert_frame_equal(feedback, FEEDBACK)


def test_a_large_workspace_scores_sensibly():
    partners, activity, feedback = generated_workspace(10_000, 200_000)
    scored = score_partners(
        partners, activity, feedback, ScoringSettings(now=datetime(2024, 6, 30, 15, 30, tzinfo=UTC))
    )
    assert len(scored) == 10_000 and scored["rank"].tolist() == list(range(1, 10_001))
    assert scored["score"].between(0, 100).all()
    assert scored["score"].is_monotonic_decreasing
    assert scored["interaction_count"].sum() == activity["count"].sum()
    assert scored["feedback_count"].sum() == feedback["count"].sum()


# --- rank_by, rank_changes, needs_attention -----------------------------------------------------------


@pytest.mark.parametrize(
    ("by", "order"),
    [
        ("score", [4, 1, 2, 3]),
        ("satisfaction", [1, 2, 3, 4]),  # no feedback: last, by name
        ("Engagement", [1, 4, 2, 3]),
        ("recency", [4, 1, 2, 3]),
        ("revenue", [4, 1, 2, 3]),
        ("business", [4, 1, 2, 3]),
    ],
)
def test_rank_by(scored, by, order):
    ranked = rank_by(scored, by)
    assert ranked["partner_id"].tolist() == order
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert scored["rank"].tolist() == [1, 2, 3, 4] and scored["partner_id"].tolist() == [4, 1, 2, 3]


def test_rank_by_revenue_puts_partners_without_it_last(scored):
    ranked = rank_by(scored, "revenue")
    assert ranked["business"].isna().tolist() == [False, False, False, True]


def test_rank_by_something_else_is_refused(scored):
    with pytest.raises(ValueError, match="can't be ranked by “size”; choose score, satisfaction, engagement"):
        rank_by(scored, "size")


def test_rank_changes(scored):
    previous = rank_by(scored, "satisfaction")  # 1, 2, 3, 4
    current = scored.iloc[:3]  # 4, 1, 2 — partner 3 dropped out
    changes = rank_changes(current, previous.iloc[:2])  # partner 4 is new
    assert changes.index.tolist() == [4, 1, 2]
    assert changes.iloc[0] != changes.iloc[0]  # NaN: new
    assert changes.loc[1] == 1 - 2 and changes.loc[2] == 2 - 3
    assert changes.name == "rank_change" and changes.index.name == "partner_id"
    assert (rank_changes(scored, scored) == 0).all()


def test_needs_attention(scored):
    attention = needs_attention(scored, NOW).set_index("partner_id")
    assert attention.index.tolist() == [1, 2, 3]  # in rank order; Umbrella is fine
    assert attention.loc[1, "reason"] == "no contact for 30 days"
    assert attention.loc[2, "reason"] == "no contact for 60 days"
    assert attention.loc[3, "reason"] == "never contacted"
    assert attention.loc[1, "days_since_contact"] == 30 and math.isnan(attention.loc[3, "days_since_contact"])
    picky = needs_attention(scored, NOW, stale_days=90, floor=70).set_index("partner_id")
    assert picky.index.tolist() == [2, 3]
    assert picky.loc[2, "reason"] == "satisfaction 65 (dissatisfied)"
    both = needs_attention(scored, NOW, stale_days=45, floor=70).set_index("partner_id")
    assert both.loc[2, "reason"] == "no contact for 60 days; satisfaction 65 (dissatisfied)"


def test_needs_attention_includes_overdue_follow_ups(scored):
    overdue = {4: (2, date(2024, 6, 20)), 1: (1, date(2024, 6, 29)), 99: (5, date(2024, 1, 1))}
    attention = needs_attention(scored, NOW, overdue=overdue).set_index("partner_id")
    assert attention.index.tolist() == [4, 1, 2, 3]  # Umbrella now too; 99 is not in the frame
    assert attention.loc[4, "reason"] == "2 follow-ups overdue since 2024-06-20"
    assert attention.loc[1, "reason"] == "no contact for 30 days; 1 follow-up overdue since 2024-06-29"


def test_needs_attention_shows_satisfaction_rounded_down():
    scored = pd.DataFrame(
        {"partner_id": [1], "satisfaction": [59.96], "last_contact": pd.to_datetime([NOW], utc=True)}
    )
    assert needs_attention(scored, NOW)["reason"].tolist() == ["satisfaction 59.9 (very dissatisfied)"]


# --- explain --------------------------------------------------------------------------------------------


def test_explain_takes_the_score_apart(scored):
    explanation = explain(scored, 1, SETTINGS)
    assert (explanation.name, explanation.rank, explanation.category) == ("Acme", 2, "satisfied")
    assert explanation.window_start == datetime(2024, 4, 1, 12, tzinfo=UTC) and explanation.window_end == NOW
    satisfaction = explanation.component("satisfaction")
    assert satisfaction.value == pytest.approx(80) and satisfaction.weight == 0.40
    assert satisfaction.normalised_weight == pytest.approx(
        0.40
    ) and satisfaction.contribution == pytest.approx(32)
    assert sum(c.contribution for c in explanation.components) == pytest.approx(explanation.score)
    assert explanation.component("recency").detail == "last contact 30 days ago"
    assert explanation.component("satisfaction").detail.startswith(
        "from 2 feedback answers in the last 90 days"
    )
    assert explanation.component("engagement").detail.startswith(
        "2 communications in the last 90 days, worth 3.5"
    )
    assert explanation.component("business").detail.startswith("revenue is 3.00× cost")
    # Recency at 100 would add 0.15 · 50 = 7.5 points, more than business (0.10 · 33.3) or satisfaction (8);
    # recording projects (delivery, missing, at 100) is a lever too.
    levers = [lever.component for lever in explanation.levers]
    assert [name for name in levers if name != "delivery"] == ["satisfaction", "recency", "business"]
    assert "delivery" in levers
    assert explanation.biggest_lever.points == pytest.approx(0.40 * 20)
    assert explanation.biggest_lever.suggestion.startswith("ask for feedback with /partner survey")


def test_explain_renormalises_over_the_components_a_partner_has(scored):
    explanation = explain(scored, 4, SETTINGS)
    satisfaction = explanation.component("satisfaction")
    assert (
        satisfaction.value is None and satisfaction.normalised_weight == 0 and satisfaction.contribution == 0
    )
    assert not satisfaction.present and satisfaction.detail == "no feedback in the last 90 days"
    shares = [c.normalised_weight for c in explanation.components]
    assert shares == pytest.approx([0, 0.35 / 0.6, 0.15 / 0.6, 0.10 / 0.6, 0])  # no closed projects
    assert sum(c.contribution for c in explanation.components) == pytest.approx(explanation.score)
    # Engagement 75 → 100 would make the score 100 (+14.6); feedback at 100 would make it 91.25 (+5.8);
    # recency and business are at 100 already; delivery (no closed projects) could add some too.
    assert [lever.component for lever in explanation.levers if lever.component != "delivery"] == [
        "engagement",
        "satisfaction",
    ]
    assert explanation.biggest_lever.points == pytest.approx(100 - 51.25 / 0.6)
    assert explanation.biggest_lever.suggestion.startswith("log a meeting or QBR")
    feedback = next(lever for lever in explanation.levers if lever.component == "satisfaction")
    assert feedback.missing and feedback.points == pytest.approx(91.25 - 51.25 / 0.6)
    assert "collecting feedback would add satisfaction" in feedback.suggestion
    assert explanation.component("business").detail == "revenue recorded with a cost of 0"
    assert explanation.component("recency").detail == "last contact today"


def test_explain_a_partner_with_nothing(scored):
    explanation = explain(scored, 3, SETTINGS)
    assert explanation.score == 0
    assert explanation.component("engagement").detail == "no communications in the last 90 days"
    assert explanation.component("recency").detail == "never contacted"
    assert explanation.component("business").detail == "revenue and cost are not both recorded"
    # Engagement at 100: 0.35 · 100 / 0.5 = 70 points; feedback at 100: 40 / 0.9; recency 30;
    # business 10 / 0.6.
    points = [(lever.component, round(lever.points, 2)) for lever in explanation.levers]
    # ... and a closed project won: 15 / 0.65.
    assert points == [
        ("engagement", 70),
        ("satisfaction", 44.44),
        ("recency", 30),
        ("delivery", 23.08),
        ("business", 16.67),
    ]
    business = next(lever for lever in explanation.levers if lever.component == "business")
    assert business.suggestion.startswith("update revenue and cost with /partner edit")


def test_explain_a_top_partner_has_no_lever_left():
    partners = partners_frame([{"partner_id": 1, "last_contact": NOW}])
    settings = ScoringSettings(now=NOW, weights=Weights(0, 1, 1, 0))
    scored = score_partners(partners, activity_frame([(1, "2024-06-30", 3.0, 1)]), None, settings)
    explanation = explain(scored, 1, settings)
    assert explanation.score == 100 and explanation.levers == () and explanation.biggest_lever is None


def test_explain_an_unknown_partner(scored):
    with pytest.raises(KeyError):
        explain(scored, 12345, SETTINGS)

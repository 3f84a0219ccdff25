"""What goes with satisfaction: the seeds' regression y = β0 + Σ βi·xi (004, 客户反馈分析) of each
partner's satisfaction on what its managers do, fitted by ordinary least squares (statsmodels) and
reported honestly: coefficients with 95% intervals, n, R², and which inputs were left out and why
(docs/scoring.md, "What drives satisfaction").

Two steps, both pure:

- :func:`insight_inputs` turns one row of counts per partner (what ``storage.insights`` hands over)
  into the model's variables: satisfaction and the predictors per month;
- :func:`explain_satisfaction` fits satisfaction on the predictors that can be used and says, in
  words, why any cannot be (no data, the same for everyone, moving together exactly).

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> meetings = rng.poisson(2.0, 120).astype(float)
>>> frame = pd.DataFrame({"satisfaction": 50 + 4 * meetings + rng.normal(0, 5, 120),
...                       "meetings_per_month": meetings, "calls_per_month": rng.poisson(3.0, 120)})
>>> model = explain_satisfaction(frame)
>>> [(e.predictor.column, round(e.change, 1)) for e in model.clear_effects]
[('meetings_per_month', 3.9)]
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

MIN_PARTNERS = 30  # partners with feedback before any fit is tried
# At least this many degrees of freedom left for the residuals: with fewer, the intervals are
# too wide to say anything, whatever the number of partners asked for.
MIN_RESIDUAL_DF = 10
DAYS_PER_MONTH = 30.0  # "a month" in the per-month rates, as "last month" is 30 days in rankings
CONFIDENCE = 0.95
# Inputs whose standardised design matrix has a singular value below this share of the largest
# are linear combinations of each other: the fit cannot tell their effects apart.
EXACT_COLLINEARITY = 1e-8
# A variance inflation factor above this: the input is mostly explained by the others, and its
# interval is wide because of it (a caution, the fit is still reported).
HIGH_VIF = 10.0


@dataclass(frozen=True)
class Predictor:
    column: str
    label: str  # what it is, in a list: "meetings a month"
    change_words: str  # the change an effect is stated for: "each extra meeting a month"
    step: float  # ... and its size in the column's unit
    missing_words: str  # why a partner may have no value (and so is left out of the fit)


PREDICTORS: tuple[Predictor, ...] = (
    Predictor("meetings_per_month", "meetings a month", "each extra meeting a month", 1.0, ""),
    Predictor("calls_per_month", "calls a month", "each extra call a month", 1.0, ""),
    Predictor("emails_per_month", "emails a month", "each extra email a month", 1.0, ""),
    Predictor(
        "days_since_contact",
        "days since the last contact",
        "every 10 more days since the last contact",
        10.0,
        "never contacted",
    ),
    Predictor(
        "success_rate",
        "project success rate",
        "every 10 points more of projects won (of those won or lost)",
        10.0,
        "no projects won or lost in the period",
    ),
    Predictor("open_needs", "open needs", "each extra open need", 1.0, ""),
)
PREDICTOR_COLUMNS = tuple(p.column for p in PREDICTORS)
# Inputs only some partners have: used when enough do, with the others left out of the fit.
PARTIAL = {"success_rate"}

# What storage.insights hands over: one row per active partner.
INPUT_COLUMNS = (
    "partner_id",
    "tier",
    "last_contact",  # the last communication before the period's end (ever), NaT when never
    "meetings",  # meetings and QBRs in the period
    "calls",
    "emails",
    "score_sum",  # Σ feedback answers on the 0-100 scale in the period
    "answers",
    "won",  # projects closed won / lost in the period
    "lost",
    "open_needs",  # needs open at the period's end
)


def insight_inputs(counts: pd.DataFrame, *, period_end: datetime, period_days: int) -> pd.DataFrame:
    """The model's variables per partner from the counts of one period (INPUT_COLUMNS):

    - ``satisfaction``: the plain mean of the period's answers (0-100), NaN without feedback;
    - ``meetings_per_month``, ``calls_per_month``, ``emails_per_month``: the period's counts over
      its length in 30-day months;
    - ``days_since_contact``: at the period's end (0 for a contact after it), NaN when never;
    - ``success_rate``: 100 · won / (won + lost) of the projects closed in the period, NaN when none;
    - ``open_needs``: needs open at the period's end.
    """
    if period_end.tzinfo is None:
        raise ValueError("period_end must be timezone-aware")
    months = period_days / DAYS_PER_MONTH
    answers = counts["answers"].astype(float)
    closed = (counts["won"] + counts["lost"]).astype(float)
    last = pd.to_datetime(counts["last_contact"], utc=True)
    days = (pd.Timestamp(period_end) - last).dt.total_seconds() / 86400.0
    return pd.DataFrame(
        {
            "partner_id": counts["partner_id"],
            "satisfaction": (counts["score_sum"].astype(float) / answers).where(answers > 0),
            "meetings_per_month": counts["meetings"].astype(float) / months,
            "calls_per_month": counts["calls"].astype(float) / months,
            "emails_per_month": counts["emails"].astype(float) / months,
            "days_since_contact": days.clip(lower=0.0),
            "success_rate": (100.0 * counts["won"].astype(float) / closed).where(closed > 0),
            "open_needs": counts["open_needs"].astype(float),
        }
    ).reset_index(drop=True)


class Outcome(enum.StrEnum):
    FITTED = "fitted"
    NOT_ENOUGH = "not enough data"  # fewer than MIN_PARTNERS partners with feedback
    CANNOT_FIT = "cannot fit"  # ``problem`` says why, in words


@dataclass(frozen=True)
class Effect:
    """One predictor's coefficient, stated for the predictor's ``step`` (satisfaction points)."""

    predictor: Predictor
    change: float
    low: float
    high: float
    p_value: float

    @property
    def clear(self) -> bool:
        """The 95% interval excludes zero."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class LeftOut:
    predictor: Predictor
    reason: str  # words: "every partner with feedback had 0 open needs"


@dataclass(frozen=True)
class SatisfactionModel:
    outcome: Outcome
    with_feedback: int  # partners with feedback in the period
    n: int = 0  # partners in the fit
    r_squared: float | None = None
    adjusted_r_squared: float | None = None
    effects: tuple[Effect, ...] = ()  # every predictor fitted, in PREDICTORS order
    left_out: tuple[LeftOut, ...] = ()
    problem: str | None = None
    cautions: tuple[str, ...] = ()
    dropped_rows: dict[str, int] = field(default_factory=dict)  # why partners were left out → how many

    @property
    def clear_effects(self) -> list[Effect]:
        """The effects whose 95% interval excludes zero, strongest evidence first."""
        return sorted((e for e in self.effects if e.clear), key=lambda e: (e.p_value, e.predictor.column))

    @property
    def unclear_effects(self) -> list[Effect]:
        return [e for e in self.effects if not e.clear]


def listed(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _usable(
    rows: pd.DataFrame, min_partners: int
) -> tuple[list[Predictor], list[LeftOut], pd.DataFrame, dict[str, int]]:
    """The predictors with data, the rows complete for them, and what was left out and why."""
    used: list[Predictor] = []
    left_out: list[LeftOut] = []
    total = len(rows)
    for predictor in PREDICTORS:
        if predictor.column not in rows:
            continue
        have = int(rows[predictor.column].notna().sum())
        if have == 0:
            why = predictor.missing_words or "no data"
            left_out.append(LeftOut(predictor, f"no partner with feedback has one ({why})"))
        elif predictor.column in PARTIAL and have < total and (have < min_partners or 2 * have < total):
            left_out.append(
                LeftOut(
                    predictor,
                    f"only {have} of {total} partners with feedback have one ({predictor.missing_words} "
                    f"for the others): {min_partners}, and at least half, are needed",
                )
            )
        else:
            used.append(predictor)
    complete = rows.dropna(subset=[p.column for p in used])
    dropped = {
        p.missing_words: int(rows[p.column].isna().sum())
        for p in used
        if p.missing_words and rows[p.column].isna().any()
    }
    # A predictor the same for everyone is no input: it only moves the intercept.
    varying: list[Predictor] = []
    for predictor in used:
        values = complete[predictor.column]
        if len(values) and np.ptp(values.to_numpy(dtype=float)) == 0:
            left_out.append(
                LeftOut(
                    predictor,
                    f"the same for every partner with feedback ({_number(values.iloc[0])} {predictor.label})",
                )
            )
        else:
            varying.append(predictor)
    return varying, left_out, complete, dropped


def _collinear_groups(x: np.ndarray, predictors: list[Predictor]) -> tuple[list[str], list[str]]:
    """(exact, close): words for inputs that are exact linear combinations of each other, and for
    inputs mostly explained by the others (variance inflation above HIGH_VIF)."""
    centred = x - x.mean(axis=0)
    scaled = centred / np.linalg.norm(centred, axis=0)
    _, singular, vt = np.linalg.svd(scaled, full_matrices=False)
    exact: list[str] = []
    for value, vector in zip(singular, vt, strict=True):
        if value < EXACT_COLLINEARITY * singular[0]:
            involved = np.flatnonzero(np.abs(vector) > 0.05)
            members = [predictors[i].label for i in involved]
            if len(involved) == 2:
                r = float(np.corrcoef(x[:, involved].T)[0, 1])
                how = f"correlation {r:.2f}"
            else:
                how = "each is a combination of the others"
            exact.append(
                f"{listed(members)} move together exactly ({how}), so their effects can't be told apart"
            )
    if exact:
        return exact, []
    if len(predictors) < 2:
        return [], []
    vif = np.diag(np.linalg.inv(scaled.T @ scaled))
    high = [predictors[i].label for i in np.flatnonzero(vif > HIGH_VIF)]
    close = (
        [
            f"{listed(high)} move closely together in your data, so their separate effects are uncertain "
            "(wide intervals)"
        ]
        if len(high) >= 2
        else []
    )
    return [], close


def explain_satisfaction(inputs: pd.DataFrame, *, min_partners: int = MIN_PARTNERS) -> SatisfactionModel:
    """Fit ``satisfaction`` on the predictor columns present in ``inputs`` (NaN: no value).

    Partners without satisfaction are not in the fit. A predictor nobody has, or that is the same
    for everyone, is left out with its reason; a partial one (the success rate) is used only when
    at least ``min_partners``, and at least half, of the partners with feedback have it, and then
    the fit is over those partners. Inputs that move together exactly make the fit impossible:
    ``problem`` says which, in words.
    """
    rows = inputs[inputs["satisfaction"].notna()]
    with_feedback = len(rows)
    if with_feedback < min_partners:
        return SatisfactionModel(Outcome.NOT_ENOUGH, with_feedback)
    predictors, left_out, complete, dropped = _usable(rows, min_partners)
    n = len(complete)

    def cannot(problem: str) -> SatisfactionModel:
        return SatisfactionModel(
            Outcome.CANNOT_FIT,
            with_feedback,
            n,
            left_out=tuple(left_out),
            problem=problem,
            dropped_rows=dropped,
        )

    if n < min_partners:  # only when partners lack an input: with_feedback is at least min_partners
        why = listed([f"{count} {words}" for words, count in dropped.items()] or ["inputs missing"])
        return cannot(
            f"only {n} of {with_feedback} partners with feedback have every input ({why}), "
            f"and {min_partners} are needed"
        )
    if not predictors:
        return cannot(
            "no input varies between the partners with feedback, so there is nothing to "
            "compare their satisfaction with"
        )
    y = complete["satisfaction"].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        return cannot(
            f"every partner with feedback has the same satisfaction ({_number(y[0])}), so there "
            "is nothing to explain"
        )
    if n - len(predictors) - 1 < MIN_RESIDUAL_DF:
        return cannot(
            f"{n} partners are too few for {len(predictors)} inputs: at least "
            f"{len(predictors) + 1 + MIN_RESIDUAL_DF} are needed"
        )
    x = complete[[p.column for p in predictors]].to_numpy(dtype=float)
    exact, close = _collinear_groups(x, predictors)
    if exact:
        return cannot("; ".join(exact))
    # Imported here: statsmodels takes half a second to import, paid by the first insight asked
    # rather than by every start of the app.
    from statsmodels.regression.linear_model import OLS

    fitted = OLS(y, np.column_stack([np.ones(n), x])).fit()
    bounds = np.asarray(fitted.conf_int(alpha=1 - CONFIDENCE))
    params, p_values = np.asarray(fitted.params), np.asarray(fitted.pvalues)
    if not (np.all(np.isfinite(bounds)) and np.all(np.isfinite(params))):
        return cannot("the least-squares fit gave no finite coefficients")
    effects = tuple(
        Effect(
            predictor,
            change=float(params[i + 1] * predictor.step),
            low=float(bounds[i + 1, 0] * predictor.step),
            high=float(bounds[i + 1, 1] * predictor.step),
            p_value=float(p_values[i + 1]),
        )
        for i, predictor in enumerate(predictors)
    )
    r2, adjusted = float(fitted.rsquared), float(fitted.rsquared_adj)
    return SatisfactionModel(
        Outcome.FITTED,
        with_feedback,
        n,
        r_squared=r2 if math.isfinite(r2) else None,
        adjusted_r_squared=adjusted if math.isfinite(adjusted) else None,
        effects=effects,
        left_out=tuple(left_out),
        cautions=tuple(close),
        dropped_rows=dropped,
    )

"""A generated workspace as CSV files in the import format (README "CSV files").

Deterministic for a given (sizes, seed, end day): numpy draws everything in bulk, pandas writes the
files, and the result is cached under ``.bench/data/<key>/`` so later runs reuse it::

    python -m bench.generate --partners 10000 --interactions 1000000 --feedback 100000 --projects 20000

What it looks like:

- partners: unique names made of two words and a legal suffix ("Northwind Robotics GmbH"; a number
  is added only when the combinations run out), tiers gold 10 % / silver 30 % / bronze 60 %,
  four regions, six categories, an owner for 90 %, revenue and cost for ~70 %, 3 % archived;
- interactions: two years ending at the start of the end day (UTC, default today), partners drawn
  with log-normal activity (some very busy, 5 % never contacted), kinds email 40 % / call 24 % /
  meeting 16 % / note 10 % / event 4 % / other 4 % / qbr 2 % (2 % written as everyday words such
  as "phone" or "mtg"), notes from a pool of 4,096 texts of log-normal length (median ~90
  characters, up to ~4,000, with commas, quotes, line breaks and non-ASCII text; a quarter of
  non-note communications have none), 60 users, a follow-up date on 8 %;
- feedback: csat 1-5 leaning to 4, nps 0-10 on 60 % (following csat), a comment on 35 %,
  300 respondents (10 % anonymous), over the same two years;
- projects: joint projects of busier partners more often, started over the two years, due 1-12
  months later; each partner has its own chance of winning (Beta(2, 2)), so closed ones are won
  or lost by partner, 10 % cancelled, and open ones (planned / active) are the younger ones; a
  value on 80 %, a goal on 60 %, a result on closed ones;
- resources: one per project on average, people 50 % (8-400 hours) / funds 30 % / technology
  20 % (1-20 licences or environments), without a project (ids are the database's).

Also writes ``ack_partners.csv`` (200 more partners for the load benchmark's own workspace) and
``meta.json`` (sizes, seed, time span, and partner names the benchmarks use), last, so a directory
with ``meta.json`` is complete.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / ".bench" / "data"
SPAN_DAYS = 730  # two years
CHUNK = 500_000  # interactions generated and written per step (bounded memory at any size)
FORMAT_VERSION = 2  # bump when the generated content changes, so old caches are not reused


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Acme Apex Arcadia Atlas Aurora Beacon Blue Bright Cascade Cedar Citadel Cobalt Coral Crest "
    "Crystal Delta Eastgate Echo Ember Evergreen Falcon Fjord Frontier Galaxy Globex Granite Harbor "
    "Helix Horizon Hooli Initech Iris Ivory Juniper Keystone Kinetic Lakeside Lumen Maple Meridian "
    "Monarch Nimbus Northwind Nova Oakridge Obsidian Olympus Onyx Orion Pacific Pinnacle Polar Prism "
    "Quantum Quartz Radiant Redwood Riverbend Sapphire Sequoia Sierra Silverline Solstice Soylent "
    "Sterling Summit Tandem Terra Titan Umbrella Vandelay Vertex Vista Westwood Zenith Zephyr"
)
SECOND = _words(
    "Analytics Automation Biotech Capital Cloud Commerce Consulting Data Design Devices Digital "
    "Dynamics Energy Engineering Finance Foods Freight Health Industries Infrastructure Insights "
    "Instruments Labs Learning Logistics Machines Manufacturing Marine Media Medical Metrics Mobility "
    "Networks Optics Pharma Photonics Power Retail Robotics Security Semiconductors Software "
    "Solutions Storage Systems Telecom Textiles Trading Travel Ventures Vision Works"
)
SUFFIX = ("", "Inc", "Ltd", "GmbH", "LLC", "Group", "AG", "SA", "BV", "Pty")
TIERS = np.array(["gold", "silver", "bronze"], dtype=object)
TIER_P = (0.10, 0.30, 0.60)
REGIONS = np.array(["EMEA", "North America", "APAC", "LATAM"], dtype=object)
REGION_P = (0.35, 0.35, 0.2, 0.1)
CATEGORIES = np.array(
    ["Reseller", "Technology", "Referral", "Systems integrator", "MSP", "Marketplace"], dtype=object
)
KINDS = np.array(["email", "call", "meeting", "note", "event", "other", "qbr"], dtype=object)
KIND_P = (0.40, 0.24, 0.16, 0.10, 0.04, 0.04, 0.02)
KIND_WORDS = {"email": "mail", "call": "phone", "meeting": "mtg", "event": "webinar", "note": "memo"}
NOTE_WORDS = _words(
    "renewal pricing discount roadmap integration pipeline forecast contract onboarding training "
    "escalation support ticket quarter target margin co-marketing campaign webinar lead referral "
    "deal-registration certification API SSO migration rollout pilot feedback budget procurement "
    "legal security review SLA churn upsell expansion partner portal enablement demo workshop "
    "follow-up next-steps blockers timeline Q1 Q2 Q3 Q4 EMEA APAC agreed asked promised shared"
)
NOTE_EXTRAS = (
    'They said "maybe next quarter", we\'ll see.',
    "Prices: 1,200 per seat, 10% off for 3 years.",
    "Besprechung mit Jürgen und Zoë — nächste Woche Angebot.",
    "会議メモ: 来月に再確認。",
    "Action items:\n- send deck\n- book QBR\n- check SSO",
    "=SUM(A1:A3) was in their spreadsheet, odd.",
    "-- forwarded thread, see below --",
)


@dataclass(frozen=True)
class Sizes:
    partners: int
    interactions: int
    feedback: int
    projects: int = 0  # and as many resources

    def key(self, seed: int, end_day: date) -> str:
        return (
            f"v{FORMAT_VERSION}-p{self.partners}-i{self.interactions}-f{self.feedback}"
            f"-j{self.projects}-s{seed}-{end_day.isoformat()}"
        )


@dataclass(frozen=True)
class Dataset:
    """A generated workspace on disk."""

    directory: Path
    sizes: Sizes
    meta: dict[str, Any]

    @property
    def partners_csv(self) -> Path:
        return self.directory / "partners.csv"

    @property
    def interactions_csv(self) -> Path:
        return self.directory / "interactions.csv"

    @property
    def feedback_csv(self) -> Path:
        return self.directory / "feedback.csv"

    @property
    def projects_csv(self) -> Path:
        return self.directory / "projects.csv"

    @property
    def resources_csv(self) -> Path:
        return self.directory / "resources.csv"

    @property
    def ack_partners_csv(self) -> Path:
        return self.directory / "ack_partners.csv"

    def partner_names(self) -> list[str]:
        return pd.read_csv(self.partners_csv, usecols=["name"], dtype=str, keep_default_na=False)[
            "name"
        ].tolist()

    def active_names(self) -> list[str]:
        frame = pd.read_csv(self.partners_csv, usecols=["name", "status"], dtype=str, keep_default_na=False)
        return frame.loc[frame["status"] != "archived", "name"].tolist()


# --- pieces --------------------------------------------------------------------------------------


def _user_ids(rng: np.random.Generator, count: int) -> np.ndarray:
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))
    letters = rng.choice(alphabet, size=(count, 10))
    ids = np.array(["U" + "".join(row) for row in letters], dtype=object)
    return np.unique(ids) if len(np.unique(ids)) == count else _user_ids(rng, count)


def partner_names(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` unique names, in a seeded random order."""
    combos = len(FIRST) * len(SECOND) * len(SUFFIX)
    picks = rng.permutation(combos)[: min(count, combos)]
    first, rest = np.divmod(picks, len(SECOND) * len(SUFFIX))
    second, suffix = np.divmod(rest, len(SUFFIX))
    names = [
        f"{FIRST[a]} {SECOND[b]}" + (f" {SUFFIX[c]}" if SUFFIX[c] else "")
        for a, b, c in zip(first, second, suffix, strict=True)
    ]
    number = 2
    while len(names) < count:  # more partners than combinations: numbered repeats
        names.extend(f"{name} {number}" for name in names[: count - len(names)] if " " in name)
        number += 1
    return np.array(names[:count], dtype=object)


def _note_pool(rng: np.random.Generator, size: int = 4096) -> np.ndarray:
    lengths = np.clip(rng.lognormal(mean=np.log(90), sigma=1.0, size=size), 8, 4000).astype(int)
    vocab = np.array(NOTE_WORDS, dtype=object)
    notes = []
    for i, length in enumerate(lengths):
        words = rng.choice(vocab, size=max(2, length // 7))
        text = " ".join(words)[:length].strip()
        text = text[0].upper() + text[1:] + "."
        if i % 9 == 0:
            text += " " + NOTE_EXTRAS[(i // 9) % len(NOTE_EXTRAS)]
        if i % 23 == 0:
            text = text.replace(". ", ".\n\n", 2)
        notes.append(text)
    return np.array(notes, dtype=object)


def _iso(seconds: np.ndarray) -> np.ndarray:
    """Unix seconds → ISO 8601 UTC text with Z."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return np.char.add(text.astype(str), "Z").astype(object)


def _amounts(rng: np.random.Generator, count: int, present: float) -> tuple[np.ndarray, np.ndarray]:
    revenue = np.round(rng.lognormal(mean=np.log(250_000), sigma=1.2, size=count), 2)
    cost = np.round(revenue * rng.uniform(0.05, 0.95, size=count), 2)
    has = rng.random(count) < present
    has_cost = has & (rng.random(count) < 0.95)
    rev_text = np.where(has, np.char.mod("%.2f", revenue).astype(object), "")
    cost_text = np.where(has_cost, np.char.mod("%.2f", cost).astype(object), "")
    return rev_text, cost_text


def _write(frame: pd.DataFrame, path: Path, *, header: bool = True) -> None:
    frame.to_csv(path, index=False, header=header, mode="w" if header else "a", lineterminator="\n")


def _partners_frame(rng: np.random.Generator, names: np.ndarray, owners: np.ndarray) -> pd.DataFrame:
    count = len(names)
    revenue, cost = _amounts(rng, count, 0.70)
    owner = np.where(rng.random(count) < 0.9, rng.choice(owners, size=count), "")
    status = np.where(rng.random(count) < 0.03, "archived", "active")
    return pd.DataFrame(
        {
            "name": names,
            "tier": rng.choice(TIERS, size=count, p=TIER_P),
            "region": rng.choice(REGIONS, size=count, p=REGION_P),
            "category": rng.choice(CATEGORIES, size=count),
            "owner": owner,
            "revenue": revenue,
            "cost": cost,
            "status": status,
        }
    )


def _activity_weights(rng: np.random.Generator, count: int) -> np.ndarray:
    weights = rng.lognormal(mean=0.0, sigma=1.2, size=count)
    weights[rng.random(count) < 0.05] = 0.0  # never contacted
    return weights / weights.sum()


def _interactions_chunk(
    rng: np.random.Generator,
    rows: int,
    names: np.ndarray,
    probabilities: np.ndarray,
    users: np.ndarray,
    notes: np.ndarray,
    start: int,
    end: int,
) -> pd.DataFrame:
    partner = rng.choice(len(names), size=rows, p=probabilities)
    kind = rng.choice(KINDS, size=rows, p=KIND_P)
    occurred = rng.integers(start, end, size=rows)
    note_index = rng.integers(0, len(notes), size=rows)
    note = notes[note_index]
    needs_notes = (kind == "note") | (kind == "other")
    note = np.where((rng.random(rows) < 0.25) & ~needs_notes, "", note)
    written_kind = kind.copy()
    casual = rng.random(rows) < 0.02
    for canonical, word in KIND_WORDS.items():
        written_kind[casual & (kind == canonical)] = word
    user = np.where(rng.random(rows) < 0.95, rng.choice(users, size=rows), "")
    follow = rng.random(rows) < 0.08
    follow_days = (occurred // 86400 + rng.integers(1, 31, size=rows)).astype("datetime64[D]")
    follow_text = np.where(follow, np.datetime_as_string(follow_days).astype(object), "")
    return pd.DataFrame(
        {
            "partner": names[partner],
            "kind": written_kind,
            "occurred_at": _iso(occurred),
            "notes": note,
            "user": user,
            "follow_up_on": follow_text,
        }
    )


def _feedback_frame(
    rng: np.random.Generator,
    rows: int,
    names: np.ndarray,
    probabilities: np.ndarray,
    respondents: np.ndarray,
    start: int,
    end: int,
) -> pd.DataFrame:
    p = np.sqrt(probabilities) + 1e-9
    partner = rng.choice(len(names), size=rows, p=p / p.sum())
    csat = rng.choice(np.arange(1, 6), size=rows, p=(0.05, 0.08, 0.20, 0.40, 0.27))
    nps = np.clip(np.round(csat * 2 + rng.normal(0, 1.5, size=rows) - 0.5), 0, 10).astype(int)
    nps_text = np.where(rng.random(rows) < 0.60, nps.astype(str).astype(object), "")
    comments = np.array(
        [
            "Great partner, quick answers.",
            "Slow to respond this quarter.",
            "Pricing is hard to explain to customers, but support is good.",
            'They "forgot" the QBR again.',
            "Very helpful with the SSO rollout; would recommend.",
            "Ok.",
            "Contract process took too long — legal back and forth for weeks.",
            "Excellent enablement sessions, the team loved them.",
        ],
        dtype=object,
    )
    comment = np.where(rng.random(rows) < 0.35, rng.choice(comments, size=rows), "")
    respondent = np.where(rng.random(rows) < 0.90, rng.choice(respondents, size=rows), "")
    return pd.DataFrame(
        {
            "partner": names[partner],
            "csat": csat,
            "nps": nps_text,
            "comment": comment,
            "respondent": respondent,
            "submitted_at": _iso(rng.integers(start, end, size=rows)),
        }
    )


DAY = 86_400
PROJECT_WORDS = _words(
    "Pilot Rollout Integration Migration Certification Campaign Launch Bundle Marketplace Listing "
    "Renewal Expansion Enablement Workshop Connector Co-sell Referral Program Upgrade Benchmark"
)
GOALS = np.array(
    [
        "Joint pipeline of 10 qualified leads",
        "Certified connector live in the marketplace",
        "Two reference customers in EMEA",
        'Replace the "legacy" SSO integration',
        "Co-marketing webinar series, 3 sessions",
    ],
    dtype=object,
)
RESULTS = {
    "won": np.array(
        ["Signed a 2-year deal.", "Live with 3 customers.", "Approved, budget agreed."], dtype=object
    ),
    "lost": np.array(["Went with a competitor.", "Budget cut.", "No decision — stalled."], dtype=object),
    "cancelled": np.array(["Partner reorganised.", "Merged into another project."], dtype=object),
}


def _day_text(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="D").astype(object)


def _projects_frame(
    rng: np.random.Generator, rows: int, names: np.ndarray, probabilities: np.ndarray, start: int, end: int
) -> pd.DataFrame:
    p = np.sqrt(probabilities) + 1e-9
    partner = rng.choice(len(names), size=rows, p=p / p.sum())
    wins = rng.beta(2.0, 2.0, size=len(names))[partner]  # each partner's own chance of winning
    last_day = end - DAY  # everything closed by the day before the end day
    started = rng.integers(start, last_day, size=rows)
    due = started + rng.integers(30, 366, size=rows) * DAY
    # Older projects are mostly closed; those of the last four months mostly still open.
    age = (last_day - started) / (last_day - start)
    closed = rng.random(rows) < np.clip(age * 1.6, 0.0, 0.97)
    cancelled = closed & (rng.random(rows) < 0.10)
    won = closed & ~cancelled & (rng.random(rows) < wins)
    status = np.where(
        cancelled,
        "cancelled",
        np.where(won, "won", np.where(closed, "lost", np.where(rng.random(rows) < 0.3, "planned", "active"))),
    ).astype(object)
    closed_at = np.minimum(started + rng.integers(14, 400, size=rows) * DAY, last_day)
    progress = np.where(
        won, 100, np.where(closed, rng.integers(0, 100, size=rows), rng.integers(0, 96, size=rows))
    )
    progress = np.where(status == "planned", 0, progress)
    value = np.round(rng.lognormal(mean=np.log(40_000), sigma=1.0, size=rows), 2)
    result = np.array([""] * rows, dtype=object)
    for word, pool in RESULTS.items():
        chosen = status == word
        result[chosen] = rng.choice(pool, size=int(chosen.sum()))
    return pd.DataFrame(
        {
            "partner": names[partner],
            "name": np.char.add(
                np.char.add(rng.choice(PROJECT_WORDS, size=rows).astype(str), " "),
                np.arange(1, rows + 1).astype(str),
            ).astype(object),
            "status": status,
            "goal": np.where(rng.random(rows) < 0.6, rng.choice(GOALS, size=rows), ""),
            "started_on": _day_text(started),
            "due_on": _day_text(due),
            "closed_on": np.where(closed, _day_text(closed_at), ""),
            "value": np.where(rng.random(rows) < 0.8, np.char.mod("%.2f", value).astype(object), ""),
            "progress": progress.astype(int),
            "result": result,
        }
    )


def _resources_frame(
    rng: np.random.Generator, rows: int, names: np.ndarray, probabilities: np.ndarray, start: int, end: int
) -> pd.DataFrame:
    p = np.sqrt(probabilities) + 1e-9
    partner = rng.choice(len(names), size=rows, p=p / p.sum())
    kind = rng.choice(np.array(["people", "funds", "technology"], dtype=object), size=rows, p=(0.5, 0.3, 0.2))
    hours = rng.integers(8, 401, size=rows).astype(float)
    funds = np.round(rng.lognormal(mean=np.log(8_000), sigma=0.9, size=rows), 2)
    things = rng.integers(1, 21, size=rows).astype(float)
    amount = np.where(kind == "people", hours, np.where(kind == "funds", funds, things))
    unit = np.where(
        kind == "people",
        "hours",
        np.where(
            kind == "funds", "", rng.choice(np.array(["licences", "environments"], dtype=object), size=rows)
        ),
    )
    return pd.DataFrame(
        {
            "partner": names[partner],
            "project": "",
            "kind": kind,
            "amount": np.char.mod("%.2f", amount).astype(object),
            "unit": unit,
            "committed_on": _day_text(rng.integers(start, end - DAY, size=rows)),
            "notes": np.where(rng.random(rows) < 0.5, rng.choice(GOALS, size=rows), ""),
        }
    )


# --- the dataset ---------------------------------------------------------------------------------


def generate(directory: Path, sizes: Sizes, seed: int, end_day: date) -> dict[str, Any]:
    """Write the CSV files into ``directory`` and return the meta data."""
    directory.mkdir(parents=True, exist_ok=True)
    end_moment = datetime.combine(end_day, datetime.min.time(), tzinfo=UTC)
    end = int(end_moment.timestamp())
    start = int((end_moment - timedelta(days=SPAN_DAYS)).timestamp())
    rng = np.random.default_rng(seed)
    users = _user_ids(rng, 60)
    respondents = _user_ids(rng, 300)
    names = partner_names(rng, sizes.partners + 200)
    names, ack_names = names[: sizes.partners], names[sizes.partners :]
    partners = _partners_frame(rng, names, users)
    _write(partners, directory / "partners.csv")
    ack = _partners_frame(rng, ack_names, users)
    ack["status"] = "active"
    _write(ack, directory / "ack_partners.csv")

    probabilities = _activity_weights(rng, sizes.partners)
    notes = _note_pool(rng)
    path = directory / "interactions.csv"
    written = 0
    chunk_index = 0
    while written < sizes.interactions or chunk_index == 0:
        rows = min(CHUNK, sizes.interactions - written)
        chunk_rng = np.random.default_rng([seed, 1, chunk_index])
        chunk = _interactions_chunk(chunk_rng, rows, names, probabilities, users, notes, start, end)
        _write(chunk, path, header=chunk_index == 0)
        written += rows
        chunk_index += 1
    feedback = _feedback_frame(
        np.random.default_rng([seed, 2]), sizes.feedback, names, probabilities, respondents, start, end
    )
    _write(feedback, directory / "feedback.csv")
    if sizes.projects:
        projects = _projects_frame(
            np.random.default_rng([seed, 4]), sizes.projects, names, probabilities, start, end
        )
        _write(projects, directory / "projects.csv")
        resources = _resources_frame(
            np.random.default_rng([seed, 5]), sizes.projects, names, probabilities, start, end
        )
        _write(resources, directory / "resources.csv")

    active = partners["status"].to_numpy() != "archived"
    busiest = np.argsort(-probabilities, kind="stable")
    busiest_active = [str(names[i]) for i in busiest if active[i]][:10]
    pick = np.random.default_rng([seed, 3])
    random_active = [
        str(n) for n in pick.choice(names[active], size=min(10, int(active.sum())), replace=False)
    ]
    meta = {
        "format": FORMAT_VERSION,
        "sizes": {
            "partners": sizes.partners,
            "interactions": sizes.interactions,
            "feedback": sizes.feedback,
            "projects": sizes.projects,
        },
        "seed": seed,
        "start": datetime.fromtimestamp(start, UTC).isoformat(),
        "end": end_moment.isoformat(),
        "show_targets": busiest_active + random_active,
        "ack_partners": len(ack_names),
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2))
    return meta


def dataset(
    sizes: Sizes, *, seed: int = 42, end_day: date | None = None, data_dir: Path = DATA_DIR, log=print
) -> Dataset:
    """The cached dataset for these sizes and seed (generated on first use)."""
    end_day = end_day or datetime.now(UTC).date()
    directory = data_dir / sizes.key(seed, end_day)
    meta_path = directory / "meta.json"
    if meta_path.is_file():
        return Dataset(directory, sizes, json.loads(meta_path.read_text()))
    temporary = directory.with_name(directory.name + f".tmp{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    started = time.perf_counter()
    log(
        f"generating {sizes.partners:,} partners / {sizes.interactions:,} interactions / "
        f"{sizes.feedback:,} feedback / {sizes.projects:,} projects (seed {seed}) …"
    )
    meta = generate(temporary, sizes, seed, end_day)
    meta["generated_in_s"] = round(time.perf_counter() - started, 2)
    (temporary / "meta.json").write_text(json.dumps(meta, indent=2))
    shutil.rmtree(directory, ignore_errors=True)
    temporary.rename(directory)
    log(f"generated in {meta['generated_in_s']:.1f} s → {directory}")
    return Dataset(directory, sizes, meta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--feedback", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=20_000, help="and as many resources")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--end-day", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today, UTC)"
    )
    args = parser.parse_args(argv)
    found = dataset(
        Sizes(args.partners, args.interactions, args.feedback, args.projects),
        seed=args.seed,
        end_day=args.end_day,
    )
    print(found.directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Block Kit for insights: what goes with satisfaction, in plain words. Only effects whose 95%
interval excludes zero are stated, each with its interval and n; never as a cause."""

from __future__ import annotations

from handlers.services.insights import SatisfactionInsights
from handlers.shared.blocks import SlackBlock, context_block, header, section, sections
from handlers.shared.replies import Reply
from handlers.shared.text import escaped_shortened, plural
from scoring.insights import MIN_PARTNERS, Effect, Outcome, SatisfactionModel, listed

TITLE = "What goes with partner satisfaction"
CAVEAT = (
    "These are associations in your data, not causes: partners who get more of something may differ "
    "in other ways too. Each figure compares partners alike in the other inputs. Satisfaction is each "
    "partner's average feedback (0-100); with several inputs, a link can also turn up by chance now "
    "and then."
)


def period_words(days: int) -> str:
    return "the last year" if days == 365 else f"the last {days} days"


def _signed(value: float, digits: int) -> str:
    return f"{value:+.{digits}f}"


def _plain(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def effect_words(effect: Effect, n: int) -> str:
    """ "each extra meeting a month goes with +4.1 satisfaction points (95% CI 2.0 to 6.2), from 84
    partners" — one decimal, two for effects smaller than a point."""
    digits = 1 if max(abs(effect.low), abs(effect.high)) >= 1 else 2
    change = effect.predictor.change_words
    interval = f"95% CI {_plain(effect.low, digits)} to {_plain(effect.high, digits)}"
    return (
        f"{change[0].upper()}{change[1:]} goes with *{_signed(effect.change, digits)}* satisfaction points "
        f"({interval}), from {plural(n, 'partner')}."
    )


def _scope(found: SatisfactionInsights) -> str:
    where = f" in tier “{escaped_shortened(found.tier, 80)}”" if found.tier else ""
    return f"{where} in {period_words(found.period_days)}"


def not_enough_words(found: SatisfactionInsights, model: SatisfactionModel) -> str:
    hint = (
        "Ask for feedback with `/partner survey &lt;partner&gt;`, or look further back: "
        "`/partner insights last year`."
        if found.period_days < 365
        else "Ask for feedback with `/partner survey &lt;partner&gt;`."
    )
    return (
        f"Not enough data yet: {plural(model.with_feedback, 'partner')} with feedback{_scope(found)}, "
        f"{MIN_PARTNERS} needed. {hint}"
    )


def _small_print(model: SatisfactionModel) -> list[str]:
    notes = []
    if model.unclear_effects and model.clear_effects:
        notes.append("No clear link for: " + listed([e.predictor.label for e in model.unclear_effects]) + ".")
    if model.left_out:
        notes.append(
            "Left out: "
            + "; ".join(f"{left.predictor.label} — {left.reason}" for left in model.left_out)
            + "."
        )
    if model.dropped_rows and model.outcome is Outcome.FITTED:
        # A partner may miss more than one input: the total is what the fit lacks, the reasons each count.
        why = listed([f"{count} {words}" for words, count in model.dropped_rows.items()])
        notes.append(
            f"{plural(model.with_feedback - model.n, 'partner')} with feedback not in the fit ({why})."
        )
    notes.extend(f"Caution: {caution}." for caution in model.cautions)
    return notes


def insights_reply(found: SatisfactionInsights) -> Reply:
    model = found.model
    assert model is not None, "an unknown tier is answered before the view"
    title = f"{TITLE} · tier {found.tier}" if found.tier else TITLE
    if model.outcome is Outcome.NOT_ENOUGH:
        said = not_enough_words(found, model)
        return Reply(said, [header(title), section(said)])
    if model.outcome is Outcome.CANNOT_FIT:
        said = f"I can't fit the model{_scope(found)}: {model.problem}."
        notes = _small_print(model)  # a context block needs at least one element
        return Reply(said, [header(title), section(said), *([context_block(*notes)] if notes else [])])
    fitted = listed([e.predictor.label for e in model.effects])
    r2, adjusted = model.r_squared or 0.0, model.adjusted_r_squared or 0.0
    summary = (
        f"From *{plural(model.n, 'partner')}* with feedback{_scope(found)}: satisfaction set against "
        f"{fitted}. Together these account for *R² = {r2:.2f}* (adjusted {adjusted:.2f}) of the "
        "differences in satisfaction between partners."
    )
    clear = model.clear_effects
    blocks: list[SlackBlock] = [header(title), section(summary)]
    if clear:
        lines = [f"• {effect_words(effect, model.n)}" for effect in clear]
        blocks += [section("*Clear links* (the 95% interval excludes zero):"), *sections(lines)]
        text = f"{TITLE}: {plural(len(clear), 'clear link')}, from {plural(model.n, 'partner')}"
    else:
        blocks.append(
            section(
                "*No clear link found*: for none of these inputs does the 95% interval exclude zero, so "
                "this data can't tell whether any of them goes with higher or lower satisfaction."
            )
        )
        text = f"{TITLE}: no clear link found, from {plural(model.n, 'partner')}"
    blocks.append(context_block(*_small_print(model), CAVEAT))
    return Reply(text, blocks)

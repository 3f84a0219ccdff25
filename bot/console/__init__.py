"""``partnerbot console``: the whole app in a terminal, with no Slack and no network.

The way Errbot's text mode and Hubot's shell adapter let people try a bot: the same Bolt app
(``bot.app.build_app``: the same listeners, storage and scoring, the embedded SQLite database by
default, DATABASE_URL honoured) receives what Slack would send, signed with a signing secret made
up for the session, so request verification stays on; what it sends back to "Slack" is answered
in-process by the Slack stand-in (``bot.console.slack``, on ``bot.standin``) and printed as
readable text (``bot.console.screen``, ``bot.console.render``).

- ``/partner …`` is the slash command; any other text is a message to the bot (an app_mention);
- replies are printed as text, buttons numbered ``[1] Edit  [2] Undo``; type the number (or
  ``:press 1``) to press one;
- a modal the app opens is filled in field by field (``bot.console.forms``, ``bot.console.modals``),
  submitted, and its errors shown and asked again;
- ``:home`` opens the App Home tab, ``:as U123`` acts as someone else, ``:help``, ``:quit``.

After each line the console waits until the app is quiet (no listener running, nothing sent for
100 ms) before printing, so a script piped in always gives the same output.

This file imports nothing: ``partnerbot --help`` reads ``bot.console.args`` without loading the
app (Bolt, pandas, the handlers); ``bot.console.app`` starts it.
"""

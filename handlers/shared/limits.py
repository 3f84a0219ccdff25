"""Slack's limits, declared once (https://api.slack.com/reference/block-kit): every builder that
could reach one shortens, splits or caps against these."""

from __future__ import annotations

TEXT_LIMIT = 3000  # characters in one text object (a section's text, a context element)
SECTION_FIELD_LIMIT = 2000  # characters in one of a section's fields
MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in a modal or a Home tab
MODAL_TITLE_LIMIT = 24  # characters in a modal's title, submit and close labels
HEADER_LIMIT = 150  # characters in a header block
OPTION_TEXT_LIMIT = 75  # characters in an option's text
BUTTON_TEXT_LIMIT = 75  # characters on a button
OPTIONS_LIMIT = 100  # options an external select may be answered with
PLAIN_TEXT_INPUT_LIMIT = 3000  # characters a plain_text_input may take
METADATA_LIMIT = 3000  # characters of a view's private_metadata
BUTTON_VALUE_LIMIT = 2000  # characters in a button's value
CONTEXT_ELEMENTS = 10  # elements in a context block
SECTION_FIELDS = 10  # fields in a section
FORM_ERROR_LIMIT = 150  # characters of a field error under a modal input (longer ones are cut by Slack)
ACK_SECONDS = 3.0  # Slack waits this long for an acknowledgement
TRIGGER_SECONDS = 3.0  # a trigger_id opens a modal for this long

"""Every callback, action and block ID the app uses, in one place."""

from __future__ import annotations

import enum

SLASH_COMMAND = "/partner"


class Callback(enum.StrEnum):
    LOG_MODAL = "log_interaction"
    EDIT_PARTNER_MODAL = "edit_partner"
    LOG_SHORTCUT = "log_to_partner"  # message shortcut, declared in manifest.yml
    APOLOGY_MODAL = "apology"


class Action(enum.StrEnum):
    PARTNER_SELECT = "partner_select"
    KIND_SELECT = "kind_select"
    DATE_PICK = "date_pick"
    NOTES_INPUT = "notes_input"
    FOLLOW_UP_PICK = "follow_up_pick"
    EDIT_LOGGED = "edit_logged"
    UNDO_LOGGED = "undo_logged"
    NAME_INPUT = "name_input"
    TIER_INPUT = "tier_input"
    REGION_INPUT = "region_input"
    CATEGORY_INPUT = "category_input"
    OWNER_SELECT = "owner_select"
    REVENUE_INPUT = "revenue_input"
    COST_INPUT = "cost_input"
    STATUS_SELECT = "status_select"


class Block(enum.StrEnum):
    PARTNER = "partner"
    KIND = "kind"
    DATE = "date"
    NOTES = "notes"
    FOLLOW_UP = "follow_up"
    NAME = "name"
    TIER = "tier"
    REGION = "region"
    CATEGORY = "category"
    OWNER = "owner"
    REVENUE = "revenue"
    COST = "cost"
    STATUS = "status"


class FeedbackIds(enum.StrEnum):
    """IDs of the feedback modal and survey invitations (kept apart from the log's)."""

    MODAL = "partner_feedback"
    GIVE_BUTTON = "give_feedback"
    CSAT_BLOCK = "csat"
    CSAT_INPUT = "csat_input"
    NPS_BLOCK = "nps"
    NPS_INPUT = "nps_input"
    COMMENT_BLOCK = "comment"
    COMMENT_INPUT = "comment_input"
    ANONYMOUS_BLOCK = "anonymous"
    ANONYMOUS_INPUT = "anonymous_input"


class HomeIds(enum.StrEnum):
    """IDs of the Home tab and the modals it opens (kept apart from every other surface's)."""

    VIEW = "partnerbot_home"
    ACTIONS_BLOCK = "home_actions"
    LOG_BUTTON = "home_log"
    ADD_BUTTON = "home_add_partner"
    FEEDBACK_BUTTON = "home_give_feedback"
    ADD_MODAL = "home_add_partner_modal"
    FEEDBACK_PICK_MODAL = "home_feedback_partner"


class ProjectIds(enum.StrEnum):
    """IDs of the project forms and the buttons on a project's confirmation."""

    NEW_MODAL = "project_new"
    UPDATE_MODAL = "project_update"
    UPDATE_BUTTON = "project_update_open"
    WON_BUTTON = "project_close_won"
    LOST_BUTTON = "project_close_lost"
    NAME_BLOCK = "project_name"
    NAME_INPUT = "project_name_input"
    GOAL_BLOCK = "goal"
    GOAL_INPUT = "goal_input"
    PLAN_BLOCK = "plan"
    PLAN_INPUT = "plan_input"
    START_BLOCK = "started_on"
    START_INPUT = "started_on_pick"
    DUE_BLOCK = "due_on"
    DUE_INPUT = "due_on_pick"
    VALUE_BLOCK = "value"
    VALUE_INPUT = "value_input"
    STATUS_BLOCK = "project_status"
    STATUS_INPUT = "project_status_select"
    PROGRESS_BLOCK = "progress"
    PROGRESS_INPUT = "progress_input"
    RESULT_BLOCK = "result"
    RESULT_INPUT = "result_input"
    # The log form's optional project number.
    LOG_PROJECT_BLOCK = "project"
    LOG_PROJECT_INPUT = "project_input"


class FollowUpIds(enum.StrEnum):
    """IDs of the buttons on follow-ups: on a reminder, in the Home tab, after a log, in lists.
    Done and the snoozes belong to the follow-ups feature; "Log communication" opens the log form,
    so the log feature owns it."""

    DONE_BUTTON = "followup_done"
    SNOOZE_DAY_BUTTON = "followup_snooze_day"
    SNOOZE_WEEK_BUTTON = "followup_snooze_week"
    LOG_BUTTON = "followup_log"


class NeedIds(enum.StrEnum):
    """IDs of the new-need form and the buttons on a need's confirmation."""

    NEW_MODAL = "need_new"
    MET_BUTTON = "need_met"
    DECLINED_BUTTON = "need_declined"
    TYPE_BLOCK = "need_type"
    TYPE_INPUT = "need_type_select"
    PRIORITY_BLOCK = "need_priority"
    PRIORITY_INPUT = "need_priority_select"
    DIFFICULTY_BLOCK = "need_difficulty"
    DIFFICULTY_INPUT = "need_difficulty_select"
    DESCRIPTION_BLOCK = "need_description"
    DESCRIPTION_INPUT = "need_description_input"


class AlertIds(enum.StrEnum):
    """IDs of the buttons on a drop alert. "Log communication" opens the log form, so the log
    feature owns it; "Send survey" makes a survey, so the feedback feature does."""

    LOG_BUTTON = "alert_log"
    SURVEY_BUTTON = "alert_survey"


class HistoryIds(enum.StrEnum):
    """The "Older" button under a page of ``/partner history`` (its value: partner id and page)."""

    OLDER_BUTTON = "history_older"


class WorkflowStep(enum.StrEnum):
    """The callback IDs of Partnerbot's Workflow Builder steps, declared under ``functions`` in
    manifest.yml (Slack keys a workflow's step on it: renaming one breaks the workflows using it)."""

    LOG_COMMUNICATION = "log_partner_communication"
    SEND_SURVEY = "send_partner_survey"
    PARTNER_SCORE = "get_partner_score"

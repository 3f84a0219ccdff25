"""Which project a resources file's ``project`` cell names: its id in this workspace (``12``, or
``#12`` as Slack shows it), or, for files written by hand, its name among the row's partner's projects.

Loaded once per import (row converters never query the database). Ids belong to one workspace, so
an id from another is refused like an unknown one and never taken for this workspace's project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.csv.errors import CellError, did_you_mean
from storage.models import Project
from storage.names import name_key

# A cell of digits is an id; anything else is a name (so a project called "2025" is named by its id).
_ID = re.compile(r"#?(\d+)")


@dataclass(frozen=True)
class ProjectRefs:
    """One workspace's projects, as a resources file may name them."""

    partner_of: dict[int, int] = field(default_factory=dict)  # project id → its partner's id
    named: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (partner id, name_key) → ids
    names: dict[int, list[str]] = field(default_factory=dict)  # partner id → its projects' names

    @classmethod
    def load(cls, session: Session, team_id: str) -> ProjectRefs:
        """The projects of workspace ``team_id``."""
        refs = cls()
        rows = session.execute(
            select(Project.id, Project.partner_id, Project.name)
            .where(Project.team_id == team_id)
            .order_by(Project.id)
        )
        for project_id, partner_id, name in rows:
            refs.partner_of[project_id] = partner_id
            refs.named.setdefault((partner_id, name_key(name)), []).append(project_id)
            refs.names.setdefault(partner_id, []).append(name)
        return refs

    def project_id(self, raw: str, *, partner_id: int, partner: str) -> int | None:
        """The project ``raw`` names, which must be partner ``partner_id``'s (``partner`` as typed, for
        messages); None for an empty cell."""
        cell = raw.strip()
        if not cell:
            return None
        number = _ID.fullmatch(cell)
        if number is None:
            return self._by_name(cell, partner_id, partner)
        project_id = int(number.group(1))
        owner = self.partner_of.get(project_id)
        if owner is None:
            raise CellError(
                f"no project #{project_id} in this workspace (ids differ between workspaces: a file from "
                "another workspace must give project names)"
            )
        if owner != partner_id:
            raise CellError(f"project #{project_id} is not a project of {partner!r}")
        return project_id

    def _by_name(self, name: str, partner_id: int, partner: str) -> int:
        found = self.named.get((partner_id, name_key(name)), [])
        if not found:
            hint = did_you_mean(name, self.names.get(partner_id, []))
            raise CellError(f"{partner!r} has no project named {name!r}{hint}")
        if len(found) > 1:
            ids = ", ".join(f"#{project_id}" for project_id in found)
            raise CellError(f"{partner!r} has {len(found)} projects named {name!r}; give the id: {ids}")
        return found[0]

"""``doctor``'s answer in words: each compute's findings (:mod:`..model.doctor`) as text for terminals and
as escaped HTML for notebooks, and the panel's short mark of what needs attention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..model.doctor import INFO, PROBLEM, RECREATE_FOR_IMAGE, Diagnosis, Finding, diagnose
from ..model.kinds import CLUSTER
from ..model.resource import Compute, jobs_on_nodes
from .markup import Markup, html
from .terminal import one_line

_SIGN = {PROBLEM: "✖", INFO: "·"}  # a warning's sign is "!"
ALL_WELL = "nothing needs attention"


def _sign(finding: Finding) -> str:
    return _SIGN.get(finding.level, "!")


def diagnosis_text(diagnosis: Diagnosis) -> str:
    """One compute's findings, one per line, under its name, kind and state."""
    head = f"{diagnosis.name} ({diagnosis.kind}, {diagnosis.state})"
    if not diagnosis.findings:
        return f"{head}: {ALL_WELL}."
    return "\n".join([one_line(head), *(f"  {_sign(f)} {one_line(f.sentence)}" for f in diagnosis.findings)])


def doctor_text(diagnoses: Sequence[Diagnosis], *, workspace: bool) -> str:
    """One compute's findings; or, for the workspace, those of each compute that needs attention and a count."""
    if not workspace:
        return "\n".join(diagnosis_text(d) for d in diagnoses)
    needing = [d for d in diagnoses if d.attention]
    checked = f"{len(diagnoses)} compute{'' if len(diagnoses) == 1 else 's'} checked"
    needs = f"{len(needing)} need{'s' if len(needing) == 1 else ''} attention" if needing else ALL_WELL
    summary = f"{checked}; {needs}."
    return "\n\n".join([*(diagnosis_text(d) for d in needing), summary])


def diagnosis_html(diagnosis: Diagnosis) -> Markup:
    items = Markup("").join(
        html("<li class='jupyter-compute-finding-{}'>{} {}</li>", f.level, _sign(f), f.sentence)
        for f in diagnosis.findings
    ) or html("<li>{}</li>", ALL_WELL)
    return html(
        "<div class='jupyter-compute-doctor'><strong>{}</strong> ({}, {})<ul>{}</ul></div>",
        diagnosis.name,
        diagnosis.kind,
        diagnosis.state,
        items,
    )


def attention_mark(diagnosis: Diagnosis, leave_out: Sequence[str] = ()) -> dict[str, str] | None:
    """The panel row's mark of what needs attention (None when nothing does): a short label, and every
    sentence for its title and the details; the findings of the rules ``leave_out`` are not counted."""
    needing = [f for f in diagnosis.attention if f.rule not in leave_out]
    if not needing:
        return None
    problem = any(f.level == PROBLEM for f in needing)
    return {
        "kind": "problem" if problem else "warning",
        "text": f"⚠ {len(needing)}",
        "title": " ".join(f.sentence for f in needing),
    }


def image_line(compute: Compute) -> str:
    """An instance's OS image in words ("" when the service gives none): its version, the latest, and whether
    it is the latest; for an outdated one, how to get the new image."""
    image = compute.os_image
    if image is None:
        return ""
    current = image.get("currentImageVersion") or "unknown"
    latest = image.get("latestImageVersion") or "unknown"
    if compute.outdated_image:
        return f"OS image {current}, not the latest ({latest}). {RECREATE_FOR_IMAGE.format(name=compute.name)}"
    if image.get("isLatestOsImageVersion") is True:
        return f"OS image {current}, the latest."
    return f"OS image {current} (latest: {latest})."


def sso_line(compute: Compute) -> str:
    """An instance's single sign-on as the service reports it, and how to turn it the other way ("" when the
    service does not say, and for other kinds)."""
    enabled = compute.sso_enabled
    if enabled is None:
        return ""
    now, other, flag = ("on", "off", "--disable-sso") if enabled else ("off", "on", "--enable-sso")
    return f"Single sign-on: {now} (`update {compute.name} {flag}` turns it {other})."


def image_mark(compute: Compute) -> dict[str, str] | None:
    """The panel row's mark of an outdated OS image (None when it is the latest or not said)."""
    if not compute.outdated_image:
        return None
    return {"kind": "image", "text": "old OS", "title": image_line(compute)}


def busy_line(compute: Compute, nodes: Sequence[Mapping[str, Any]] | None = None) -> str:
    """How many of a cluster's nodes run jobs, and which jobs when its ``nodes`` were listed ("" for other
    kinds): "2 of 3 nodes busy: run-7 on 2 nodes"; without nodes, the count the cluster itself reports."""
    if compute.compute_type != CLUSTER.compute_type:
        return ""
    if nodes is None:
        counts = compute.node_counts
        return f"{counts.busy} of {counts.current} nodes busy" + (
            f" (`nodes {compute.name}` lists their jobs)" if counts.busy else ""
        )
    jobs = jobs_on_nodes(nodes)
    busy = sum(len(ids) for ids in jobs.values())
    said = ", ".join(f"{run} on {len(ids)} node{'' if len(ids) == 1 else 's'}" for run, ids in jobs.items())
    return f"{busy} of {len(nodes)} nodes busy" + (f": {said}" if said else "")


def fact_lines(compute: Compute, nodes: Sequence[Mapping[str, Any]] | None = None) -> list[str]:
    """The facts ``show`` and the panel's details say under a compute: its OS image, its single sign-on, its
    busy nodes (each only where the service says it)."""
    return [line for line in (image_line(compute), sso_line(compute), busy_line(compute, nodes)) if line]


def details_html(compute: Compute, now: datetime, nodes: Sequence[Mapping[str, Any]] | None = None) -> Markup:
    """What the panel's details say above the body: doctor's findings, then :func:`fact_lines`."""
    facts = Markup("").join(
        html("<div class='jupyter-compute-fact'>{}</div>", line) for line in fact_lines(compute, nodes)
    )
    return diagnosis_html(diagnose(compute, now, nodes=nodes)) + facts


class DoctorReport(list[Diagnosis]):
    """What ``doctor`` found, as the magic returns it: text in terminals, HTML in notebooks."""

    def __init__(self, diagnoses: Sequence[Diagnosis], *, workspace: bool) -> None:
        super().__init__(diagnoses)
        self.workspace = workspace

    def to_dict(self) -> list[dict[str, Any]]:
        return [d.to_dict() for d in self]

    def __repr__(self) -> str:
        return doctor_text(self, workspace=self.workspace)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        shown = [d for d in self if d.attention] if self.workspace else list(self)
        body = Markup("").join(diagnosis_html(d) for d in shown)
        checked = html("<p class='jupyter-compute-note'>{}</p>", doctor_text(self, workspace=True).rsplit("\n", 1)[-1])
        return str(body + (checked if self.workspace else Markup("")))

"""Changes to a region and its progress rounds, only through these functions.

Each one, inside ``transaction.atomic()``: locks the region (or round) row, checks who may
act (``regions.querysets``), checks the version the form was read at (a save against
another version is refused: no silent overwrite), saves, bumps the version, writes one
audit entry (``RegionAuditEntry``) and, once committed, mails whoever acts next.

    報告受付中 ──collect──▶ 取りまとめ済 ──meeting_done──▶ 懇談会済 ──publish──▶ 公表
        ▲                       │                        │                    │
        └─────────────reopen────┴────────────────────────┴────────────────────┘
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from municipalities.choices import Role
from regions.choices import RoundState
from regions.models import (
    MemberReport,
    ProgressRound,
    Region,
    RegionAuditEntry,
    RegionKPIValue,
)
from regions.querysets import profile_of

CONFLICT = _("他の人が先に更新しました。最新の内容を読み込み直してから、もう一度入力してください。")


class RegionError(ServiceError):
    """A change the region's or round's state, the version or the input does not allow."""


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "all"):
        return sorted(str(v) for v in value.all())
    if isinstance(value, (list, tuple, set)):
        return sorted(str(v) for v in value)
    return str(value)


def audit(user, region, action: str, obj, *, changes=None, comment: str = ""):
    profile = profile_of(user)
    return RegionAuditEntry.objects.create(
        region=region,
        actor=user if getattr(user, "is_authenticated", False) else None,
        municipality=profile.municipality if profile else None,
        action=action,
        object_repr=str(obj)[:300],
        changes=changes or {},
        comment=comment,
    )


def _check_version(current: int, given) -> None:
    try:
        given = int(given)
    except (TypeError, ValueError):
        given = None
    if given != current:
        raise RegionError(CONFLICT)


def _lock_region(region, user, version) -> Region:
    locked = Region.objects.select_for_update().get(pk=region.pk)
    if not Region.objects.managed_by(user).filter(pk=region.pk).exists():
        raise PermissionDenied
    _check_version(locked.version, version)
    return locked


def _bump(region: Region) -> None:
    Region.objects.filter(pk=region.pk).update(version=region.version + 1)
    region.version += 1


# ----------------------------------------------------------------- region editing


def save_form(user, region, form, version, action: str, *, before: dict | None = None):
    """Save a bound, valid ModelForm of something in ``region`` (a member, the vision, an
    initiative, a KPI …) as its central city's 企画課: version check, audit, version bump.
    ``before`` is {field: old value} for the audit's changes."""
    with transaction.atomic():
        locked = _lock_region(region, user, version)
        changes = {
            name: [_jsonable((before or {}).get(name)), _jsonable(form.cleaned_data.get(name))]
            for name in form.changed_data
        }
        try:
            with transaction.atomic():
                obj = form.save()
        except IntegrityError as exc:
            raise RegionError(_("同じ内容が既に登録されています。")) from exc
        _bump(locked)
        audit(user, locked, action, obj, changes=changes)
    region.version = locked.version
    return obj


# ------------------------------------------------------------------------- rounds


def open_round(user, region, fiscal_year: int, version) -> ProgressRound:
    """The central city opens the round of a year; mails every member's 企画課."""
    with transaction.atomic():
        locked = _lock_region(region, user, version)
        if ProgressRound.objects.filter(region=locked, fiscal_year=fiscal_year).exists():
            raise RegionError(_("この年度の進捗確認は既にあります。"), field="fiscal_year")
        round_ = ProgressRound.objects.create(
            region=locked, fiscal_year=fiscal_year, opened_by=user
        )
        _bump(locked)
        audit(user, locked, "round.open", round_)
        _mail_on_commit(
            round_,
            user,
            _("進捗確認の開始"),
            _("参加している具体的取組の実績（実施内容・事業費）を報告してください。"),
            _planning_users(round_),
        )
    return round_


@dataclass(frozen=True)
class Step:
    label: str
    sources: tuple
    target: str
    next_step: str


STEPS = {
    "collect": Step(
        "取りまとめ",
        (RoundState.OPEN,),
        RoundState.COLLECTED,
        "懇談会・連絡会議の準備をしてください。",
    ),
    "meeting_done": Step(
        "懇談会済",
        (RoundState.COLLECTED,),
        RoundState.MEETING_DONE,
        "懇談会・連絡会議の意見を確認してください。",
    ),
    "publish": Step(
        "公表", (RoundState.MEETING_DONE,), RoundState.PUBLISHED, "公表ページを確認してください。"
    ),
    "reopen": Step(
        "報告の再受付",
        (RoundState.COLLECTED, RoundState.MEETING_DONE, RoundState.PUBLISHED),
        RoundState.OPEN,
        "報告を確認・修正してください。",
    ),
}


def _lock_round(round_, user, version, allowed) -> ProgressRound:
    locked = ProgressRound.objects.select_for_update().select_related("region").get(pk=round_.pk)
    if not allowed.filter(pk=round_.pk).exists():
        raise PermissionDenied
    _check_version(locked.version, version)
    return locked


def _bump_round(locked: ProgressRound, fields=()):
    locked.version += 1
    locked.save(update_fields=["version", *fields])


def advance(user, round_, action: str, version) -> ProgressRound:
    """Move the round one step (``STEPS``), as the central city's 企画課."""
    step = STEPS[action]
    with transaction.atomic():
        locked = _lock_round(round_, user, version, ProgressRound.objects.managed_by(user))
        if locked.state not in step.sources:
            raise RegionError(
                _("「%(state)s」の進捗確認は「%(step)s」にできません。")
                % {"state": locked.get_state_display(), "step": step.label}
            )
        if action == "meeting_done" and not locked.meeting_comment.strip():
            raise RegionError(
                _("懇談会・連絡会議の意見を入力してから「懇談会済」にしてください。"),
                field="meeting_comment",
            )
        from_state = locked.state
        locked.state = step.target
        locked.published_at = timezone.now() if step.target == RoundState.PUBLISHED else None
        _bump_round(locked, ["state", "published_at"])
        audit(
            user,
            locked.region,
            f"round.{action}",
            locked,
            changes={"state": [from_state, locked.state]},
        )
        _mail_on_commit(locked, user, step.label, step.next_step, _planning_users(locked))
    return locked


def save_reports(user, round_, municipality, rows: list[dict], version) -> ProgressRound:
    """A member's 企画課 saves its reports (one dict per initiative: initiative, text,
    actual_cost, share) while the round is open."""
    with transaction.atomic():
        locked = _lock_round(round_, user, version, ProgressRound.objects.reported_by(user))
        if locked.state != RoundState.OPEN:
            raise RegionError(_("報告を受け付けているのは「報告受付中」の進捗確認だけです。"))
        changes = {}
        for row in rows:
            initiative = row["initiative"]
            report, created = MemberReport.objects.get_or_create(
                round=locked, initiative=initiative, municipality=municipality
            )
            for name in ("text", "actual_cost", "share"):
                old = getattr(report, name)
                if old != row[name] and not (created and row[name] in ("", None)):
                    changes[f"{initiative.code}.{name}"] = [_jsonable(old), _jsonable(row[name])]
                setattr(report, name, row[name])
            report.reported_by = user
            report.is_demo = False
            report.save()
        _bump_round(locked)
        audit(user, locked.region, "round.report", f"{locked} / {municipality}", changes=changes)
    return locked


def save_kpi_actuals(user, round_, values: dict, version) -> ProgressRound:
    """KPI actuals of the round's year: {kpi: value or None}. The central city enters every
    KPI; a member only the KPIs it reports (``RegionKPI.reporter``)."""
    profile = profile_of(user)
    with transaction.atomic():
        locked = _lock_round(
            round_,
            user,
            version,
            ProgressRound.objects.filter(
                Q(pk__in=ProgressRound.objects.reported_by(user).values("pk"))
                | Q(pk__in=ProgressRound.objects.managed_by(user).values("pk"))
            ),
        )
        if locked.state == RoundState.PUBLISHED:
            raise RegionError(
                _("公表済の進捗確認は変更できません。「報告の再受付」をしてください。")
            )
        manages = ProgressRound.objects.managed_by(user).filter(pk=locked.pk).exists()
        changes = {}
        for kpi, value in values.items():
            if kpi.region_id != locked.region_id:
                raise PermissionDenied
            if not manages and (profile is None or kpi.reporter_id != profile.municipality_id):
                raise PermissionDenied
            current = RegionKPIValue.objects.filter(kpi=kpi, fiscal_year=locked.fiscal_year).first()
            old = current.value if current else None
            if old == value:
                continue
            changes[kpi.name] = [_jsonable(old), _jsonable(value)]
            if value is None:
                current.delete()
            elif current:
                current.value, current.round, current.is_demo = value, locked, False
                current.save()
            else:
                RegionKPIValue.objects.create(
                    kpi=kpi, fiscal_year=locked.fiscal_year, value=value, round=locked
                )
        _bump_round(locked)
        audit(user, locked.region, "round.kpi", locked, changes=changes)
    return locked


def save_meeting(user, round_, meeting_date, comment: str, version) -> ProgressRound:
    with transaction.atomic():
        locked = _lock_round(round_, user, version, ProgressRound.objects.managed_by(user))
        if locked.state == RoundState.PUBLISHED:
            raise RegionError(
                _("公表済の進捗確認は変更できません。「報告の再受付」をしてください。")
            )
        changes = {}
        if locked.meeting_comment != comment:
            changes["meeting_comment"] = [locked.meeting_comment, comment]
        if locked.meeting_date != meeting_date:
            changes["meeting_date"] = [_jsonable(locked.meeting_date), _jsonable(meeting_date)]
        locked.meeting_comment, locked.meeting_date = comment, meeting_date
        _bump_round(locked, ["meeting_comment", "meeting_date"])
        audit(user, locked.region, "round.meeting", locked, changes=changes)
    return locked


def remind(user, round_, municipalities) -> int:
    """Mail the 企画課 of the members that have not reported yet; returns the mails sent."""
    if not ProgressRound.objects.managed_by(user).filter(pk=round_.pk).exists():
        raise PermissionDenied
    if round_.state != RoundState.OPEN:
        raise RegionError(_("督促できるのは「報告受付中」の進捗確認だけです。"))
    recipients = _planning_users(round_, [m.pk for m in municipalities])
    addresses = list(recipients.exclude(pk=user.pk).values_list("email", flat=True))
    with transaction.atomic():
        audit(
            user,
            round_.region,
            "round.remind",
            round_,
            comment="、".join(m.name for m in municipalities),
        )
    _send(round_, user, _("報告の督促"), _("期限までに実績を報告してください。"), addresses)
    return len(addresses)


# -------------------------------------------------------------------------- mail


def _planning_users(round_, municipality_ids=None):
    ids = municipality_ids
    if ids is None:
        ids = list(round_.region.memberships.values_list("municipality_id", flat=True))
    return (
        get_user_model()
        .objects.filter(
            is_active=True, profile__role=Role.PLANNING, profile__municipality_id__in=ids
        )
        .exclude(email="")
        .order_by("username")
    )


def _mail_on_commit(round_, actor, label, next_step, recipients):
    addresses = list(recipients.exclude(pk=actor.pk).values_list("email", flat=True))
    if addresses:
        transaction.on_commit(
            partial(_send, round_, actor, label, next_step, addresses), robust=True
        )


def _send(round_, actor, label, next_step, addresses):
    if not addresses:
        return
    context = {
        "round": round_,
        "label": label,
        "state": round_.get_state_display(),
        "actor": f"{actor.last_name}{actor.first_name}" or actor.get_username(),
        "next_step": next_step,
        "url": getattr(settings, "SITE_URL", "").rstrip("/")
        + reverse("regions:round", args=[round_.region_id, round_.pk]),
    }
    subject = _("［広域連携］%(round)s：%(label)s") % {"round": round_, "label": label}
    body = render_to_string("regions/mail.txt", context)
    get_connection().send_messages([EmailMessage(subject, body, to=[a]) for a in addresses])

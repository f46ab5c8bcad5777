"""The logged-in region pages: the region as its members see it, the central city's
editing, the yearly progress round and a member's report (docs/regions.md).

Who may do what is decided by ``regions.querysets``: a region the user's municipality is
not a member of is a 404; an action the role may not take is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.permissions import require
from regions import forms as region_forms
from regions import services
from regions.choices import RoundState
from regions.models import (
    Initiative,
    Membership,
    PolicyArea,
    ProgressRound,
    Region,
    RegionKPI,
    RegionKPIValue,
    Vision,
    VisionRevision,
)
from regions.progress import STATUS_RULE, kpi_progress_of
from regions.querysets import get_or_404, profile_of, reporting_municipality
from regions.summary import initiatives_of, round_context

AUDIT_LABELS = {
    "member.add": "構成市町村の追加",
    "member.edit": "構成市町村の変更",
    "vision.add": "ビジョンの登録",
    "vision.edit": "ビジョンの変更",
    "revision.add": "策定・改訂の登録",
    "revision.edit": "策定・改訂の変更",
    "area.add": "政策分野の追加",
    "area.edit": "政策分野の変更",
    "initiative.add": "具体的取組の追加",
    "initiative.edit": "具体的取組の変更",
    "kpi.add": "KPIの追加",
    "kpi.edit": "KPIの変更",
    "round.open": "進捗確認の開始",
    "round.collect": "取りまとめ",
    "round.meeting_done": "懇談会済",
    "round.publish": "公表",
    "round.reopen": "報告の再受付",
    "round.report": "実績の報告",
    "round.kpi": "KPI実績の入力",
    "round.meeting": "懇談会・連絡会議の意見の入力",
    "round.remind": "督促メール",
}


def _members():
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("municipality").order_by(
            "sort_order", "municipality__code"
        ),
    )


def region_or_404(user, pk) -> Region:
    return get_or_404(Region.objects.visible_to(user).prefetch_related(_members()), pk=pk)


def round_or_404(user, region, round_pk) -> ProgressRound:
    return get_or_404(
        ProgressRound.objects.visible_to(user).select_related("region"),
        pk=round_pk,
        region=region,
    )


def _can_manage(user, region) -> bool:
    return Region.objects.managed_by(user).filter(pk=region.pk).exists()


@login_required
def region_index(request):
    regions = Region.objects.visible_to(request.user).prefetch_related(_members())
    managed = set(Region.objects.managed_by(request.user).values_list("pk", flat=True))
    return render(request, "regions/index.html", {"regions": regions, "managed": managed})


@login_required
def region_detail(request, pk):
    region = region_or_404(request.user, pk)
    visions = list(
        region.visions.prefetch_related(
            "revisions",
            Prefetch(
                "policy_areas",
                queryset=PolicyArea.objects.prefetch_related(
                    Prefetch(
                        "initiatives",
                        queryset=Initiative.objects.prefetch_related("costs", "participants"),
                    )
                ),
            ),
        )
    )
    kpis = [
        kpi_progress_of(k)
        for k in region.kpis.select_related("policy_area", "reporter").prefetch_related("values")
    ]
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "members": list(region.memberships.all()),
            "visions": visions,
            "kpis": kpis,
            "rounds": region.rounds.all(),
            "can_manage": _can_manage(request.user, region),
            "open_form": region_forms.RoundOpenForm(),
            "status_rule": STATUS_RULE,
            "history": region.audit_entries.select_related("actor", "municipality")[:15],
            "audit_labels": AUDIT_LABELS,
        },
    )


# ------------------------------------------------------------------------ editing


def _edit_spec(region, kind, obj_pk, data):
    """(form, instance or None, template title, audit action) of one kind of object."""
    first_vision = region.visions.order_by("-period_start").first()
    if kind == "member":
        if obj_pk is None:
            return region_forms.MemberAddForm(data, region=region), None, "構成市町村の追加"
        member = get_or_404(region.memberships.select_related("municipality"), pk=obj_pk)
        return (
            region_forms.MembershipForm(data, instance=member),
            member,
            f"{member.municipality.name}",
        )
    if kind == "vision":
        vision = get_or_404(region.visions, pk=obj_pk) if obj_pk else Vision(region=region)
        return (
            region_forms.VisionForm(data, instance=vision),
            vision if obj_pk else None,
            "ビジョン",
        )
    if first_vision is None:
        raise Http404
    if kind == "revision":
        revision = (
            get_or_404(VisionRevision.objects.filter(vision__region=region), pk=obj_pk)
            if obj_pk
            else VisionRevision(vision=first_vision)
        )
        return (
            region_forms.RevisionForm(data, instance=revision),
            revision if obj_pk else None,
            "策定・改訂",
        )
    if kind == "area":
        area = (
            get_or_404(PolicyArea.objects.filter(vision__region=region), pk=obj_pk)
            if obj_pk
            else PolicyArea(vision=first_vision)
        )
        return (
            region_forms.PolicyAreaForm(data, instance=area),
            area if obj_pk else None,
            "政策分野",
        )
    if kind == "initiative":
        initiative = (
            get_or_404(
                Initiative.objects.filter(policy_area__vision__region=region).select_related(
                    "policy_area__vision"
                ),
                pk=obj_pk,
            )
            if obj_pk
            else Initiative()
        )
        vision = initiative.policy_area.vision if obj_pk else first_vision
        form = region_forms.InitiativeForm(data, instance=initiative, region=region, vision=vision)
        return form, initiative if obj_pk else None, "具体的取組"
    if kind == "kpi":
        kpi = get_or_404(region.kpis, pk=obj_pk) if obj_pk else RegionKPI(region=region)
        return (
            region_forms.KPIForm(data, instance=kpi, region=region),
            kpi if obj_pk else None,
            "KPI",
        )
    raise Http404


EDIT_KINDS = ("member", "vision", "revision", "area", "initiative", "kpi")


@require_http_methods(["GET", "POST"])
@login_required
def region_edit(request, pk, kind, obj=None):
    """Add (``obj`` None) or change one thing of the region, as its central city."""
    region = region_or_404(request.user, pk)
    if kind not in EDIT_KINDS:
        raise Http404
    require(Region.objects.managed_by(request.user), region)
    data = request.POST if request.method == "POST" else None
    form, instance, title = _edit_spec(region, kind, obj, data)
    version_form = region_forms.VersionForm(data, initial={"version": region.version})
    error = None
    if request.method == "POST" and form.is_valid():
        before = {}
        if instance is not None:
            for name in form.changed_data:
                before[name] = form.initial.get(name)
        action = f"{kind}.{'edit' if instance is not None else 'add'}"
        try:
            services.save_form(
                request.user, region, form, request.POST.get("version"), action, before=before
            )
        except services.RegionError as exc:
            error = exc.message
        else:
            messages.success(request, f"{title}を保存しました。")
            return redirect("regions:detail", pk=region.pk)
    status = 409 if error == services.CONFLICT else (400 if request.method == "POST" else 200)
    return render(
        request,
        "regions/edit.html",
        {
            "region": region,
            "form": form,
            "title": title,
            "kind": kind,
            "instance": instance,
            "version": region.version
            if error != services.CONFLICT
            else request.POST.get("version"),
            "current_version": region.version,
            "error": error,
            "version_form": version_form,
        },
        status=status,
    )


# ------------------------------------------------------------------------- rounds


@require_POST
@login_required
def round_open(request, pk):
    region = region_or_404(request.user, pk)
    require(Region.objects.managed_by(request.user), region)
    form = region_forms.RoundOpenForm(request.POST)
    if form.is_valid():
        try:
            round_ = services.open_round(
                request.user, region, form.cleaned_data["fiscal_year"], request.POST.get("version")
            )
        except services.RegionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{round_.fiscal_year}年度の進捗確認を開始しました。")
            return redirect("regions:round", pk=region.pk, round_pk=round_.pk)
    else:
        messages.error(request, "対象年度：" + " ".join(form.errors.get("fiscal_year", [])))
    return redirect("regions:detail", pk=region.pk)


def _kpis_for(user, region, round_, manages):
    profile = profile_of(user)
    qs = region.kpis.all()
    if not manages:
        qs = qs.filter(reporter_id=profile.municipality_id if profile else None)
    current = {
        v.kpi_id: v.value
        for v in RegionKPIValue.objects.filter(kpi__region=region, fiscal_year=round_.fiscal_year)
    }
    return list(qs), current


@login_required
def round_detail(request, pk, round_pk):
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    manages = _can_manage(request.user, region)
    context = round_context(region, round_)
    profile = profile_of(request.user)
    reports_for = None
    if (
        profile
        and profile.role == "planning"
        and any(m.municipality_id == profile.municipality_id for m in context["members"])
    ):
        reports_for = profile.municipality
    kpis, current = _kpis_for(request.user, region, round_, manages)
    kpi_form = (
        region_forms.KPIActualsForm(kpis=kpis, year=round_.fiscal_year, current=current)
        if kpis and (manages or reports_for) and round_.state != RoundState.PUBLISHED
        else None
    )
    context.update(
        can_manage=manages,
        reports_for=reports_for,
        kpi_form=kpi_form,
        meeting_form=region_forms.MeetingForm(
            initial={"meeting_date": round_.meeting_date, "meeting_comment": round_.meeting_comment}
        ),
        steps=[
            (action, step)
            for action, step in services.STEPS.items()
            if round_.state in step.sources
        ],
        history=region.audit_entries.filter(action__startswith="round.").select_related(
            "actor", "municipality"
        )[:20],
        audit_labels=AUDIT_LABELS,
        jobs=round_.report_jobs.all()[:10],
    )
    return render(request, "regions/round.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def round_report(request, pk, round_pk):
    """A member's 企画課 reports for its own municipality."""
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    town = reporting_municipality(request.user, region)
    initiatives = [
        i for i in initiatives_of(region) if any(p.pk == town.pk for p in i.participants.all())
    ]
    existing = {r.initiative_id: r for r in round_.reports.filter(municipality=town)}
    data = request.POST if request.method == "POST" else None
    forms_ = []
    for initiative in initiatives:
        report = existing.get(initiative.pk)
        initial = (
            {"text": report.text, "actual_cost": report.actual_cost, "share": report.share}
            if report
            else {}
        )
        forms_.append(
            (initiative, region_forms.ReportForm(data, prefix=f"i{initiative.pk}", initial=initial))
        )
    error = None
    if request.method == "POST":
        if all(f.is_valid() for _, f in forms_):
            rows = [
                {
                    "initiative": initiative,
                    "text": f.cleaned_data["text"],
                    "actual_cost": f.cleaned_data["actual_cost"],
                    "share": f.cleaned_data["share"],
                }
                for initiative, f in forms_
            ]
            try:
                services.save_reports(request.user, round_, town, rows, request.POST.get("version"))
            except services.RegionError as exc:
                error = exc.message
            else:
                messages.success(request, f"{town.name}の実績を保存しました。")
                return redirect("regions:round", pk=region.pk, round_pk=round_.pk)
        else:
            error = "入力内容に誤りがあります。各欄のメッセージを確認してください。"
    status = 200 if request.method == "GET" else (409 if error == services.CONFLICT else 400)
    return render(
        request,
        "regions/report_form.html",
        {
            "region": region,
            "round": round_,
            "town": town,
            "forms": forms_,
            "error": error,
            "version": request.POST.get("version")
            if error == services.CONFLICT
            else round_.version,
            "open": round_.state == RoundState.OPEN,
        },
        status=status,
    )


@require_POST
@login_required
def round_kpis(request, pk, round_pk):
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    manages = _can_manage(request.user, region)
    kpis, current = _kpis_for(request.user, region, round_, manages)
    if not kpis:
        raise PermissionDenied
    form = region_forms.KPIActualsForm(
        request.POST, kpis=kpis, year=round_.fiscal_year, current=current
    )
    if form.is_valid():
        try:
            services.save_kpi_actuals(
                request.user, round_, form.values(), request.POST.get("version")
            )
        except services.RegionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "KPIの実績値を保存しました。")
    else:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errors)}")
    return redirect("regions:round", pk=region.pk, round_pk=round_.pk)


@require_POST
@login_required
def round_meeting(request, pk, round_pk):
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    require(ProgressRound.objects.managed_by(request.user), round_)
    form = region_forms.MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.save_meeting(
                request.user,
                round_,
                form.cleaned_data["meeting_date"],
                form.cleaned_data["meeting_comment"],
                request.POST.get("version"),
            )
        except services.RegionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "懇談会・連絡会議の意見を保存しました。")
    else:
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}：{' '.join(errors)}")
    return redirect("regions:round", pk=region.pk, round_pk=round_.pk)


@require_POST
@login_required
def round_step(request, pk, round_pk, action):
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    if action not in services.STEPS:
        raise Http404
    require(ProgressRound.objects.managed_by(request.user), round_)
    try:
        services.advance(request.user, round_, action, request.POST.get("version"))
    except services.RegionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"「{services.STEPS[action].label}」にしました。")
    return redirect("regions:round", pk=region.pk, round_pk=round_.pk)


@require_POST
@login_required
def round_remind(request, pk, round_pk):
    region = region_or_404(request.user, pk)
    round_ = round_or_404(request.user, region, round_pk)
    require(ProgressRound.objects.managed_by(request.user), round_)
    context = round_context(region, round_)
    chosen = set(request.POST.getlist("municipality"))
    towns = [s["municipality"] for s in context["missing"] if str(s["municipality"].pk) in chosen]
    if not towns:
        messages.error(request, "督促する市町村を選んでください（未報告の市町村だけ選べます）。")
    else:
        try:
            sent = services.remind(request.user, round_, towns)
        except services.RegionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{'、'.join(t.name for t in towns)}の企画課に督促メールを送りました（{sent}通）。",
            )
    return redirect(reverse("regions:round", args=[region.pk, round_.pk]) + "#status")

"""Every region view × every kind of user of the demo, for 玉名圏域定住自立圏 (中心市 玉名市):
its central city's 企画課, a neighbour's 企画課, a member's 担当者, the 企画課 of another
region's central city (熊本市: not a member here), a municipality in no region (伊勢原市),
the superuser and an anonymous visitor. A refused request changes nothing.

The rows of the whole-site matrix (tests/whole_site/test_permissions_matrix.py) cover the
same views for the standing users; this one adds the outsiders (404) and the superuser."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from municipalities.choices import Role
from municipalities.models import Municipality, StaffProfile
from regions.models import ProgressRound, Region
from tests.whole_site.test_bad_input import fingerprint

USERS = (
    "tamana-planning",
    "gyokuto-planning",
    "tamana-staff",
    "kumamoto-planning",
    "isehara-planning",
    "admin",
    "anonymous",
)
LOGIN = "login"

# fmt: off
ROWS = [
    # name, method, url name, args (names), data,
    #   central  member-planning  member-staff  other-region  no-region  admin  anonymous
    ("my regions", "get", "regions:index", [], {},
        "200     200              200           200           200        200    login"),
    ("region page", "get", "regions:detail", ["region"], {},
        "200     200              200           404           404        200    login"),
    ("add a member (form)", "get", "regions:add", ["region", "=member"], {},
        "200     403              403           404           404        200    login"),
    ("edit a KPI (form)", "get", "regions:edit", ["region", "=kpi", "kpi"], {},
        "200     403              403           404           404        200    login"),
    ("edit an initiative", "get", "regions:edit", ["region", "=initiative", "initiative"], {},
        "200     403              403           404           404        200    login"),
    ("round page", "get", "regions:round", ["region", "round"], {},
        "200     200              200           404           404        200    login"),
    ("a member's report (form)", "get", "regions:round_report", ["region", "round"], {},
        "200     200              403           404           404        403    login"),
    ("open a round", "post", "regions:round_open", ["region"], {"fiscal_year": "2030"},
        "302     403              403           404           404        302    login"),
    ("collect", "post", "regions:round_step", ["region", "round", "=collect"], {},
        "302     403              403           404           404        302    login"),
    ("懇談会 comment", "post", "regions:round_meeting", ["region", "round"], {},
        "302     403              403           404           404        302    login"),
    ("remind", "post", "regions:round_remind", ["region", "round"], {},
        "302     403              403           404           404        302    login"),
    ("KPI actuals", "post", "regions:round_kpis", ["region", "round"], {},
        "302     403              403           404           404        302    login"),
    ("懇談会 report", "post", "region_reports:new", ["region", "round"], {"kind": "pdf"},
        "302     403              403           404           404        302    login"),
    ("public region page", "get", "public:region_detail", ["region"], {},
        "200     200              200           200           200        200    200"),
]
# fmt: on


def objects():
    region = Region.objects.get(name="玉名圏域定住自立圏")
    return {
        "region": region,
        "round": ProgressRound.objects.get(region=region),
        "kpi": region.kpis.first(),
        "initiative": region.visions.get().policy_areas.get(code="3").initiatives.get(),
    }


CELLS = [
    pytest.param(row, user, cell, id=f"{row[0]}-{user}")
    for row in ROWS
    for user, cell in zip(USERS, row[5].split(), strict=True)
]


@pytest.mark.parametrize(("row", "username", "cell"), CELLS)
def test_region_permissions(client, demo_data, row, username, cell):
    if username == "isehara-planning":
        assert not Municipality.objects.get(code="142140").regions.exists()
    if username == "kumamoto-planning":
        assert StaffProfile.objects.get(user__username=username).role == Role.PLANNING
    _name, method, url_name, arg_names, data = row[:5]
    found = objects()
    args = [a[1:] if a.startswith("=") else found[a].pk for a in arg_names]
    if username != "anonymous":
        client.force_login(get_user_model().objects.get(username=username))
    before = fingerprint()
    response = getattr(client, method)(reverse(url_name, args=args), data)
    if cell == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == int(cell)
    if cell in ("403", "404", LOGIN) and method == "post":
        assert fingerprint() == before

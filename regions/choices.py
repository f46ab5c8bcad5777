from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    SETTLEMENT = "settlement", _("定住自立圏")
    METRO = "metro", _("連携中枢都市圏")


class MemberRole(models.TextChoices):
    CENTRAL = "central", _("中心市・連携中枢都市")
    NEIGHBOUR = "neighbour", _("近隣市町村")

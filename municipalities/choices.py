from django.db import models
from django.utils.translation import gettext_lazy as _


class MunicipalityKind(models.TextChoices):
    CITY = "city", _("市")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")
    SPECIAL_WARD = "special_ward", _("特別区")


class Role(models.TextChoices):
    STAFF = "staff", _("担当者")
    CHIEF = "chief", _("課長")
    PLANNING = "planning", _("企画課")
    VIEWER = "viewer", _("閲覧者")


class Achievement(models.TextChoices):
    EXCEEDED = "◎", _("◎（目標達成）")
    ON_TRACK = "○", _("○（順調）")
    BEHIND = "△", _("△（遅れ）")
    FAILED = "×", _("×（未達成）")
    NONE = "－", _("－（評価なし）")

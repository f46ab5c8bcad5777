"""The region models, one module per part; import them from here."""

from regions.models.region import (
    FIGURE_MAX,
    MONEY_MAX,
    Initiative,
    InitiativeCost,
    Membership,
    PolicyArea,
    Region,
    RegionKPI,
    RegionKPIValue,
    Vision,
    VisionRevision,
)
from regions.models.rounds import MemberReport, ProgressRound, RegionAuditEntry, ReportJob

__all__ = [
    "FIGURE_MAX",
    "MONEY_MAX",
    "Initiative",
    "InitiativeCost",
    "MemberReport",
    "Membership",
    "PolicyArea",
    "ProgressRound",
    "Region",
    "RegionAuditEntry",
    "RegionKPI",
    "RegionKPIValue",
    "ReportJob",
    "Vision",
    "VisionRevision",
]

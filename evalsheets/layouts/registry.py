"""The three sheet forms (様式): which viewpoints they ask, with the paper form's wording.

A form decides which sections the pages show and which PDF template renders a
sheet; the data model is the same for all three. A new municipality picks one of
these in its master data (Municipality.sheet_form).
"""

from dataclasses import dataclass

from core.choices import Direction, SheetForm


@dataclass(frozen=True)
class Viewpoint:
    code: str
    group: str
    label: str
    question: str
    choices: tuple[tuple[str, str], ...]
    field_number: str = ""

    def choice_label(self, key: str) -> str:
        return dict(self.choices).get(key, "")


ROOM = (("no_room", "余地なし"), ("room", "余地あり"))

TAMANA_VIEWPOINTS = (
    Viewpoint(
        "20-1",
        "妥当性（必要性）",
        "【実施主体の妥当性】",
        "市が実施すべきであるか（民間、NPOなどが実施できないか。）。",
        (("city_should", "市が実施すべき"), ("city_need_not", "市が実施する必要はない")),
        "20-1",
    ),
    Viewpoint(
        "20-2",
        "妥当性（必要性）",
        "【目的の妥当性】",
        "社会情勢の変化により、目的（対象・意図）の見直しは必要でないか。",
        (("not_needed", "必要なし"), ("needed", "必要あり")),
        "20-2",
    ),
    Viewpoint(
        "20-3",
        "妥当性（必要性）",
        "【休廃止の影響】",
        "事務事業を休止・廃止をした場合、市民に影響はないか。",
        (("no_impact", "影響なし"), ("impact", "影響あり")),
        "20-3",
    ),
    Viewpoint(
        "22-4",
        "妥当性（必要性）",
        "【類似事業との統合】",
        "目的が類似する他の事業との統合について、検討の余地はないか。",
        ROOM,
        "22-4",
    ),
    Viewpoint(
        "21-1",
        "有効性",
        "【目標の達成度】",
        "成果指標の目標は達成できたか。未達成の場合、原因はどのようなことが考えられるか。",
        (("achieved", "達成"), ("not_achieved", "未達成")),
        "21-1",
    ),
    Viewpoint(
        "21-2",
        "有効性",
        "【細事業の適当性】",
        "目的（意図）を達成するため、細事業の構成は適当であるか。",
        (("adequate", "適当"), ("inadequate", "不適当")),
        "21-2",
    ),
    Viewpoint(
        "fairness",
        "公平性",
        "",
        "受益者負担について、検討の余地はないか。徴収を行っている場合は、"
        "負担水準（対象・金額）について検討の余地はないか。",
        (("room", "余地あり"), ("no_room", "余地なし")),
    ),
    Viewpoint(
        "22-1",
        "効率性",
        "【コストの低減】",
        "コストの低減について、検討の余地はないか。",
        ROOM,
        "22-1",
    ),
    Viewpoint(
        "22-2",
        "効率性",
        "【執行過程の見直し】",
        "執行過程の簡素化・改善について、検討の余地はないか。（デジタル技術の導入など）",
        ROOM,
        "22-2",
    ),
    Viewpoint(
        "22-3",
        "効率性",
        "【民間活力の活用】",
        "民間のノウハウ活用について、検討の余地はないか。",
        ROOM,
        "22-3",
    ),
)

ISEHARA_VIEWPOINTS = (
    Viewpoint(
        "progress",
        "評価 (Check)",
        "進捗状況",
        "左記判断理由",
        (("A", "計画どおり (A)"), ("B", "概ね計画どおり (B)"), ("C", "計画どおり進捗せず (C)")),
    ),
    Viewpoint(
        "level",
        "評価 (Check)",
        "実施水準",
        "他都市の事業内容等",
        (
            ("A", "他市より高い水準で実施 (A)"),
            ("B", "他市と同水準で実施 (B)"),
            ("C", "他市より低い水準で実施 (C)"),
            ("incomparable", "一律に比較できない事業"),
        ),
    ),
    Viewpoint(
        "effectiveness",
        "評価 (Check)",
        "有効性",
        "左記判断理由",
        (("A", "高い (A)"), ("B", "普通 (B)"), ("C", "低い (C)")),
    ),
    Viewpoint(
        "efficiency",
        "評価 (Check)",
        "効率性",
        "左記判断理由",
        (
            ("A", "効率的に実施されている (A)"),
            ("B", "改善の余地がある (B)"),
            ("C", "抜本的な改善が必要である(C)"),
        ),
    ),
)

VIEWPOINTS = {
    SheetForm.TAMANA: TAMANA_VIEWPOINTS,
    SheetForm.ISEHARA: ISEHARA_VIEWPOINTS,
    SheetForm.HITOYOSHI: (),
}

DIRECTIONS = {
    SheetForm.TAMANA: (
        Direction.EXPAND,
        Direction.MAINTAIN,
        Direction.REDUCE,
        Direction.IMPROVE,
        Direction.SUSPEND,
        Direction.END,
    ),
    SheetForm.ISEHARA: (),
    SheetForm.HITOYOSHI: (
        Direction.GROW,
        Direction.KEEP,
        Direction.SHRINK,
        Direction.MERGE,
        Direction.ABOLISH,
        Direction.COMPLETE,
    ),
}

TITLES = {
    SheetForm.TAMANA: "事務ふりかえりシート",
    SheetForm.ISEHARA: "事務事業評価シート",
    SheetForm.HITOYOSHI: "総合計画 事務事業シート",
}


def viewpoints_for(form: str) -> tuple[Viewpoint, ...]:
    return VIEWPOINTS.get(form, ())


def directions_for(form: str):
    return DIRECTIONS.get(form, ())

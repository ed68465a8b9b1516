"""The Chinese Library Classification (中国图书馆分类法, CLC): its 22 top classes, and
mapping Library of Congress class numbers onto them."""

from __future__ import annotations

from collections.abc import Mapping

# Top classes with their Chinese and English names.
CLC_TOP_CLASSES: dict[str, tuple[str, str]] = {
    "A": (
        "马克思主义、列宁主义、毛泽东思想、邓小平理论",
        "Marxism-Leninism, Mao Zedong Thought, Deng Xiaoping Theory",
    ),
    "B": ("哲学、宗教", "Philosophy and religion"),
    "C": ("社会科学总论", "Social sciences (general)"),
    "D": ("政治、法律", "Politics and law"),
    "E": ("军事", "Military science"),
    "F": ("经济", "Economics"),
    "G": ("文化、科学、教育、体育", "Culture, science, education and sports"),
    "H": ("语言、文字", "Languages and writing"),
    "I": ("文学", "Literature"),
    "J": ("艺术", "Arts"),
    "K": ("历史、地理", "History and geography"),
    "N": ("自然科学总论", "Natural sciences (general)"),
    "O": ("数理科学和化学", "Mathematics, physics and chemistry"),
    "P": ("天文学、地球科学", "Astronomy and earth sciences"),
    "Q": ("生物科学", "Biology"),
    "R": ("医药、卫生", "Medicine and health"),
    "S": ("农业科学", "Agriculture"),
    "T": ("工业技术", "Industrial technology"),
    "U": ("交通运输", "Transport"),
    "V": ("航空、航天", "Aviation and astronautics"),
    "X": ("环境科学、安全科学", "Environmental and safety science"),
    "Z": ("综合性图书", "General works"),
}

# Default LCC → CLC mapping by class-letter prefix; the longest matching prefix wins. The
# catalogue keeps its own editable copy (LccClcMapping); this seeds it.
DEFAULT_LCC_TO_CLC: dict[str, str] = {
    "A": "Z",
    "B": "B",
    "BF": "B84",
    "BL": "B9",
    "BM": "B9",
    "BP": "B9",
    "BQ": "B9",
    "BR": "B9",
    "BS": "B9",
    "BT": "B9",
    "BV": "B9",
    "BX": "B9",
    "C": "K",
    "D": "K",
    "E": "K7",
    "F": "K7",
    "G": "K9",
    "GN": "C912",
    "GR": "I27",
    "GT": "K89",
    "GV": "G8",
    "H": "C",
    "HA": "C8",
    "HB": "F",
    "HC": "F",
    "HD": "F",
    "HE": "F5",
    "HF": "F7",
    "HG": "F8",
    "HJ": "F81",
    "HM": "C91",
    "HN": "C91",
    "HQ": "C913",
    "HV": "D5",
    "HX": "D",
    "J": "D",
    "K": "D9",
    "L": "G4",
    "M": "J6",
    "N": "J",
    "NA": "TU",
    "P": "H",
    "PN": "I",
    "PQ": "I",
    "PR": "I",
    "PS": "I",
    "PT": "I",
    "PL": "I",  # mostly Asian literatures (PL1001–1950, languages, is the smaller part)
    "Q": "N",
    "QA": "O1",
    "QB": "P1",
    "QC": "O4",
    "QD": "O6",
    "QE": "P5",
    "QH": "Q",
    "QK": "Q94",
    "QL": "Q95",
    "QM": "R32",
    "QP": "Q4",
    "QR": "Q93",
    "R": "R",
    "S": "S",
    "SB": "S6",
    "SD": "S7",
    "SF": "S8",
    "SH": "S9",
    "T": "T",
    "TA": "TU",
    "TK": "TM",
    "TL": "V",
    "TR": "J4",
    "TT": "TS",
    "TX": "TS97",
    "U": "E",
    "V": "E",
    "Z": "G25",
}


def clc_top(class_number: str) -> str:
    """The top class letter of a CLC class number ("I247.5" → "I"), or "" if none."""
    letter = class_number.strip()[:1].upper()
    return letter if letter in CLC_TOP_CLASSES else ""


def lcc_to_clc(lcc: str, table: Mapping[str, str]) -> str:
    """Map an LC class number ("PL2658.E3 C5") onto a CLC class by longest letter prefix."""
    letters = ""
    for character in lcc.strip().upper():
        if not character.isalpha():
            break
        letters += character
    for length in range(len(letters), 0, -1):
        mapped = table.get(letters[:length])
        if mapped:
            return mapped
    return ""

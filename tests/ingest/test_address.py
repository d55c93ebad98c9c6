"""Building addresses (ingest/address.py, ingest/streets.yaml): every spelling to one key."""

import doctest

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import IngestError
from ingest import address
from ingest.address import (
    STREETS_FILE, AddressParts, OutsideAreaError, Streets, address_key, fold_street, hanzi_to_int,
    load_streets, parse_address,
)
from ingest.normalize import InvalidValueError, MissingValueError

relaxed = settings(deadline=None, database=None)
HANZI = "〇一二三四五六七八九"


def test_docstring_examples_hold():
    assert doctest.testmod(address, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


@pytest.mark.parametrize("raw", [
    "临汾路261弄12号",
    "临汾路 261 弄 12号",
    "临汾路261弄12号楼",
    "临汾路261弄12幢",
    "临汾路261弄12栋",
    "临汾路261弄12",
    "临汾路二六一弄十二号",
    "临汾路二百六十一弄十二号",
    "临汾路二六一弄一二号",
    "临汾路２６１弄１２号",
    "临汾路261弄12號",
    "上海市静安区临汾路261弄12号",
    "静安区临汾路261弄12号",
    "上海市闸北区临汾路261弄12号",
    "上海市 静安区 临汾路街道 临汾路261弄12号",
    "临汾路街道临汾路261弄12号",
    "临汾路261弄12号（乐业小区）",
    " 临汾路261弄12号 ",
    "Linfen Rd Lane 261 No.12",
    "Linfen Road Lane 261 No. 12",
    "LINFEN RD LANE 261 NO 12",
    "Linfenlu Lane 261 No.12",
    "No.12, Lane 261, Linfen Road",
    "No.12, Lane 261, Linfen Road, Jing'an District, Shanghai 200435",
    "Bldg 12, Ln 261, Linfen Lu, Shanghai, China",
    "Linfen Rd 261弄12号",
])
def test_spellings_of_one_building_share_the_key(raw):
    assert address_key(raw) == "临汾路|261|12"


@pytest.mark.parametrize("raw", [
    "临汾路261弄12号301室",
    "临汾路261弄12号 301室",
    "临汾路261弄12号楼301室",
    "临汾路 261 弄 12号 301室",
    "临汾路二六一弄十二号三〇一室",
    "临汾路261弄12号-301",
    "临汾路261弄12号301",
    "临汾路261弄12-301",
    "上海市静安区临汾路261弄12号301室",
    "临汾路２６１弄１２号３０１室",
    "Linfen Rd Lane 261 No.12 Rm 301",
    "Room 301, No.12, Lane 261, Linfen Road",
    "Flat 301, No.12, Lane 261, Linfen Road",
])
def test_room_is_split_off(raw):
    parts = parse_address(raw)
    assert parts == AddressParts("临汾路", 261, 12, "301")
    assert parts.key() == "临汾路|261|12"
    assert parts.flat_key() == "临汾路|261|12|301"


def test_room_with_letter_and_leading_zero():
    assert parse_address("临汾路261弄12号0301a室").room == "301A"


@pytest.mark.parametrize("raw", ["临汾路375号", "No.375 Linfen Rd", "375 Linfen Rd", "上海市静安区临汾路375号"])
def test_street_front_addresses_have_no_lane(raw):
    parts = parse_address(raw)
    assert (parts.street, parts.lane, parts.number) == ("临汾路", None, 375)
    assert parts.key() == "临汾路||375"


@pytest.mark.parametrize("raw, street", [
    ("Guangzhong Rd W Lane 11 No.3", "广中西路"),
    ("West Guangzhong Road Lane 11 No.3", "广中西路"),
    ("Guangzhongxi Lu Lane 11 No.3", "广中西路"),
    ("Guangzhong Rd Lane 11 No.3", "广中路"),
    ("Xizang Rd N Lane 11 No.3", "西藏北路"),
    ("North Tibet Road Lane 11 No.3", "西藏北路"),
    ("Luochuan Rd E Lane 11 No.3", "洛川东路"),
    ("Luochuan East Road Lane 11 No.3", "洛川东路"),
    ("Yanchang Rd M Lane 11 No.3", "延长中路"),
    ("Yanchang Rd (M) Lane 11 No.3", "延长中路"),
    ("Middle Yanchang Road Lane 11 No.3", "延长中路"),
    ("Fenxi Rd Lane 11 No.3", "汾西路"),
    ("Fen Xi Lu Lane 11 No.3", "汾西路"),
    ("Changzhong Rd Lane 11 No.3", "场中路"),
    ("Gonghe New Road Lane 11 No.3", "共和新路"),
    ("Gonghexin Rd Lane 11 No.3", "共和新路"),
    ("Pingxingguan Rd Lane 11 No.3", "平型关路"),
    ("三泉路十一弄三号", "三泉路"),
])
def test_english_and_pinyin_street_names_map_to_chinese(raw, street):
    assert parse_address(raw) == AddressParts(street, 11, 3, None)


@pytest.mark.parametrize("text, folded", [
    ("Linfen Rd", "linfenlu"), ("Linfen Road", "linfenlu"), ("Linfenlu", "linfenlu"),
    ("linfen lu", "linfenlu"), ("Xizang Rd. N.", "xizangbeilu"), ("N. Xizang Road", "xizangbeilu"),
    ("Jing'an", "jingan"),
])
def test_fold_street(text, folded):
    assert fold_street(text) == folded


@pytest.mark.parametrize("text, value", [
    ("二六一", 261), ("二百六十一", 261), ("十二", 12), ("十", 10), ("二十", 20), ("三〇一", 301),
    ("一百零五", 105), ("两百", 200), ("一千二百", 1200), ("九", 9), ("零", 0),
])
def test_hanzi_to_int(text, value):
    assert hanzi_to_int(text) == value


@pytest.mark.parametrize("raw, error, words", [
    ("上海市黄浦区福州路12弄3号4室", OutsideAreaError, "outside the Linfen Road area (黄浦区)"),
    ("江苏省南京市玄武区人民路12号", OutsideAreaError, "outside the Linfen Road area (江苏省)"),
    ("上海市静安区康定路12弄3号", OutsideAreaError, "street 康定路 is not in the Linfen Road area"),
    ("Fuzhou Rd Lane 12 No.3", OutsideAreaError, "street 'Fuzhou Rd' is not in the Linfen Road area"),
    ("临汾路261弄", InvalidValueError, "lane (弄) but no building number"),
    ("临汾路", InvalidValueError, "only the street"),
    ("临汾路261弄12301室", InvalidValueError, "cannot read lane"),
    ("临汾路261弄12号3楼", InvalidValueError, "cannot read lane"),
    ("临汾路261弄0号", InvalidValueError, "is 0"),
    ("临汾路261弄123456号", InvalidValueError, "above 9999"),
    ("Linfen Rd Lane 261", InvalidValueError, "no building number"),
    ("Lane 261 No.12", InvalidValueError, "no street name"),
    ("Linfen Rd Lane 261 No.12 Floor 3", InvalidValueError, "not lane, No. or room"),
    ("乐业小区", InvalidValueError, "no known street name"),
    (12, InvalidValueError, "must be text"),
])
def test_unreadable_addresses_are_rejected_with_a_reason(raw, error, words):
    with pytest.raises(error) as caught:
        parse_address(raw)
    assert words in caught.value.reason


@pytest.mark.parametrize("raw", [None, "", "  ", "无", "NULL"])
def test_missing_address_raises_missing(raw):
    with pytest.raises(MissingValueError, match="missing address"):
        address_key(raw)


def test_streets_file_lists_the_area_streets():
    names = set(load_streets().names)
    assert {"临汾路", "汾西路", "场中路", "阳曲路", "岭南路", "共和新路", "广中路", "广中西路", "保德路",
            "闻喜路", "平型关路", "西藏北路", "灵石路", "阳泉路", "宝昌路", "运城路", "洛川东路",
            "泗塘路"} <= names
    config = yaml.safe_load(STREETS_FILE.read_text(encoding="utf-8"))
    assert all(entry.get("en") for entry in config["streets"]), "every street needs its English name"


def test_streets_are_loaded_once():
    assert load_streets() is load_streets()
    assert load_streets(STREETS_FILE) is load_streets()


def test_a_custom_streets_file(tmp_path):
    path = tmp_path / "streets.yaml"
    path.write_text("area_prefixes: [上海市]\nstreets:\n  - name: 测试路\n    en: Ceshi Rd\n"
                    "    aliases: [测试马路]\n", encoding="utf-8")
    streets = load_streets(path)
    assert address_key("上海市测试马路1弄2号", streets) == "测试路|1|2"
    assert address_key("Ceshi Road Lane 1 No.2", streets) == "测试路|1|2"
    with pytest.raises(OutsideAreaError):
        address_key("临汾路261弄12号", streets)


def test_an_alias_naming_two_streets_is_refused():
    config = {"streets": [{"name": "甲路", "en": "Jia Rd"}, {"name": "乙路", "aliases": ["Jia Road"]}]}
    with pytest.raises(IngestError, match="'Jia Road' names both 甲路 and 乙路"):
        Streets.from_config(config)
    with pytest.raises(IngestError, match="has no name"):
        Streets.from_config({"streets": [{"en": "Jia Rd"}]})


# --- the synthetic generator's spellings --------------------------------------------

def test_every_generator_road_and_style_reads_back():
    """Every road and address style of ingest/synthetic/addresses.py gives the right key."""
    synthetic = pytest.importorskip("ingest.synthetic.addresses")
    assert {zh for zh, _ in synthetic.ROADS} <= set(load_streets().names)
    for road, (zh, _) in enumerate(synthetic.ROADS):
        for style in synthetic.STYLES:
            for lane, number, room in ((261, 12, 0), (11, 3, 302), (1, 1, 1104), (999, 99, 0)):
                text = synthetic.spell(road, lane, number, room, style)
                expected = AddressParts(zh, lane, number, str(room) if room else None)
                assert parse_address(text) == expected, (text, style)
        for english in (False, True):
            assert parse_address(synthetic.street_address(road, 375, english)) == \
                AddressParts(zh, None, 375, None)


def test_addresses_elsewhere_are_outside_the_area():
    synthetic = pytest.importorskip("ingest.synthetic.addresses")
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(7)
    for text in synthetic.elsewhere_shanghai(rng, 30).tolist():
        with pytest.raises(OutsideAreaError):
            parse_address(text)
    prefixes = np.array(["江苏省南京市玄武区", "安徽省合肥市瑶海区"], dtype=object)
    for text in synthetic.in_province(rng, prefixes).tolist():
        with pytest.raises(OutsideAreaError):
            parse_address(text)


# --- properties -------------------------------------------------------------------------

STREETS = load_streets()
CONFIG = yaml.safe_load(STREETS_FILE.read_text(encoding="utf-8"))
ENGLISH = [(entry["name"], spelling) for entry in CONFIG["streets"]
           for spelling in [entry["en"], *entry.get("aliases", [])]]


def digit_by_digit(n):
    """Write n in Chinese numerals, one per digit (二六一)."""
    return "".join(HANZI[int(c)] for c in str(n))


def with_units(n):
    """Write n in Chinese numerals with units (二百六十一, 十二, 一百零五)."""
    if n == 0:
        return "零"
    out, started, zero = "", False, False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero:
                out += "零"
            out += ("" if d == 1 and unit == "十" and not started else HANZI[d]) + unit
            started, zero = True, False
        elif started:
            zero = True
    return out


@relaxed
@given(st.sampled_from(STREETS.names), st.integers(1, 1999), st.integers(1, 299),
       st.one_of(st.none(), st.integers(101, 3299)),
       st.sampled_from([str, digit_by_digit, with_units]),
       st.sampled_from(["", " ", "\u3000"]), st.sampled_from(["号", "号楼", "幢", "栋"]),
       st.sampled_from(["", "上海市", "静安区", "上海市静安区", "临汾路街道"]), st.booleans())
def test_any_chinese_spelling_gives_the_canonical_key(street, lane, number, room, numerals, space,
                                                       suffix, prefix, wide):
    text = f"{prefix}{street}{space}{numerals(lane)}{space}弄{space}{numerals(number)}{suffix}"
    if room is not None:
        text += f"{space}{numerals(room)}室"
    if wide:
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    parts = parse_address(text)
    assert parts.key() == f"{street}|{lane}|{number}"
    assert parts.room == (None if room is None else str(room))


@relaxed
@given(st.sampled_from(ENGLISH), st.integers(1, 1999), st.integers(1, 299),
       st.one_of(st.none(), st.integers(101, 3299)), st.booleans(), st.sampled_from(["", " ", "\t"]))
def test_any_english_spelling_gives_the_canonical_key(street, lane, number, room, reverse, pad):
    zh, en = street
    if reverse:
        text = f"No.{number}, Lane {lane}, {en}" + (f", Room {room}" if room else "")
    else:
        text = f"{en} Lane {lane} No.{number}" + (f" Rm {room}" if room else "")
    assert address_key(pad + text + pad) == f"{zh}|{lane}|{number}"


@relaxed
@given(st.text(max_size=40))
def test_parsing_only_ever_rejects(raw):
    try:
        parts = parse_address(raw)
    except InvalidValueError:
        return
    # Whatever parses, parses again to the same thing from its own key's spelling.
    lane = f"{parts.lane}弄" if parts.lane is not None else ""
    assert parse_address(f"{parts.street}{lane}{parts.number}号").key() == parts.key()


@relaxed
@given(st.sampled_from(STREETS.names), st.integers(1, 1999), st.integers(1, 299))
def test_key_round_trips(street, lane, number):
    key = address_key(f"{street}{lane}弄{number}号")
    assert key == f"{street}|{lane}|{number}"
    name, lane_text, number_text = key.split("|")
    assert address_key(f"{name}{lane_text}弄{number_text}号") == key

"""The demand parser's word lists: skills, equipment, resource types, people words, stop words.

Codes are the ones the ingest writes into the graph: skills from
``ingest/sources/volunteers.yaml``, equipment and venue types from ``ingest/sources/venues.yaml``,
tag ids from ``ingest/tag_catalogue.yaml``. A test checks the codes here against those files,
so a renamed code fails loudly instead of silently matching nothing.

Each table maps a code to its phrases, Chinese and English. English phrases are matched as
whole words, case-insensitively, with an optional plural "s"; Chinese ones anywhere.
"""

from __future__ import annotations

# Skill code → phrases. The first Chinese phrase is the volunteer register's own word.
SKILLS: dict[str, tuple[str, ...]] = {
    "first_aid": ("急救", "心肺复苏", "first aid", "first-aid", "cpr", "aed", "paramedic"),
    "calligraphy": ("书法", "calligraphy", "calligrapher"),
    "it_help": ("电脑辅导", "智能手机", "手机辅导", "it help", "computer help", "computer skill",
                "smartphone help", "smartphone", "tech support", "it support"),
    "legal_advice": ("法律咨询", "法律援助", "legal advice", "legal aid", "lawyer", "legal"),
    "counselling": ("心理疏导", "心理咨询", "心理辅导", "counselling", "counseling", "counsellor",
                    "counselor", "psychological support", "mental health support"),
    "haircut": ("理发", "haircut", "hairdresser", "barber", "hairdressing"),
    "appliance_repair": ("家电维修", "维修家电", "appliance repair", "repair appliances",
                         "fix appliances", "repairs"),
    "sign_language": ("手语", "sign language"),
    "translation": ("外语翻译", "翻译", "translation", "translator", "interpreter",
                    "interpreting"),
    "performance": ("文艺表演", "表演", "performance", "performer", "singing", "dancing"),
    "health_talk": ("健康讲座", "健康宣教", "health talk", "health lecture",
                    "health education"),
    "waste_sorting": ("垃圾分类指导", "垃圾分类", "waste sorting", "recycling", "waste separation"),
    "elderly_companion": ("助老陪伴", "陪伴老人", "陪伴", "elderly companion",
                          "elderly companionship", "companionship", "keep seniors company",
                          "befriending", "befriender"),
    "painting": ("绘画", "画画", "painting", "drawing"),
    "photography": ("摄影", "拍照", "photography", "photographer", "photos"),
}

# Equipment code → phrases (venues.yaml).
EQUIPMENT: dict[str, tuple[str, ...]] = {
    "projector": ("投影仪", "投影", "projector", "beamer"),
    "sound_system": ("音响", "话筒", "麦克风", "sound system", "speakers", "microphone", "mic",
                     "pa system"),
    "air_conditioning": ("空调", "air conditioning", "air-conditioning", "air conditioned",
                         "air-conditioned", "aircon"),
    "tables_chairs": ("桌椅", "tables and chairs", "tables", "chairs", "desks"),
    "kitchen": ("厨房", "kitchen"),
    "step_free_access": ("无障碍通道", "无障碍", "轮椅通道", "step-free", "step free",
                         "wheelchair access", "wheelchair accessible", "accessible",
                         "barrier-free"),
    "computers": ("电脑", "计算机", "computers", "computer room", "pcs"),
    "table_tennis": ("乒乓球桌", "乒乓球", "table tennis", "ping pong", "ping-pong"),
    "piano": ("钢琴", "piano"),
    "large_screen": ("大屏幕", "大屏", "large screen", "big screen", "led screen"),
}

# Venue type code → phrases (venues.yaml). Any of them also asks for a venue.
VENUE_TYPES: dict[str, tuple[str, ...]] = {
    "activity_room": ("居民区活动室", "活动室", "activity room", "community room"),
    "party_service_station": ("党群服务站", "党群服务中心", "party service station",
                              "party-building station"),
    "meeting_room": ("会议室", "meeting room", "conference room", "boardroom"),
    "multi_purpose_hall": ("多功能厅", "礼堂", "multi-purpose hall", "multipurpose hall",
                           "function hall", "auditorium", "hall"),
    "school_ground": ("学校操场", "操场", "school ground", "playground", "sports ground",
                      "school field"),
    "reading_room": ("图书室", "阅览室", "reading room", "library"),
    "fitness_point": ("健身点", "健身房", "fitness point", "gym", "fitness corner"),
    "vacant_premises": ("空置用房", "空置房", "vacant premises", "vacant room", "empty premises"),
}

# Resource type → phrases that ask for it. "resident" means residents to invite.
RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "venue": ("场地", "场所", "房间", "教室", "地方", "一间", "room", "venue", "space",
              "premises", "classroom", "location for"),
    "volunteer": ("志愿者", "义工", "志愿服务", "帮手", "volunteer", "helper", "backbone",
                  "骨干"),
    "organization": ("单位", "企业", "学校", "社会组织", "共建单位", "党建单位", "机构",
                     "organization", "organisation", "party-building unit", "unit", "company", "enterprise", "school", "ngo",
                     "partner", "sponsor", "charity"),
    "resident": ("邀请", "通知", "动员", "招募居民", "居民", "参加者", "invite", "notify",
                 "reach out to", "residents", "participants", "attendees", "audience"),
    "service": ("服务点", "服务站", "食堂", "助餐", "日间照料", "卫生服务站", "service",
                "clinic", "canteen", "dining hall", "day care", "meal service"),
}

# Words that open a clause about whom to invite: tags and places in that clause describe the
# participants, not the venue.
INVITE_WORDS: tuple[str, ...] = ("邀请", "通知", "动员", "invite", "inviting", "notify",
                                 "reach out to", "bring in", "target", "for residents")

# Tag id → extra phrases beyond the tag's Chinese label (which the gazetteer supplies).
TAG_PHRASES: dict[str, tuple[str, ...]] = {
    "senior_60_plus": ("老人", "老年人", "长者", "老年", "elderly", "senior", "seniors",
                       "older people", "older residents", "old people", "pensioners",
                       "the aged"),
    "age_80_plus": ("高龄老人", "oldest-old", "oldest old"),
    "lone_elderly": ("独居老人", "空巢老人", "lone elderly", "lone senior", "seniors living alone",
                     "elderly living alone", "living alone", "lives alone", "empty-nest"),
    "diabetes": ("糖尿病", "糖友", "diabetes", "diabetic", "diabetics"),
    "hypertension": ("高血压", "hypertension", "high blood pressure", "hypertensive"),
    "coronary_heart_disease": ("冠心病", "心脏病", "heart disease", "coronary"),
    "copd": ("慢阻肺", "copd", "chronic lung disease"),
    "stroke_survivor": ("脑卒中", "中风", "stroke", "stroke survivor"),
    "alzheimers": ("阿尔茨海默", "老年痴呆", "认知障碍", "alzheimer", "alzheimer's", "dementia"),
    "chronic_condition": ("慢性病", "慢病", "chronic disease", "chronic illness",
                          "chronic condition"),
    "disabled": ("残疾人", "残障人士", "残障", "disabled", "disability", "disabilities",
                 "people with disabilities", "wheelchair users"),
    "disability_hearing_or_speech": ("听障", "聋哑", "hearing impaired", "deaf"),
    "disability_visual": ("视障", "盲人", "visually impaired", "blind"),
    "low_income": ("困难群众", "困难家庭", "low income", "low-income", "poor households"),
    "party_member": ("党员", "party member", "party members"),
    "retired_woman_50_74": ("退休女性", "退休阿姨", "retired women", "retired woman"),
    "retired": ("退休人员", "退休", "retired", "retirees", "retiree"),
    "minor": ("未成年人", "孩子", "儿童", "少年", "children", "kids", "child", "minors"),
    "preschool_3_6": ("学龄前儿童", "幼儿", "preschoolers", "preschool children", "toddlers"),
    "student": ("学生", "students", "pupils"),
    "young_adult_18_35": ("青年", "年轻人", "young people", "young adults", "youth"),
    "migrant": ("来沪人员", "外来人员", "新上海人", "migrant", "migrants"),
    "volunteer": (),
    "ltc_assessed": ("长护险", "失能老人", "long-term care", "ltc"),
    "family_doctor_signed": ("家庭医生", "family doctor"),
}

# Words for people and seats, after a number: "40 people", "40人", "四十位".
PEOPLE_WORDS_EN = ("people", "persons", "person", "participants", "attendees", "guests",
                   "residents", "seats", "seniors", "pax", "visitors", "audience")
PEOPLE_WORDS_ZH = ("人", "位", "名居民", "名老人", "个人", "座")
VOLUNTEER_WORDS_EN = ("volunteers", "volunteer", "helpers", "helper", "backbones")
VOLUNTEER_WORDS_ZH = ("志愿者", "义工", "帮手", "骨干")

ENGLISH_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "a couple of": 2, "couple of": 2,
    "pair of": 2, "a pair of": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12, "dozen": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100, "one hundred": 100,
    "several": 3, "a few": 3, "few": 3,
}

# Words that carry no meaning for retrieval once the structure is parsed.
STOP_WORDS_EN = frozenset("""
a an the of for to in on at by with and or but near nearby around close from into about as is
are be we our us i me my need needs want wants looking look find some any that which who
this next coming week weekend day days am pm please can could would should will also plus
there their them they it its what where when how all each per people person room rooms
know knows who knowing able afternoon morning evening tonight today tomorrow one two three
""".split())
STOP_WORDS_ZH = frozenset("""
的 了 在 和 与 及 或 一 一个 一间 一名 找 需要 要 请 能 能坐 可以 附近 周边 旁边 一下 我们 帮 帮忙
个 名 位 间 场 次 办 举办 参加 参与 开展 组织 进行 会 懂 人 到 给 为 让 把 对 是 有 这 那 并 再 还 也 等
""".split())

"""The platform's vocabulary: every enumeration a contract uses, each code with the
Simplified Chinese label a person reads.

This module is the one place an enumeration is written. The contracts take their choices
from here (``tuple(vocabulary.UNIT_KINDS)``), the gateway serves the whole of it at
``GET /api/v1/vocabulary`` and the console builds every select, badge and column label from
that answer: a code never needs a label written twice. Codes stay machine-readable
(English words in snake case); labels are for people.

Each enumeration is a dict, code -> label, in the order a person should see the codes.
"""

# -- registry: units and their reorganisation ----------------------------------------------

COUNTY_KINDS = {
    "county": "县", "county_city": "县级市", "district": "市辖区",
    "development_zone": "开发区",
}
TOWN_KINDS = {"town": "镇", "township": "乡", "street": "街道"}
COMMUNITY_KINDS = {"urban_community": "城市社区", "rural_community": "农村社区"}
UNIT_KINDS = {**COMMUNITY_KINDS, "village": "行政村"}
UNIT_STATUSES = {"active": "在册", "inactive": "已撤销"}
DIVISION_LEVELS = {"province": "省级", "city": "地市级", "county": "县（市、区）",
                   "town": "乡镇（街道）", "community": "社区（村）"}
ELECTION_RESULTS = {"elected": "选举成功", "failed": "选举未成功"}
# NBS urban-rural classification (城乡分类代码)
URBAN_RURAL_CODES = {
    "111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区",
    "123": "特殊区域", "210": "乡中心区", "220": "村庄",
}
# 村级组织"转、并、联"
REORGANISATION_KINDS = {"convert": "转（村改居）", "merge": "并（合并）", "federate": "联（联建）"}
BODY_KINDS = {
    "residents_committee": "居民委员会", "villagers_committee": "村民委员会",
    "deliberation_supervision_committee": "议事和监督委员会",
    "residents_assembly": "居民会议", "representative_assembly": "居（村）民代表会议",
    "collective_economic_organisation": "集体经济组织",
}
ADVISER_KINDS = {"lawyer": "律师", "notary": "公证员", "legal_service_worker": "基层法律服务工作者"}
EDUCATION_PLACE_KINDS = {
    "counselling_station": "法制辅导站", "legal_school": "法制学校",
    "publicity_board": "法制宣传栏", "library": "法律图书室",
}
CULTURE_VENUE_KINDS = {"park": "法治公园", "street": "法治街区", "square": "法治广场",
                       "market": "法治集市"}
DISCLOSURE_KINDS = {"party": "党务公开", "community": "居（村）务公开", "financial": "财务公开"}
TARGET_GROUPS = {"elderly": "老年人", "disabled": "残疾人", "poor": "困难群众",
                 "left_behind_children": "留守儿童"}

# -- evaluation -------------------------------------------------------------------------------

STAGES = {"framework": "第一年搭框架", "deepening": "第二年抓深化",
          "full_compliance": "第三年全面达标"}
# a community's stage in a year, including before its reorganisation formed it
CAMPAIGN_STAGES = {"not_yet_formed": "尚未组建", **STAGES}
DISCLOSURE_SCHEDULES = {"monthly": "按月", "quarterly": "按季度"}
INDICATOR_KINDS = {
    "yes_no": "是否项", "count": "计数项", "ratio": "比率项", "inspection": "检查项",
    "satisfaction": "群众满意度", "derived": "数据派生项",
}
FACTS = {
    "has_legal_adviser": "配备法律顾问", "election_held": "依法换届选举",
    "disclosures_on_time": "按时公开", "mediation_success_rate": "调解成功率",
}
VETO_TRIGGER_EVENTS = {"election_held": "换届选举", "mediation_case_closed": "调解案件结案"}
INSPECTION_KINDS = {"special": "专项检查", "spot_check": "随机抽查"}
DRAW_STATUSES = {"committed": "已承诺（待揭晓）", "revealed": "已揭晓", "superseded": "已重抽作废"}
SCHEME_STATUSES = {"active": "现行", "superseded": "已替代"}
TITLE_STATUSES = {
    "held": "有效", "pending_decision": "待决定", "revoked": "已撤销（摘牌）",
    "cancelled": "已注销", "expired": "已到期",
}
VETO_STATUSES = {"proposed": "已提出（待确认）", "confirmed": "一票否决", "dismissed": "已驳回"}
VETO_DECISIONS = {"confirm": "确认否决", "dismiss": "驳回"}
# what happens to the title of a village merged away (并): the new unit carries it, or it ends
MERGED_TITLE_DECISIONS = {"transfer": "由合并后单位承继", "cancel": "注销"}
TITLE_ACTIONS = {"awarded": "授牌", "re_evaluation_due": "到期复评", "kept": "复评保留",
                 "revoked": "撤销（摘牌）", "cancelled": "注销"}
TITLE_LEVELS = {"county": "县级", "city": "市级", "province": "省级", "national": "全国"}
AWARDED_TITLES = {"rule_of_law_community": "民主法治示范村（社区）"}
# titles other departments award that require a current rule-of-law title (前置条件)
DEPENDENT_TITLES = {
    "safe_community": "平安社区", "civilised_community": "文明社区",
    "harmonious_community": "和谐社区", "beautiful_village": "美丽乡村",
    "prosperous_model_village": "小康示范村", "clean_governance_village": "清廉示范村",
    "happy_community": "幸福社区",
}

# -- mediation --------------------------------------------------------------------------------

MEDIATION_KINDS = {
    "people": "人民调解", "medical": "医疗纠纷调解（医调）", "litigation": "诉调对接",
    "police": "警调对接", "traffic": "交通事故调解（交调）", "procuratorate": "检调对接",
}
REFERRER_KINDS = {
    "court": "法院", "police_station": "派出所", "traffic_police": "公安交通管理部门",
    "procuratorate": "检察院", "hospital": "医疗机构", "health_authority": "卫生健康部门",
}
CHANNELS = {"application": "群众申请", "referral": "部门移送"}
DISPUTE_CATEGORIES = {
    "neighbourhood": "邻里纠纷", "marriage_family": "婚姻家庭", "property": "物业与财产",
    "contract": "合同", "labour": "劳动争议", "damages": "损害赔偿", "medical": "医疗纠纷",
    "traffic": "道路交通事故", "land": "土地", "minor_criminal": "轻微刑事", "other": "其他",
}
PARTY_ROLES = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人"}
CASE_STATUSES = {
    "received": "已收件", "accepted": "已受理", "declined": "不予受理", "mediating": "调解中",
    "paused": "中止计时", "agreement": "达成协议", "failure": "调解不成",
    "confirmation_requested": "已申请司法确认", "confirmed": "已司法确认",
    "confirmation_refused": "确认被驳回", "returned": "已退回移送部门", "closed": "已结案",
}
RESULTS = {"agreement": "达成协议", "failure": "调解不成", "declined": "不予受理"}
CASE_DEADLINES = {"acceptance": "受理期限", "mediation": "调解期限",
                  "judicial_confirmation": "司法确认申请期限"}
CASE_ACTIONS = {
    "accept": "受理", "decline": "不予受理", "assign_mediator": "指派调解员",
    "extend": "延长期限", "pause": "中止计时", "resume": "恢复计时",
    "record_agreement": "记录调解协议", "record_failure": "记录调解不成",
    "request_confirmation": "申请司法确认", "confirm": "司法确认",
    "refuse_confirmation": "驳回确认申请", "resume_mediation": "恢复调解",
    "return_to_referrer": "退回移送部门", "close": "结案",
}
LEGAL_AID_STATUSES = {
    "received": "已收件", "granted": "准予援助", "refused": "不予援助", "objected": "异议审查中",
    "assigned": "已指派", "closed": "已结案",
}
LEGAL_AID_DEADLINES = {"decision": "审查决定", "assignment": "指派", "objection_review": "异议审查"}
LEGAL_AID_OUTCOMES = {"completed": "办结", "terminated": "终止援助"}
LEGAL_AID_ACTIONS = {
    "grant": "准予援助", "refuse": "不予援助", "assign": "指派承办人", "object": "提出异议",
    "uphold_objection": "异议成立", "dismiss_objection": "维持原决定", "close": "结案",
}
PROVIDER_KINDS = {"lawyer": "律师", "legal_aid_officer": "法律援助机构工作人员",
                  "grassroots_legal_worker": "基层法律服务工作者", "notary": "公证员"}
HOTLINE_TOPICS = {
    "marriage_family": "婚姻家庭", "labour": "劳动争议", "property": "物业与财产",
    "contract": "合同", "damages": "损害赔偿", "criminal": "刑事", "administrative": "行政",
    "other": "其他",
}

# -- notifications, jobs, people --------------------------------------------------------------

NOTIFICATION_CHANNELS = {"inbox": "站内收件箱", "webhook": "Webhook 推送", "email": "电子邮件"}
DELIVERY_STATUSES = {"pending": "待投递", "delivered": "已投递", "dead": "投递失败"}
JOB_STATUSES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
ROLES = {
    "platform_admin": "平台管理员", "civil_affairs_officer": "民政干部",
    "justice_officer": "司法行政干部", "evaluator": "评审员", "inspector": "督查员",
    "mediator": "调解员", "linked_department_officer": "联动部门干部", "viewer": "查看者",
    "resident": "群众",
}
# every event a service announces (the notifications inbox and subscriptions name them)
EVENT_TYPES = {
    "county_registered": "县级单位登记", "town_registered": "乡镇（街道）登记",
    "community_registered": "社区（村）登记", "community_updated": "社区（村）信息变更",
    "community_reorganised": "村级组织转并联", "unit_snapshot": "单位信息同步",
    "election_held": "换届选举完成", "election_due": "换届选举到期",
    "legal_adviser_assigned": "法律顾问配备", "legal_adviser_removed": "法律顾问撤回",
    "affairs_disclosed": "事务公开", "registry_job_finished": "登记任务完成",
    "evaluation_score_changed": "考评得分变化", "community_vetoed": "一票否决",
    "veto_proposed": "提出一票否决", "title_awarded": "授予称号", "title_revoked": "称号撤销",
    "re_evaluation_due": "称号复核到期", "spot_check_announced": "随机抽查公布",
    "evaluation_job_finished": "考评任务完成",
    "mediation_case_received": "调解案件收件", "mediation_case_accepted": "调解案件受理",
    "mediation_case_declined": "调解案件不予受理", "mediation_case_closed": "调解案件结案",
    "mediation_case_returned": "调解案件退回", "mediation_case_overdue": "调解案件超期",
    "mediation_confirmation_decided": "司法确认结果", "legal_aid_overdue": "法律援助超期",
    "registry_audit_checkpoint": "登记服务审计检查点",
    "evaluation_audit_checkpoint": "考评服务审计检查点",
    "mediation_audit_checkpoint": "调解服务审计检查点",
    "notifications_audit_checkpoint": "通知服务审计检查点",
}

# name -> enumeration: what GET /api/v1/vocabulary serves (names are the API's)
VOCABULARY = {
    "county_kinds": COUNTY_KINDS, "town_kinds": TOWN_KINDS, "unit_kinds": UNIT_KINDS,
    "unit_statuses": UNIT_STATUSES, "division_levels": DIVISION_LEVELS,
    "election_results": ELECTION_RESULTS, "campaign_stages": CAMPAIGN_STAGES,
    "veto_decisions": VETO_DECISIONS, "merged_title_decisions": MERGED_TITLE_DECISIONS,
    "title_actions": TITLE_ACTIONS, "case_deadlines": CASE_DEADLINES,
    "legal_aid_outcomes": LEGAL_AID_OUTCOMES, "urban_rural_codes": URBAN_RURAL_CODES,
    "reorganisation_kinds": REORGANISATION_KINDS, "body_kinds": BODY_KINDS,
    "adviser_kinds": ADVISER_KINDS, "education_place_kinds": EDUCATION_PLACE_KINDS,
    "culture_venue_kinds": CULTURE_VENUE_KINDS, "disclosure_kinds": DISCLOSURE_KINDS,
    "target_groups": TARGET_GROUPS,
    "stages": STAGES, "disclosure_schedules": DISCLOSURE_SCHEDULES,
    "indicator_kinds": INDICATOR_KINDS, "facts": FACTS,
    "veto_trigger_events": VETO_TRIGGER_EVENTS, "inspection_kinds": INSPECTION_KINDS,
    "draw_statuses": DRAW_STATUSES, "scheme_statuses": SCHEME_STATUSES,
    "title_statuses": TITLE_STATUSES, "veto_statuses": VETO_STATUSES,
    "title_levels": TITLE_LEVELS, "awarded_titles": AWARDED_TITLES,
    "dependent_titles": DEPENDENT_TITLES,
    "mediation_kinds": MEDIATION_KINDS, "referrer_kinds": REFERRER_KINDS,
    "channels": CHANNELS, "dispute_categories": DISPUTE_CATEGORIES,
    "party_roles": PARTY_ROLES, "case_statuses": CASE_STATUSES, "results": RESULTS,
    "case_actions": CASE_ACTIONS, "legal_aid_statuses": LEGAL_AID_STATUSES,
    "legal_aid_deadlines": LEGAL_AID_DEADLINES, "legal_aid_actions": LEGAL_AID_ACTIONS,
    "provider_kinds": PROVIDER_KINDS, "hotline_topics": HOTLINE_TOPICS,
    "notification_channels": NOTIFICATION_CHANNELS, "delivery_statuses": DELIVERY_STATUSES,
    "job_statuses": JOB_STATUSES, "roles": ROLES, "event_types": EVENT_TYPES,
}


def label(enumeration, code):
    """The label of ``code`` in ``enumeration`` (a name of VOCABULARY), or the code itself."""
    return VOCABULARY[enumeration].get(code, code)

"""The platform's vocabulary: every enumeration a contract uses, each code with the
Simplified Chinese label a person reads.

This module is the one place an enumeration is written. The contracts take their choices
from here (``tuple(vocabulary.UNIT_KINDS)``), the gateway serves the whole of it at
``GET /api/v1/vocabulary`` and the console builds every select, badge and column label from
that answer: a code never needs a label written twice. Codes stay machine-readable
(English words in snake case); labels are for people.

Each enumeration is a dict, code -> label, in the order a person should see the codes.
The words of the API itself (operations, fields, parts) are in ``api_words``, served here.
"""
from fazhi_common.contracts.api_words import API_PARTS, FIELDS, OPERATIONS

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
    "party_organisation": "党组织", "residents_committee": "居民委员会",
    "villagers_committee": "村民委员会",
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
# community self-governance (基层自治)
MEETING_KINDS = {
    "villagers_meeting": "村民会议", "villagers_representative_meeting": "村民代表会议",
    "residents_meeting": "居民会议", "residents_representative_meeting": "居民代表会议",
}
GRID_REPORT_KINDS = {"dispute": "矛盾纠纷", "risk": "风险隐患"}
GRID_REPORT_STATUSES = {"recorded": "已登记", "referred": "已转人民调解",
                        "with_mediation": "调解组织已收件", "closed": "调解已结案"}
FUNDING_SOURCES = {"fiscal": "财政预算", "town": "乡镇（街道）拨付", "collective": "集体经济",
                   "donation": "社会捐赠", "other": "其他"}
SERVICE_EVALUATIONS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
CULTURE_WORK_KINDS = {"drama": "小品戏剧", "song": "歌曲", "quyi": "曲艺", "video": "微电影短视频",
                      "exhibition": "展览", "other": "其他"}
# the registry's records an indicator may be scored from (record_kept)
RECORD_KINDS = {
    "conventions": "居民公约（村规民约）", "education_places": "法治宣传教育阵地",
    "culture_venues": "法治文化阵地", "bodies": "自治组织与党组织", "grids": "网格",
    "legal_reviews": "重大事项法律论证", "meetings": "居（村）民会议和代表会议",
    "major_matters": "四议两公开事项", "outreach_activities": "法律志愿服务",
    "health_checks": "企业法律体检", "funding_lines": "工作经费",
    "culture_performances": "法治文艺巡演",
}
TARGET_GROUPS = {"elderly": "老年人", "disabled": "残疾人", "poor": "困难群众",
                 "left_behind_children": "留守儿童"}

# -- evaluation -------------------------------------------------------------------------------

STAGES = {"framework": "第一年搭框架", "deepening": "第二年抓深化",
          "full_compliance": "第三年全面达标"}
# a community's stage in a year, including before its reorganisation formed it
CAMPAIGN_STAGES = {"not_yet_formed": "尚未组建", **STAGES}
# monthly_where_busy: monthly where the collective's finances are busy, else quarterly
# (村民委员会组织法 art. 30)
DISCLOSURE_SCHEDULES = {"monthly": "按月", "quarterly": "按季度",
                        "monthly_where_busy": "集体财务往来较多的按月，其余按季度"}
INDICATOR_KINDS = {
    "yes_no": "是否项", "count": "计数项", "ratio": "比率项", "inspection": "检查项",
    "satisfaction": "群众满意度", "derived": "数据派生项",
}
FACTS = {
    "has_legal_adviser": "配备法律顾问", "election_held": "依法换届选举",
    "disclosures_on_time": "按时公开", "mediation_success_rate": "调解成功率",
    "record_present": "登记记录：有", "record_count": "登记记录：数量",
    "record_share": "登记记录：合规比例",
    "no_one_lost_from_supervision": "社区矫正无脱管、漏管",
}
VETO_TRIGGER_EVENTS = {"election_held": "换届选举", "mediation_case_closed": "调解案件结案"}
INSPECTION_KINDS = {"special": "专项检查", "spot_check": "随机抽查"}
DRAW_STATUSES = {"committed": "已承诺（待揭晓）", "revealed": "已揭晓", "superseded": "已重抽作废"}
SCHEME_STATUSES = {"active": "现行", "superseded": "已替代"}
# proposed: one of the two departments of the level has named it, the other not yet
TITLE_STATUSES = {
    "proposed": "待另一部门决定",
    "held": "有效", "pending_decision": "待决定", "revoked": "已撤销（摘牌）",
    "cancelled": "已注销", "expired": "已到期",
}
VETO_STATUSES = {"proposed": "已提出（待确认）", "confirmed": "一票否决", "dismissed": "已驳回"}
VETO_DECISIONS = {"confirm": "确认否决", "dismiss": "驳回"}
# what happens to the title of a village merged away (并): the new unit carries it, or it ends
MERGED_TITLE_DECISIONS = {"transfer": "由合并后单位承继", "cancel": "注销"}
TITLE_ACTIONS = {"awarded": "命名", "re_evaluation_due": "到期复核", "kept": "复核保留",
                 "revoked": "撤销（摘牌）", "cancelled": "注销"}
# titles are named, revoked and re-examined jointly by the two departments of the level
TITLE_DEPARTMENTS = {"justice": "司法行政部门", "civil_affairs": "民政部门"}
TITLE_ACTS = {"award": "命名", "revoke": "撤销", "re_examine": "复核"}
RE_EXAMINATION_OUTCOMES = {"keep": "保留", "revoke": "撤销", "cancel": "注销"}
# what one department decided: to name, or a revocation or re-examination outcome
TITLE_DECISION_OUTCOMES = {"award": "命名", **RE_EXAMINATION_OUTCOMES}
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
# the amount a case claims, in the bands the returns count (mediation.domain has the bounds)
AMOUNT_BANDS = {"none": "未涉及金额", "under_10k": "1万元以下", "10k_100k": "1万元至10万元",
                "100k_1m": "10万元至100万元", "over_1m": "100万元以上"}
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
                  "judicial_confirmation": "司法确认申请期限", "court_decision": "法院审查期限"}
# traffic disputes: mediation by the traffic police or by the people's mediation committee
TRAFFIC_PROCEDURES = {"police_mediation": "交警调解", "people_mediation": "人民调解（交调委）"}
BASIS_DOCUMENTS = {"liability_finding": "道路交通事故认定书",
                   "accident_certificate": "道路交通事故证明", "review_conclusion": "复核结论",
                   "termination_document": "调解终结书"}
PERIOD_START_EVENTS = {"treatment_ended": "治疗终结", "disability_assessed": "定残",
                       "funeral_ended": "丧葬事宜结束", "loss_known": "损失确定"}
CASE_ACTIONS = {
    "accept": "受理", "decline": "不予受理", "assign_mediator": "指派调解员",
    "extend": "延长期限", "pause": "中止计时", "resume": "恢复计时",
    "record_agreement": "记录调解协议", "record_failure": "记录调解不成",
    "request_confirmation": "申请司法确认", "confirm": "司法确认",
    "refuse_confirmation": "驳回确认申请", "resume_mediation": "恢复调解",
    "return_to_referrer": "退回移送部门", "close": "结案",
    "extend_court_decision": "法院延长审查期限",
    # what the platform itself records in a case's timeline
    "recompute_deadline": "工作日历变更·期限重算", "deemed_not_settled": "视为调解不成",
    "flag_for_officer": "待人工审定",
}
LEGAL_AID_STATUSES = {
    "received": "已收件", "awaiting_materials": "待补充材料", "granted": "准予援助",
    "refused": "不予援助", "objected": "异议审查中", "assigned": "已指派",
    "terminated": "已终止援助", "closed": "已结案",
}
LEGAL_AID_DEADLINES = {"decision": "审查决定", "materials": "补充材料", "assignment": "指派",
                       "objection_review": "异议审查"}
# how an aided matter is closed by the agency (the close step's choices)
LEGAL_AID_OUTCOMES = {"completed": "办结", "terminated": "终止援助"}
# every end an application can have, those above included
LEGAL_AID_RESULTS = {**LEGAL_AID_OUTCOMES, "refused": "不予援助", "withdrawn": "视为撤回"}
LEGAL_AID_ACTIONS = {
    "request_materials": "通知补充材料", "supply_materials": "材料已补齐",
    "grant": "准予援助", "refuse": "不予援助", "assign": "指派承办人",
    "terminate": "终止援助", "object": "提出异议",
    "uphold_objection": "异议成立", "dismiss_objection": "维持原决定", "close": "结案",
}
# 三级政府法律顾问: the government served, the adviser, each opinion's kind
GOVERNMENT_LEVELS = {"city": "市", "county": "县（市、区）", "town": "镇（街道）"}
GOVERNMENT_ADVISER_KINDS = {"person": "个人", "firm": "律师事务所"}
OPINION_KINDS = {"contract_review": "合同审查", "major_decision": "重大决策",
                 "normative_document": "规范性文件", "litigation": "诉讼"}
PROVIDER_KINDS = {"lawyer": "律师", "legal_aid_officer": "法律援助机构工作人员",
                  "grassroots_legal_worker": "基层法律服务工作者", "notary": "公证员"}
HOTLINE_TOPICS = {
    "marriage_family": "婚姻家庭", "labour": "劳动争议", "property": "物业与财产",
    "contract": "合同", "damages": "损害赔偿", "criminal": "刑事", "administrative": "行政",
    "other": "其他",
}

# -- corrections (社区矫正, 安置帮教) ------------------------------------------------------------

PERSON_KINDS = {"correction": "社区矫正", "resettlement": "安置帮教"}
# 社区矫正法 第二条
CORRECTION_TYPES = {"control": "管制", "probation": "缓刑", "parole": "假释",
                    "temporary_outside": "暂予监外执行"}
CORRECTION_STATUSES = {
    "awaiting_report": "待报到", "under_correction": "在矫", "lost_contact": "脱管",
    "released": "已解除矫正", "terminated": "已终止矫正", "in_resettlement": "安置帮教中",
    "help_ended": "帮教已结束"}
CORRECTION_ACTIONS = {
    "report_in": "报到", "lose_contact": "登记脱管", "regain_contact": "恢复监管",
    "make_plan": "制定矫正方案", "record_report": "记录定期报告", "record_visit": "记录走访",
    "record_assessment": "记录考核", "reward": "奖励", "penalise": "处罚",
    "assign_officer": "变更矫正负责人", "release": "解除矫正", "terminate": "终止矫正",
    "end_help": "结束安置帮教", "penalty_due": "应予处理",
    "recompute_deadline": "工作日历变更·期限重算"}
# the time limits of a file the working calendar counts (社区矫正法 第二十一条)
CORRECTION_DEADLINES = {"report": "报到期限"}
# what changed a community's counts (the corrections_counts_changed event's ``change``)
CORRECTION_COUNT_CHANGES = {"intake": "接收登记", **CORRECTION_ACTIONS, "unreported": "逾期未报到"}
TERMINATION_REASONS = {"probation_revoked": "撤销缓刑", "parole_revoked": "撤销假释",
                       "committed": "收监执行", "died": "死亡"}
HELP_END_REASONS = {"completed": "帮教期满", "reoffended": "重新犯罪", "died": "死亡",
                    "moved_away": "迁出"}
CORRECTION_REWARDS = {"commendation": "表扬"}
CORRECTION_PENALTIES = {
    "reprimand": "训诫", "warning": "警告", "security_penalty_proposal": "提请治安管理处罚",
    "revocation_proposal": "提请撤销缓刑、假释", "committal_proposal": "提请收监执行"}
PENALTY_GROUNDS = {
    "late_report": "逾期报到", "lost_contact": "脱离监管", "leave_rules": "违反外出规定",
    "reporting_rules": "违反报告规定", "prohibition_order": "违反禁止令",
    "two_warnings": "两次警告仍不改正", "other": "其他"}
ASSESSMENT_GRADES = {"good": "好", "fair": "一般", "poor": "差"}
# 实施办法 第二十六条: the good reasons for leaving the city or county
LEAVE_REASONS = {"medical": "就医", "study": "就学", "litigation": "参与诉讼",
                 "family": "家庭重要事务", "work": "工作重要事务"}
LEAVE_LEVELS = {"town": "司法所", "county": "县级社区矫正机构", "higher": "上一级社区矫正机构"}
LEAVE_STATUSES = {"requested": "待审批", "approved": "已批准", "refused": "不予批准",
                  "returned": "已返回"}

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
    "record_kept": "登记记录变更", "grid_report_filed": "网格排查矛盾纠纷转调解",
    "evaluation_score_changed": "考评得分变化", "community_vetoed": "一票否决",
    "veto_proposed": "提出一票否决", "title_awarded": "授予称号", "title_revoked": "称号撤销",
    "re_evaluation_due": "称号复核到期", "spot_check_announced": "随机抽查公布",
    "evaluation_job_finished": "考评任务完成",
    "mediation_case_received": "调解案件收件", "mediation_case_accepted": "调解案件受理",
    "mediation_case_declined": "调解案件不予受理", "mediation_case_closed": "调解案件结案",
    "mediation_case_returned": "调解案件退回", "mediation_case_overdue": "调解案件超期",
    "mediation_confirmation_decided": "司法确认结果", "legal_aid_overdue": "法律援助超期",
    "mediation_deadline_recomputed": "调解期限重算", "mediation_job_finished": "调解任务完成",
    "mediation_legal_aid_requested": "调解不成转法律援助",
    "legal_aid_deadline_recomputed": "法律援助期限重算",
    "legalservices_job_finished": "公共法律服务任务完成",
    "registry_audit_checkpoint": "登记服务审计检查点",
    "evaluation_audit_checkpoint": "考评服务审计检查点",
    "mediation_audit_checkpoint": "调解服务审计检查点",
    "legalservices_audit_checkpoint": "公共法律服务审计检查点",
    "notifications_audit_checkpoint": "通知服务审计检查点",
    "corrections_counts_changed": "社区矫正人数变化",
    "corrections_deadline_recomputed": "社区矫正报到期限重算",
    "corrections_job_finished": "社区矫正任务完成",
    "corrections_audit_checkpoint": "社区矫正服务审计检查点",
}

# name -> enumeration: what GET /api/v1/vocabulary serves (names are the API's)
VOCABULARY = {
    "county_kinds": COUNTY_KINDS, "town_kinds": TOWN_KINDS, "unit_kinds": UNIT_KINDS,
    "unit_statuses": UNIT_STATUSES, "division_levels": DIVISION_LEVELS,
    "election_results": ELECTION_RESULTS, "campaign_stages": CAMPAIGN_STAGES,
    "veto_decisions": VETO_DECISIONS, "merged_title_decisions": MERGED_TITLE_DECISIONS,
    "title_actions": TITLE_ACTIONS, "title_departments": TITLE_DEPARTMENTS,
    "title_acts": TITLE_ACTS, "re_examination_outcomes": RE_EXAMINATION_OUTCOMES,
    "title_decision_outcomes": TITLE_DECISION_OUTCOMES, "case_deadlines": CASE_DEADLINES,
    "legal_aid_outcomes": LEGAL_AID_OUTCOMES, "urban_rural_codes": URBAN_RURAL_CODES,
    "reorganisation_kinds": REORGANISATION_KINDS, "body_kinds": BODY_KINDS,
    "adviser_kinds": ADVISER_KINDS, "education_place_kinds": EDUCATION_PLACE_KINDS,
    "culture_venue_kinds": CULTURE_VENUE_KINDS, "disclosure_kinds": DISCLOSURE_KINDS,
    "target_groups": TARGET_GROUPS, "meeting_kinds": MEETING_KINDS,
    "grid_report_kinds": GRID_REPORT_KINDS, "grid_report_statuses": GRID_REPORT_STATUSES,
    "funding_sources": FUNDING_SOURCES, "service_evaluations": SERVICE_EVALUATIONS,
    "culture_work_kinds": CULTURE_WORK_KINDS, "record_kinds": RECORD_KINDS,
    "stages": STAGES, "disclosure_schedules": DISCLOSURE_SCHEDULES,
    "indicator_kinds": INDICATOR_KINDS, "facts": FACTS,
    "veto_trigger_events": VETO_TRIGGER_EVENTS, "inspection_kinds": INSPECTION_KINDS,
    "draw_statuses": DRAW_STATUSES, "scheme_statuses": SCHEME_STATUSES,
    "title_statuses": TITLE_STATUSES, "veto_statuses": VETO_STATUSES,
    "title_levels": TITLE_LEVELS, "awarded_titles": AWARDED_TITLES,
    "dependent_titles": DEPENDENT_TITLES,
    "mediation_kinds": MEDIATION_KINDS, "referrer_kinds": REFERRER_KINDS,
    "channels": CHANNELS, "dispute_categories": DISPUTE_CATEGORIES,
    "amount_bands": AMOUNT_BANDS,
    "party_roles": PARTY_ROLES, "case_statuses": CASE_STATUSES, "results": RESULTS,
    "case_actions": CASE_ACTIONS, "traffic_procedures": TRAFFIC_PROCEDURES,
    "basis_documents": BASIS_DOCUMENTS, "period_start_events": PERIOD_START_EVENTS,
    "legal_aid_statuses": LEGAL_AID_STATUSES,
    "legal_aid_deadlines": LEGAL_AID_DEADLINES, "legal_aid_actions": LEGAL_AID_ACTIONS,
    "provider_kinds": PROVIDER_KINDS, "hotline_topics": HOTLINE_TOPICS,
    "legal_aid_results": LEGAL_AID_RESULTS, "government_levels": GOVERNMENT_LEVELS,
    "government_adviser_kinds": GOVERNMENT_ADVISER_KINDS, "opinion_kinds": OPINION_KINDS,
    "notification_channels": NOTIFICATION_CHANNELS, "delivery_statuses": DELIVERY_STATUSES,
    "job_statuses": JOB_STATUSES, "roles": ROLES, "event_types": EVENT_TYPES,
    "person_kinds": PERSON_KINDS, "correction_types": CORRECTION_TYPES,
    "correction_statuses": CORRECTION_STATUSES, "correction_actions": CORRECTION_ACTIONS,
    "correction_count_changes": CORRECTION_COUNT_CHANGES,
    "correction_deadlines": CORRECTION_DEADLINES,
    "termination_reasons": TERMINATION_REASONS, "help_end_reasons": HELP_END_REASONS,
    "correction_rewards": CORRECTION_REWARDS, "correction_penalties": CORRECTION_PENALTIES,
    "penalty_grounds": PENALTY_GROUNDS, "assessment_grades": ASSESSMENT_GRADES,
    "leave_reasons": LEAVE_REASONS, "leave_levels": LEAVE_LEVELS,
    "leave_statuses": LEAVE_STATUSES,
}


def label(enumeration, code):
    """The label of ``code`` in ``enumeration`` (a name of VOCABULARY), or the code itself."""
    return VOCABULARY[enumeration].get(code, code)


# the words of the API itself, for the console's forms (``api_words``)
VOCABULARY["api_parts"] = API_PARTS
VOCABULARY["operations"] = OPERATIONS
VOCABULARY["fields"] = FIELDS

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


# -- the words of the API itself, for the console's forms ---------------------------------------

# every write operation (the OpenAPI operationId) as the console names it
OPERATIONS = {
    "auth.create_api_key_post": "签发接口密钥", "auth.revoke_api_key_post": "吊销接口密钥",
    "auth.create_user_post": "新建用户", "auth.change_user_patch": "修改、停用或启用用户",
    "auth.revoke_user_tokens_post": "注销用户的全部登录",
    "evaluation.submit_evidence_post": "提交指标自评及佐证",
    "evaluation.record_inspection_post": "记录专项检查或抽查结果",
    "evaluation.create_scheme_post": "新建考评标准",
    "evaluation.edit_scheme_post": "修订考评标准",
    "evaluation.draw_spot_check_post": "发起随机抽查", "evaluation.redraw_post": "重新抽取",
    "evaluation.reveal_draw_post": "揭晓抽查结果", "evaluation.award_title_post": "授予称号",

    "evaluation.revoke_title_post": "撤销称号（摘牌）",
    "evaluation.decide_on_reorganised_title_post": "决定合并后单位的称号",
    "evaluation.record_veto_post": "记录一票否决事项",
    "evaluation.decide_veto_post": "确认或驳回一票否决",
    "mediation.step_accept_post": "受理案件",
    "mediation.step_assign_mediator_post": "指派调解员", "mediation.step_close_post": "结案",
    "mediation.step_confirm_post": "记录司法确认", "mediation.step_decline_post": "不予受理",
    "mediation.step_extend_post": "延长调解期限", "mediation.step_pause_post": "中止计时",
    "mediation.step_record_agreement_post": "记录调解协议",
    "mediation.step_record_failure_post": "记录调解不成",
    "mediation.step_refuse_confirmation_post": "记录驳回确认",
    "mediation.step_request_confirmation_post": "申请司法确认",
    "mediation.step_resume_post": "恢复计时",
    "mediation.step_resume_mediation_post": "恢复调解",
    "mediation.step_return_to_referrer_post": "退回移送部门",
    "legalservices.legal_aid_from_case_post": "调解不成转法律援助",
    "legalservices.record_consultation_post": "登记12348来电咨询",
    "legalservices.apply_legal_aid_post": "登记法律援助申请",
    "legalservices.legal_aid_assign_post": "指派法律援助承办人",
    "legalservices.legal_aid_close_post": "法律援助结案",
    "legalservices.legal_aid_dismiss_objection_post": "维持不予援助决定",
    "legalservices.legal_aid_grant_post": "准予法律援助",
    "legalservices.legal_aid_object_post": "登记异议",
    "legalservices.legal_aid_refuse_post": "不予法律援助",
    "legalservices.legal_aid_uphold_objection_post": "异议成立",
    "mediation.register_organisation_post": "登记调解组织",
    "mediation.refer_post": "移送纠纷（诉调、警调、交调、检调、医调）",
    "notifications.replay_delivery_post": "重新投递",
    "notifications.acknowledge_alert_post": "标记已读",
    "notifications.create_subscription_post": "订阅提醒",
    "notifications.update_subscription_patch": "修改订阅",
    "notifications.delete_subscription_delete": "删除订阅",
    "registry.create_community_post": "登记社区（村）",
    "registry.update_community_patch": "修改社区（村）",
    "registry.add_conventions_post": "登记居（村）民公约",
    "registry.create_county_post": "登记县级单位",
    "registry.add_culture_venues_post": "登记法治文化阵地",
    "registry.add_disclosures_post": "登记事务公开",
    "registry.add_education_places_post": "登记法治宣传教育阵地",
    "registry.create_body_post": "登记自治组织及成员",
    "registry.record_election_post": "登记换届选举",
    "registry.set_health_check_target_post": "设定企业法治体检年度目标",
    "registry.add_health_checks_post": "登记企业法治体检",
    "registry.import_units_post": "批量导入单位名单",
    "registry.assign_adviser_post": "配备法律顾问",
    "registry.remove_adviser_post": "解聘法律顾问",
    "registry.add_legal_reviews_post": "登记重大事项法律论证",
    "registry.add_outreach_activities_post": "登记志愿服务活动",
    "registry.reorganise_post": "村级组织转并联",
    "registry.create_town_post": "登记乡镇（街道）",
    "registry.add_volunteers_post": "登记法律志愿者",
}

# every field of a write operation's body, as a form names it
FIELDS = {
    "active": "是否启用", "adopted_on": "通过日期", "adviser_kind": "顾问类别",
    "adviser_name": "顾问姓名", "amount_claimed": "标的（元）", "answered_by": "接听人",
    "applicant": "申请人", "area": "区域", "area_code": "区域代码", "assigned_on": "聘任日期",
    "attachments": "附件", "awarded_on": "授予日期", "body_kinds": "组织类型",
    "caller_phone": "来电号码", "categories": "类别", "channel": "渠道", "channels": "渠道",
    "checked_on": "体检日期", "code": "区划代码（12位）", "comment": "意见",
    "community_class": "社区类别", "community_code": "社区（村）代码", "conclusion": "结论",
    "consulted_on": "咨询日期", "content_base64": "文件内容", "county_code": "县级单位代码",
    "county_codes": "县级单位代码（可多个）", "court": "受理法院",
    "credit_code": "统一社会信用代码", "days": "天数", "decided_on": "决定日期",
    "decision": "决定", "deepening": "第二年达标线", "department": "部门",
    "description": "说明", "disclosed_on": "公开日期", "dispute_category": "纠纷类型",
    "draw_id": "抽查编号", "dry_run": "仅检查不写入", "economic_tier": "经济类型",
    "effective_on": "生效日期", "eligible_voters": "选民人数", "email": "电子邮件",
    "enterprise_name": "企业名称", "evaluated_on": "评定日期", "event": "事件",
    "event_types": "提醒事项", "evidence": "佐证材料", "fact": "数据项", "filename": "文件名",
    "findings": "发现问题", "framework": "第一年达标线", "full_compliance": "第三年达标线",
    "grace_days": "宽限天数", "granting_department": "授予部门", "held_on": "选举日期",
    "id_number": "身份证号码", "indicator_code": "指标代码", "indicators": "指标",
    "key": "代码", "kind": "类型", "lawyer_name": "律师姓名", "level": "级别",
    "liability_finding_on": "责任认定书送达日期", "match": "匹配条件", "matter": "事项",
    "max_points": "分值", "mediator": "调解员用户名", "members": "成员", "name": "名称",
    "new_unit": "新单位", "note": "备注", "on": "日期", "opened_on": "启用日期",
    "organisation": "所在机构", "organisation_id": "调解组织", "outcome": "结果",
    "parameters": "参数", "participants": "参与人数", "parties": "当事人",
    "parties_consent": "当事人同意", "parties_will_apply": "当事人将申请司法确认",
    "pass_thresholds": "达标线", "password": "密码", "per_county": "每县抽取数",
    "period": "年度", "phone": "电话", "provider": "承办人", "provider_kind": "承办人类别",
    "reason": "理由", "receipt_number": "回执编号", "received_on": "收件日期",
    "referrer_department": "移送部门", "referrer_kind": "移送部门类别",
    "referrer_reference": "移送部门文号", "removed_on": "解聘日期",
    "reorganised_on": "调整日期", "respondent_id": "答卷人身份证号码", "result": "结果",
    "result_code": "调整后单位代码", "reviewed_on": "论证日期", "reviewer": "论证人",
    "revised_on": "修订日期", "revoked_on": "撤销日期", "role": "角色",
    "satisfaction_min_sample": "满意度最少样本数", "satisfaction_threshold": "满意度达标线",
    "satisfied": "是否满意", "schedule": "公开周期", "secret": "查询密码", "share": "比例",
    "source_codes": "原单位代码（可多个）", "speciality": "专长", "started_on": "开始日期",
    "summary": "概要", "supervising_department": "监督部门", "target": "目标数",
    "target_group": "服务对象", "term_started_on": "本届开始日期", "term_years": "任期（年）",
    "terms": "协议内容", "threshold": "达标线", "title": "称号",
    "title_holders_only": "仅限称号单位", "today": "日期", "topic": "主题",
    "town_code": "乡镇（街道）代码", "triggers": "触发条件", "urban_rural_code": "城乡分类代码",
    "username": "用户名", "value": "数值", "veto_item": "否决事项", "veto_items": "否决事项",
    "volunteer_id": "志愿者编号", "votes_cast": "投票人数", "webhook_secret": "Webhook 密钥",
    "webhook_url": "Webhook 地址", "year": "年份",
}
# the parts of the API (its OpenAPI tags), as the console groups its forms
API_PARTS = {
    "registry": "区划与基层自治", "evaluation": "创建评价", "mediation": "调解与法律服务",
    "notifications": "消息提醒", "auth": "用户与接口密钥", "legalservices": "公共法律服务",
    "legal services": "公共法律服务", "corrections": "社区矫正与安置帮教",
}
# the ids a write operation's path names, and the traffic and court dates of a case
FIELDS.update({
    "basis_document": "据以申请的文书", "document_received_on": "文书送达日期",
    "traffic_procedure": "调解程序", "period_start_event": "调解期起算事由",
    "period_start_on": "起算日期", "court_accepted_on": "法院受理日期",
    "case_id": "案件编号", "application_id": "申请编号", "title_id": "称号编号",
    "veto_id": "否决记录编号", "body_id": "自治组织编号", "assignment_id": "聘任记录编号",
    "user_id": "用户编号", "key_pk": "密钥编号", "subscription_id": "订阅编号",
    "delivery_id": "投递编号", "alert_id": "提醒编号", "scheme_id": "考评标准编号",
})
OPERATIONS.update({
    "legalservices.legal_aid_request_materials_post": "通知补充材料（暂停计时）",
    "legalservices.legal_aid_supply_materials_post": "登记已补充材料",
    "legalservices.legal_aid_terminate_post": "终止法律援助",
    "legalservices.record_opinion_post": "登记法律顾问意见",
    "legalservices.record_visit_post": "登记律师进社区服务",
    "legalservices.register_adviser_post": "登记政府法律顾问",
    "corrections.intake_post": "社区矫正对象接收登记",
    "corrections.decide_leave_post": "审批外出请假",
    "corrections.request_leave_post": "登记外出请假",
    "corrections.return_from_leave_post": "登记销假",
    "corrections.step_assign_officer_post": "指定矫正工作人员",
    "corrections.step_end_help_post": "安置帮教期满",
    "corrections.step_lose_contact_post": "登记脱管",
    "corrections.step_make_plan_post": "制定矫正方案",
    "corrections.step_penalise_post": "给予处罚",
    "corrections.step_record_assessment_post": "登记考核评定",
    "corrections.step_record_report_post": "登记定期报告",
    "corrections.step_record_visit_post": "登记走访",
    "corrections.step_regain_contact_post": "登记恢复联系",
    "corrections.step_release_post": "解除矫正", "corrections.step_report_in_post": "登记报到",
    "corrections.step_reward_post": "给予表扬", "corrections.step_terminate_post": "终止矫正",
    "evaluation.re_examine_title_post": "称号复核（保留、撤销、注销）",
    "registry.add_culture_performances_post": "登记法治文艺创作巡演",
    "registry.add_funding_lines_post": "登记经费预算与支出",
    "registry.add_grid_reports_post": "登记网格排查发现", "registry.add_grids_post": "登记网格",
    "registry.add_major_matters_post": "登记重大事项（四议两公开）",
    "registry.add_meetings_post": "登记居（村）民会议或代表会议",
    "registry.add_purchased_services_post": "登记政府购买服务项目",
    "evaluation.record_paper_survey_answer_post": "录入纸质满意度问卷",
    "mediation.step_extend_court_decision_post": "记录法院延长审查期限",
    "registry.end_body_post": "自治组织届满或撤销",
    "registry.update_body_patch": "修改自治组织",
})
FIELDS.update({
    "address": "住址", "adviser_id": "法律顾问编号", "agenda": "议程", "amount": "金额（元）",
    "applied_on": "申请日期", "approve": "是否批准", "attended": "到会人数",
    "audience": "观众人数", "budgeted": "预算金额（元）",
    "collective_finances_busy": "集体财务往来较多", "contract_number": "合同编号",
    "correction_type": "矫正类别", "destination": "外出目的地", "discussed_on": "讨论日期",
    "eligible": "应到人数", "ended_on": "结束日期", "ends_on": "结束日期",
    "established_on": "成立日期", "evaluation_result": "评估结果", "examined_on": "复核日期",
    "firm": "律师事务所", "found_on": "发现日期", "given_on": "出具日期",
    "government_body": "服务的政府机关", "government_code": "政府所在区划代码",
    "grade": "考核等次", "grid_id": "网格编号", "ground": "处罚事由",
    "hours": "服务时长（小时）", "households": "户数", "households_present": "到会户数",
    "kinds": "类型", "late_reason": "逾期报到原因", "lawyer": "律师", "leave_id": "请假编号",
    "leaves_on": "离开日期", "meeting_id": "会议编号", "missing": "缺少的材料",
    "new_offence": "是否有新罪", "notes": "备注", "offence": "罪名", "officer": "矫正工作人员",
    "paid": "已付金额（元）", "performed_on": "演出日期", "person_id": "矫正对象编号",
    "place": "地点", "plan": "矫正方案", "proposed_on": "提议日期", "records": "记录类别",
    "residents_served": "服务群众人数", "resolution_disclosed_on": "决议公开日期",
    "resolutions": "决议", "resolved_on": "决议日期", "result_disclosed_on": "实施结果公开日期",
    "returned_on": "返回日期", "returns_on": "预计返回日期",
    "secretary_chairs_committee": "书记兼任主任（一肩挑）", "secretary_name": "书记姓名",
    "source": "来源", "spent": "支出金额（元）", "starts_on": "开始日期",
    "supply_by": "补充期限", "term_end": "合同期满", "term_ends_on": "矫正期满日期",
    "term_start": "合同起始", "troupe": "演出团队", "urgent_reason": "紧急外出原因",
    "visited_on": "服务日期", "collected_on": "收集日期", "votes_for": "赞成票数",
    "work_kind": "工作类别",
    "work_title": "作品名称", "worker_name": "网格员姓名",
})
VOCABULARY["api_parts"] = API_PARTS
VOCABULARY["operations"] = OPERATIONS
VOCABULARY["fields"] = FIELDS

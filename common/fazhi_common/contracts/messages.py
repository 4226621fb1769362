"""What a person reads when a request fails, in Simplified Chinese.

The gateway answers every error as problem+json with a machine-readable ``code``; the
``title`` a person reads comes from ``TITLES`` by that code, and the per-field messages of
validation (marshmallow's own wording and ours) are put into Chinese by ``translate``.
A caller that prefers English (``Accept-Language: en``) gets the original texts; the
console and the public pages get Chinese by default.
"""
import re

from fazhi_common.contracts import vocabulary

# the languages a person may read: the gateway picks one by Accept-Language (Chinese unless
# the caller prefers English) and passes it to a service that writes a text for a person
CHINESE, ENGLISH = "zh-CN", "en"
LANGUAGES = (CHINESE, ENGLISH)

TITLES = {
    "validation_failed": "请求中有不符合要求的内容",
    "not_found": "未找到",
    "conflict": "当前状态不允许此操作",
    "unauthenticated": "未登录或登录已过期",
    "forbidden": "无权进行此操作",
    "service_unavailable": "服务暂时不可用，请稍后再试",
    "rate_limited": "请求过于频繁，请稍后再试",
    "internal_error": "系统内部错误",
    "not_found_route": "未找到该地址",
    "method_not_allowed": "不支持该请求方法",
    "request_entity_too_large": "提交的内容过大",
    "bad_request": "请求格式有误",
    "unsupported_media_type": "不支持的内容类型",
}

# marshmallow's default messages and the house's recurring ones, word for word
EXACT = {
    "Missing data for required field.": "此项为必填项。",
    "Unknown field.": "未知字段。",
    "Field may not be null.": "此项不能为空。",
    "Not a valid string.": "不是有效的文本。",
    "Not a valid integer.": "不是有效的整数。",
    "Not a valid number.": "不是有效的数字。",
    "Not a valid boolean.": "不是有效的是/否值。",
    "Not a valid date.": "不是有效的日期（格式：YYYY-MM-DD）。",
    "Not a valid datetime.": "不是有效的日期时间。",
    "Not a valid list.": "不是有效的列表。",
    "Not a valid mapping type.": "不是有效的对象。",
    "Not a valid email address.": "不是有效的电子邮件地址。",
    "Not a valid URL.": "不是有效的网址。",
    "Invalid input type.": "输入类型无效。",
    "Invalid value.": "取值无效。",
    "Shorter than minimum length 1.": "不能为空。",
    "The request has invalid fields.": "请求中有不符合要求的字段。",
    "Name at least one field to change.": "请至少填写一项要修改的内容。",
    "outside your area": "超出您的管辖区域",
    "A period is a year (YYYY) or a month (YYYY-MM).":
        "统计期间须为年份（YYYY）或月份（YYYY-MM）。",
    "An area is a province, a city or a county.": "统计区域须为省、市或县（市、区）。",
    "The area asked for lies outside your area.": "所选统计区域不在您的管辖区域内。",
    "Too many requests from this address.": "来自此地址的请求过于频繁。",
    "Something went wrong on our side.": "系统内部错误。",
    # what the public pages (residents, no account) may be told
    "No application matches this receipt number and secret.":
        "没有与该受理编号和查询密码相符的申请，请核对后重试。",
    "The code does not match.": "验证码不正确。",
    "The code has expired; answer again for a new one.":
        "验证码已过期，请重新提交以获取新的验证码。",
    "No answer with this receipt is waiting for its code.": "没有等待验证的评价，请重新提交。",
    "The code is the six digits sent to the phone.": "验证码是发送到手机上的 6 位数字。",
    "A mainland mobile number: 11 digits beginning 13-19.": "请填写 11 位手机号码（13–19 开头）。",
    "A phone number is 5 to 20 digits.": "电话号码为 5 到 20 位数字。",
    "A resident ID number is 17 digits and a check character.":
        "身份证号码为 17 位数字加 1 位校验码。",
    "A period is an evaluation year, YYYY.": "考评周期为年份，如 2026。",
    "This resident has already answered for this community and period.":
        "您已对该社区（村）本年度作过评价。",
    "This phone has already confirmed an answer for this community and period; other "
    "residents sharing it answer on paper.":
        "该手机号码已为本社区（村）本年度确认过一份评价；同用此号码的其他居民请填写纸质问卷。",
}
PATTERNS = (
    (re.compile(r"^Must be one of: (.*)\.$"), "须为以下之一：{0}。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度须在 {0} 到 {1} 之间。"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不能超过 {0}。"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不能少于 {0}。"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     "须在 {0} 到 {1} 之间。"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "须不小于 {0}。"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "须不大于 {0}。"),
    (re.compile(r"^The (\w+) service is unavailable\.$"), "{0} 服务暂时不可用。"),
    (re.compile(r"^Quote incident (\w+) when reporting this\.$"), "报告问题时请提供事件编号 {0}。"),
    (re.compile(r"^(\S+) lies outside your area (\S+)\.$"), "{0} 不在您的管辖区域 {1} 内。"),
    (re.compile(r"^The role (\w+) may not do this\.$"), "角色 {0} 无权进行此操作。"),
    (re.compile(r"^No (.+) (\S+) is registered\.$"), "未找到 {1}（或不在您的管辖区域内）。"),
    (re.compile(r"^A valid 18-character resident ID number: .+\.$"),
     "请填写有效的 18 位居民身份证号码（出生日期和校验码须正确）。"),
    (re.compile(r"^No community (\S+) takes survey answers\.$"),
     "社区（村）代码 {0} 不接受评价：未登记或代码有误。"),
    (re.compile(r"^Answers are taken for the running period (\S+) only\.$"),
     "只接受本考评周期（{0}）的评价。"),
    (re.compile(r"^No spot-check draw (\d+)\.$"), "没有编号为 {0} 的抽查。"),
    # a mediation step past its period (the rule inside is already Chinese)
    (re.compile(r"^Judicial confirmation had to be applied for by (\S+) \((.*)\)\.$"),
     "司法确认申请期限已于 {0} 届满（{1}）。"),
    (re.compile(r"^The application window closed on (\S+) \((.*)\); the parties may apply "
                r"to the people's mediation committee or sue\.$"),
     "申请期限已于 {0} 届满（{1}）；当事人可以申请人民调解委员会调解或者向人民法院提起诉讼。"),
    # a title refused for the result it rests on (evaluation.titling.check_award)
    (re.compile(r"^(\S+) did not pass (\S+): vetoed for the period\.$"),
     "{0} 在 {1} 年度被一票否决，不能命名。"),
    (re.compile(r"^(\S+) did not pass (\S+): score (\S+) is below the (\w+) threshold "
                r"(\S+)\.$"),
     lambda code, period, score, stage, threshold: (
         f"{code} 在 {period} 年度考评未达标：得分 {score}，低于{_stage(stage)}阶段的合格线 "
         f"{threshold}，不能命名。")),
    (re.compile(r"^vetoed for the period$"), "本年度被一票否决"),
    (re.compile(r"^score (\S+) is below the (\w+) threshold (\S+)$"),
     lambda score, stage, threshold: f"得分 {score}，低于{_stage(stage)}阶段的合格线 {threshold}"),
)


def _stage(code):
    return vocabulary.STAGES.get(code, code)


def translate(text):
    """``text`` in Chinese where the catalogue knows it; else ``text`` unchanged."""
    if not isinstance(text, str):
        return text
    if text in EXACT:
        return EXACT[text]
    for pattern, template in PATTERNS:
        match = pattern.match(text)
        if match:
            # a template is a format string, or a function of the groups (for a code
            # inside the text that a vocabulary label names)
            if callable(template):
                return template(*match.groups())
            return template.format(*match.groups())
    return text


def translate_fields(errors):
    """A validation error's ``fields`` (nested dicts and lists of messages) in Chinese."""
    if isinstance(errors, dict):
        return {key: translate_fields(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate_fields(value) for value in errors]
    return translate(errors)

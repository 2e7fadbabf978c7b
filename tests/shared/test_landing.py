"""The public landing page lists what Orderline does today, and nothing it does not do
yet (prepaid balances, rebates, statements, promotions and webhooks are still to come).
When one of them lands, take its words off NOT_YET and add it to the page."""

import html
import re

import pytest

# words (English and Chinese) of features that do not exist yet
NOT_YET = {
    "en": ["prepaid", "balance", "rebate", "statement", "promotion", "webhook", "ledger",
           "coupon", "collects", "invoice"],
    "zh-hans": ["预存", "预付", "余额", "返利", "对账", "促销", "webhook", "流水", "优惠券",
                "收款", "发票"],
}
# what works, one phrase per feature the page must name
WORKS = {
    "en": ["Prices per dealer", "Colour × size grid", "Cart, quick order and checkout",
           "Approval workflow", "Shipments", "Returns", "Messages and notifications",
           "Roles for your team", "Open API", "Import and export", "Chinese and English",
           "Made for phones"],
    "zh-hans": ["一客一价", "颜色 × 尺码矩阵下单", "购物车、快速下单与结算", "审批流程", "退货",
                "订单留言与消息通知", "团队角色权限", "开放 API", "导入导出", "中英双语",
                "专为手机打造"],
}


def _visible_text(page):
    body = page.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_landing_page_lists_only_features_that_exist(public_client, language):
    public_client.cookies["django_language"] = language
    page = public_client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'lang="{language}"' in page
    text = _visible_text(page)
    promised = [word for word in NOT_YET[language] if word.lower() in text.lower()]
    assert promised == [], f"the landing page promises what does not exist yet: {promised}"
    missing = [feature for feature in WORKS[language] if feature not in text]
    assert missing == [], f"the landing page does not mention: {missing}"

"""Customers: three levels and ``CUSTOMERS_PER_SUPPLIER`` customers spread over the
supplier's cities, assigned to its sales reps, each with an address and a primary
ordering login (the supplier's demo dealer is the first one's); every fourth also a
second login that orders up to a limit. Skipped when the supplier has that many
customers."""

from django.contrib.auth import get_user_model

from demo import suppliers
from demo.loaders import regions
from roles.enums import UserKind

LEVELS = {
    "acme": [("Level 1 distributor", "82"), ("Level 2 distributor", "90"), ("Retailer", "100")],
    "globex": [("一级经销商", "80"), ("二级经销商", "88"), ("零售客户", "100")],
}
DEALER_WORDS = {
    "acme": (["Pearl River", "Golden Harbour", "Sunrise", "Evergreen", "Bluewater",
              "Silk Road", "Jade Garden", "Red Lantern", "Lotus", "Dragon Gate",
              "Peak", "Orchid", "East Lake", "Willow", "Summit", "Harmony",
              "Crystal Spring", "Phoenix", "Bamboo Grove", "Morning Star"],
             ["Trading Co.", "Beverage Supply", "Wholesale", "Distribution",
              "Food & Drink Mart", "Supermarket"]),
    "globex": (["衣尚", "锦绣", "丝路", "雅格", "天衣", "织梦", "云裳", "时尚汇",
                "布艺坊", "新潮", "美衣", "金羽", "蓝天", "华服", "优品", "江南",
                "凤凰", "青竹", "明珠", "星河"],
               ["商贸有限公司", "服饰批发部", "服装店", "百货商行", "制衣贸易公司"]),
}
CUSTOMERS_PER_SUPPLIER = 40


def load(supplier):
    """Create the supplier's customer levels, customers, addresses and logins."""
    from ordering.customers.enums import BuyerRole, PaymentTerms
    from ordering.customers.models import Customer, CustomerLevel, CustomerLogin
    from ordering.customers.services import contacts as contact_services
    from ordering.customers.services import customers as customer_services
    from ordering.customers.services import logins as login_services

    if Customer.objects.count() >= CUSTOMERS_PER_SUPPLIER:
        return
    slug = supplier["slug"]
    levels = []
    for position, (name, percent) in enumerate(LEVELS[slug]):
        level = CustomerLevel.objects.filter(name=name).first() or customer_services.level_create(
            actor=None, name=name, price_percent=percent, position=(position + 1) * 10,
            is_default=position == len(LEVELS[slug]) - 1)
        levels.append(level)
    cities = regions.cities(supplier)
    reps = list(get_user_model().objects.filter(
        groups__role__key="sales_rep", is_active=True).order_by("pk"))
    first_words, second_words = DEALER_WORDS[slug]
    chinese = slug != "acme"
    dealer_email, dealer_name = supplier["dealer"]
    for n in range(CUSTOMERS_PER_SUPPLIER):
        city = cities[n % len(cities)]
        if n == 0:
            name = dealer_name
        elif chinese:
            name = f"{city.name[:2]}{first_words[n % 20]}{second_words[n % 5]}"
        else:
            name = f"{city.name} {first_words[n % 20]} {second_words[n % 6]}"
        if Customer.objects.filter(name=name).exists():
            continue
        credit = n % 3 == 0
        person = ("张伟 李娜 王芳 刘洋 陈静 杨磊 赵敏 黄强".split()[n % 8] if chinese
                  else ["Li Wei", "Zhang Min", "Wang Fang", "Liu Yang", "Chen Jing",
                        "Yang Lei"][n % 6])
        customer = customer_services.customer_create(
            actor=None, name=name, region=city, level=levels[n % 3],
            sales_rep=reps[n % len(reps)] if reps and n % 5 != 4 else None,
            phone=f"0{20 + n % 7}-{81000000 + n * 137}",
            email=f"info{n + 1}@{slug}-dealers.example",
            credit_limit="50000" if credit else "0",
            payment_terms=PaymentTerms.CREDIT if credit else PaymentTerms.PREPAID,
            payment_days=30 if credit else 0, tags=["VIP"] if n % 7 == 0 else [],
            invoice_title=name if n % 2 == 0 else "", tax_number=f"91{440000 + n:06d}MA5{n:04d}X"
            if n % 2 == 0 else "",
            contact={"name": person, "phone": f"139{n:08d}"})
        contact_services.address_save(
            actor=None, customer=customer, recipient=("仓库收货" if chinese else "Warehouse"),
            phone=f"138{n:08d}", region=city,
            address=(f"工业园{n + 1}号仓" if chinese else f"No. {n + 8} Industrial Park Road"))
        email = dealer_email if n == 0 else f"buyer{n + 1}@{slug}-dealers.example"
        earlier = get_user_model().objects.filter(email__iexact=email).first()
        if earlier is not None:  # a demo loaded before customers existed
            earlier.kind = UserKind.DEALER
            earlier.save(update_fields=["kind"])
            CustomerLogin.objects.get_or_create(user=earlier, defaults={
                "customer": customer, "is_primary": True})
            continue
        login = login_services.login_create(actor=None, customer=customer, email=email,
                                            name=person, password=suppliers.PASSWORD,
                                            language=supplier["language"])
        login.user.must_change_password = False
        login.user.save(update_fields=["must_change_password"])
        if n % 4 == 1:
            second = login_services.login_create(
                actor=None, customer=customer, email=f"store{n + 1}@{slug}-dealers.example",
                name=("门店采购" if chinese else "Store buyer"), password=suppliers.PASSWORD,
                buyer_role=BuyerRole.ORDER_UP_TO, order_limit="3000",
                language=supplier["language"])
            second.user.must_change_password = False
            second.user.save(update_fields=["must_change_password"])

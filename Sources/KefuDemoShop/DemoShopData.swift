import Foundation

/// The demo shop's records: a few orders, shipments, returns, accounts and bills, the same on every machine so the
/// demo, the tests and the README tell the same story.
struct DemoShopData: Sendable {
    struct Order: Sendable, Encodable {
        var number: String
        var status: String
        var statusText: String
        var eta: String
        var carrier: String
        var tracking: String
        var items: [String]
        var total: String

        enum CodingKeys: String, CodingKey {
            case number, status, eta, carrier, tracking, items, total
            case statusText = "status_text"
        }
    }

    struct Account: Sendable, Encodable {
        var phone: String
        var name: String
        var balance: String
        var currency: String
        var bills: [Bill]
    }

    struct Bill: Sendable, Encodable {
        var month: String
        var amount: String
        var due: String
        var paid: Bool
    }

    let orders: [String: Order] = [
        "123456": Order(
            number: "123456", status: "shipped", statusText: "已发货 Shipped", eta: "2026-11-27", carrier: "SF Express 顺丰",
            tracking: "SF1234567890", items: ["西湖龙井 Longjing tea 250 g"], total: "168.00"),
        "202405183379": Order(
            number: "202405183379", status: "delivered", statusText: "已签收 Delivered", eta: "2026-11-20",
            carrier: "JD Logistics 京东物流", tracking: "JD0098765432", items: ["紫砂壶 Yixing teapot"], total: "399.00"),
        "888888": Order(
            number: "888888", status: "processing", statusText: "备货中 Being packed", eta: "2026-11-30",
            carrier: "YTO 圆通", tracking: "", items: ["普洱茶饼 Pu'er cake 357 g", "茶杯 Tea cups ×4"], total: "256.00"),
    ]

    let accounts: [String: Account] = [
        "13800138000": Account(
            phone: "13800138000", name: "李雷 Li Lei", balance: "128.50", currency: "CNY",
            bills: [
                Bill(month: "2026-10", amount: "86.20", due: "2026-11-15", paid: true),
                Bill(month: "2026-11", amount: "92.40", due: "2026-12-15", paid: false),
            ]),
        "+8613900139000": Account(
            phone: "+8613900139000", name: "Han Meimei 韩梅梅", balance: "15.00", currency: "CNY",
            bills: [Bill(month: "2026-11", amount: "45.00", due: "2026-12-15", paid: false)]),
    ]
}

import Crypto
import Foundation
import Hummingbird

/// The demo shop's own systems, as a business would run them beside Kefu: orders, shipments, returns, account
/// balances and bills over JSON. With a signing secret it checks every request's `X-Kefu-Signature` the way
/// docs/ACTIONS.md tells businesses to, and refuses unsigned or stale ones.
public struct DemoShopBackend: Sendable {
    let signingSecret: @Sendable () async -> String?
    let data = DemoShopData()
    let returns = ReturnLedger()
    /// What Kefu's SLA webhook posted (signed like every request here).
    public let slaAlerts = WebhookInbox()

    public init(signingSecret: @escaping @Sendable () async -> String?) {
        self.signingSecret = signingSecret
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SignatureCheck(secret: signingSecret))
        router.get("/health") { _, _ in ["status": "ok"] }
        router.get("/api/orders/:number") { _, context in try order(context.parameters.require("number")) }
        router.get("/api/shipments/:tracking") { _, context in try shipment(context.parameters.require("tracking")) }
        router.post("/api/returns") { request, context in try await fileReturn(request, context: context) }
        router.get("/api/accounts/:phone/balance") { _, context in try balance(context.parameters.require("phone")) }
        router.get("/api/accounts/:phone/bills") { _, context in try bills(context.parameters.require("phone")) }
        // For tests of the failure branches: a hang, a body that is not JSON, a redirect anywhere.
        router.post("/api/webhooks/sla") { request, context -> HTTPResponse.Status in
            slaAlerts.receive(Data(buffer: try await request.body.collect(upTo: 64 * 1024)))
            return .noContent
        }
        router.get("/api/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(30))
            return "late"
        }
        router.get("/api/not-json") { _, _ in "<html>maintenance</html>" }
        router.get("/api/redirect") { request, _ -> Response in
            let target = request.uri.queryParameters.get("to") ?? "/health"
            return Response(status: .found, headers: [.location: target])
        }
        return router
    }

    struct Found<Value: Encodable & Sendable>: ResponseEncodable, Sendable {
        var value: Value
        var key: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: DynamicKey.self)
            try container.encode(value, forKey: DynamicKey(key))
        }
    }

    func order(_ number: String) throws -> Found<DemoShopData.Order> {
        guard let order = data.orders[number] else { throw HTTPError(.notFound, message: "no such order") }
        return Found(value: order, key: "order")
    }

    func shipment(_ tracking: String) throws -> Found<DemoShopData.Order> {
        guard let order = data.orders.values.first(where: { $0.tracking == tracking && !tracking.isEmpty }) else {
            throw HTTPError(.notFound, message: "no such shipment")
        }
        return Found(value: order, key: "shipment")
    }

    struct ReturnRequest: Decodable {
        var order_number: String
        var reason: String?
    }

    func fileReturn(_ request: Request, context: BasicRequestContext) async throws -> EditedResponse<Found<ReturnLedger.Entry>> {
        let body = try await request.decode(as: ReturnRequest.self, context: context)
        guard data.orders[body.order_number] != nil else { throw HTTPError(.notFound, message: "no such order") }
        let entry = returns.file(order: body.order_number, reason: body.reason ?? "")
        return EditedResponse(status: .created, response: Found(value: entry, key: "return"))
    }

    func balance(_ phone: String) throws -> Found<[String: String]> {
        guard let account = data.accounts[phone] else { throw HTTPError(.notFound, message: "no such account") }
        return Found(value: ["balance": account.balance, "currency": account.currency, "name": account.name], key: "account")
    }

    func bills(_ phone: String) throws -> Found<[DemoShopData.Bill]> {
        guard let account = data.accounts[phone] else { throw HTTPError(.notFound, message: "no such account") }
        return Found(value: account.bills, key: "bills")
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

import Foundation
import KefuCore
import KefuStore
import Logging

/// `kefu bench deliveries`: queues many e-mails at once and times the delivery worker sending them all to an SMTP
/// server (a local one: `scripts/mail_sink.py`), as a newsletter-sized burst of ticket replies would.
public struct DeliveryBenchmark: Sendable {
    public var databaseURL: String?
    public var smtpURL = ""
    public var mails = 1000
    public var workers = 4

    public init() {}

    public struct Report: Encodable, Sendable {
        public var database = ""
        public var mails = 0
        public var workers = 0
        public var queueSeconds = 0.0
        public var sendSeconds = 0.0
        public var mailsPerSecond = 0.0
        public var delivered = 0
        public var dead = 0

        enum CodingKeys: String, CodingKey {
            case database, mails, workers, delivered, dead
            case queueSeconds = "queue_s"
            case sendSeconds = "send_s"
            case mailsPerSecond = "mails_per_s"
        }
    }

    public func run(say: @Sendable (String) -> Void) async throws -> Report {
        let server = try SMTPServer.parse(smtpURL)
        return try await BenchDependencies.with(
            databaseURL: databaseURL,
            configure: {
                $0.smtp = server
                $0.mailFrom = "Bench <bench@kefu.example>"
                $0.deliveryWorkers = workers
            }
        ) { deps, logger in
            try await measure(deps, logger: logger, say: say)
        }
    }

    private func measure(_ deps: AppDependencies, logger: Logger, say: @Sendable (String) -> Void) async throws -> Report {
        var report = Report()
        report.database = databaseURL == nil ? "sqlite" : "postgres"
        report.mails = mails
        report.workers = workers
        let now = Date()
        let workspace = try await deps.store.unscoped.workspaces.create(
            slug: "bench-mail-\(UUID().uuidString.prefix(8).lowercased())", name: "Bench 邮件", defaultLocale: .zhCN, at: now)
        let data = deps.store.scoped(to: workspace.id)
        let content = try OutgoingMail.encode(
            deps.deliveries.mail.compose(
                .zhCN, workspace: workspace.name, paragraphs: ["您好，您的工单已处理。", "Your request is done."],
                link: "https://help.example/t"))
        let queued = ContinuousClock.now
        try await data.transaction { tx in
            for index in 0..<mails {
                _ = try await tx.deliveries.enqueue(
                    NewDelivery(
                        channel: .email, event: "ticket.reply", target: "customer\(index)@example.com",
                        subject: "[Bench #\(index)] 订单 \(index)", body: "reply \(index)", payload: content,
                        threadKey: "ticket:\(index % 50)"),
                    at: now)
            }
        }
        report.queueSeconds = (ContinuousClock.now - queued).inSeconds
        say("queued \(mails) mails in \(String(format: "%.2f", report.queueSeconds)) s; sending with \(workers) workers")
        let worker = deps.deliveryWorker(logger: logger)
        let started = ContinuousClock.now
        let sending = Task { try await worker.run() }
        defer { sending.cancel() }
        while true {
            report.delivered = try await data.deliveries.count(status: .delivered)
            report.dead = try await data.deliveries.count(status: .dead)
            if report.delivered + report.dead >= mails { break }
            if ContinuousClock.now - started > .seconds(600) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        report.sendSeconds = (ContinuousClock.now - started).inSeconds
        report.mailsPerSecond = Double(report.delivered) / max(report.sendSeconds, 0.001)
        return report
    }
}

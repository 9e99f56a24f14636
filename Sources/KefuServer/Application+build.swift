import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import KefuStore
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Everything the routes need, made once at start.
public struct AppDependencies: Sendable {
    public let config: AppConfig
    public let store: Store
    public let events: any EventBus
    public let credentials: CredentialService
    public let members: MemberService
    public let workspaces: WorkspaceService
    public let audit: AuditService
    public let admin: AdminService
    public let bot: BotService
    public let knowledge: KnowledgeService
    public let portal: PortalService
    public let templates: TemplateService
    public let conversations: ConversationService
    let chatTickets: ConversationTickets
    let chatSocket: ChatSocket
    let cannedReplies: CannedReplyService
    let sensitiveWords: SensitiveWordService
    let contacts: ContactService
    let presence: PresenceService
    let routing: RoutingService
    let tickets: TicketService
    let ticketViews: TicketViewService
    let ticketFields: TicketFieldService
    let slaPolicies: SLAPolicyService
    let businessHours: BusinessHoursService
    let knowledgeTransfer: KnowledgeTransfer
    let portalTickets: PortalTicketService
    let actions: ActionService
    /// The one way out over HTTP (actions, webhooks).
    let outbound: OutboundHTTP
    let deliveries: DeliveryService
    let slaSweeper: SLASweeper
    let uploads: UploadAllowance
    let hub: ChatHub
    let runtime: BotRuntime
    /// One thread for training models, off the cooperative pool and apart from bcrypt's.
    let trainingThreads: NIOThreadPool
    let jobWakeUp: JobWakeUp
    let clock: WallClock
    /// Set when the server runs with `testing.clock`: moves business-hours time.
    let testClock: TestClock?
    public let renderer: PageRenderer
    let assets: StaticAssetsController
    public let secret: SecretKey
    public let metrics: PrometheusCollectorRegistry
    public let contract: OpenAPIContract
    /// Set when `--demo` created the demo workspace during this start.
    public let demoOwner: (email: String, password: String)?
    /// With `--demo`: where the `kefu` executable serves the demo shop's backend, and the secret it checks.
    public let demoShop: DemoShopHost?

    /// Prepares the data directory, opens and migrates the database, and seeds the demo if asked.
    /// Every failure here is a clear message and the server does not start.
    public static func prepare(
        _ config: AppConfig, logger: Logger, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        hasher: PasswordHasher = PasswordHasher(), clock: WallClock = WallClock()
    ) async throws -> AppDependencies {
        let location = try DatabaseLocation.parse(config.databaseURL, dataDirectory: config.dataDirectory)
        if location != .sqliteMemory || config.secretKey == nil {
            try DataDirectory.prepare(config.dataDirectory)
        }
        let secret = try SecretKey.loadOrCreate(configured: config.secretKey, dataDirectory: config.dataDirectory)
        let hasher = hasher.peppered(with: secret)
        let store = try Store(location: location, logger: logger)
        let outbound = OutboundHTTP()
        let trainingThreads = NIOThreadPool(numberOfThreads: 1)
        trainingThreads.start()
        do {
            try await store.open(retryFor: .seconds(config.databaseRetrySeconds))
            try await MigrationRunner(database: store.database, logger: logger).migrate()
            // Several instances share one PostgreSQL: events reach the others over LISTEN/NOTIFY.
            let events: any EventBus =
                if case .postgres(let url) = location {
                    try PostgresEventBus(store: store, url: url, logger: logger)
                } else {
                    LocalEventBus()
                }
            var demoOwner: (String, String)?
            let runtime = BotRuntime(store: store, logger: logger)
            let templates = TemplateService(store: store, clock: clock, runtime: runtime, catalog: try TemplateCatalog.load())
            if config.demo {
                demoOwner = try await DemoSeeder(store: store, hasher: hasher, clock: clock).seedIfNeeded()
                try await DemoBotSeeder(
                    store: store, clock: clock, runtime: runtime, templates: templates, trainingThreads: trainingThreads,
                    logger: logger
                )
                .seedIfNeeded()
            }
            let wakeUp = JobWakeUp()
            let actions = ActionService(
                store: store, clock: clock, caller: ActionCaller(outbound: outbound, box: SecretBox(secret: secret)))
            var demoShop: DemoShopHost?
            if config.demo {
                let port = try await DemoShopActions.freePort()
                let shop = DemoShopActions(store: store, actions: actions, clock: clock)
                try await shop.point(at: port)
                demoShop = DemoShopHost(port: port, secret: { await shop.secret() })
            }
            let renderer = try await PageRenderer.load()
            let hub = ChatHub(events: events)
            let words = SensitiveWordFilter(store: store)
            var router = ChatRouter(store: store, clock: clock, events: events, instance: UUID(), logger: logger)
            router.offlineGrace = TimeInterval(config.routingOfflineGraceSeconds)
            let testClock = config.testClock ? TestClock() : nil
            router.calendar = testClock?.wallClock ?? clock
            let deliveryWakeUp = JobWakeUp()
            let mail = OutgoingMail(
                catalogues: renderer.catalogues, links: TicketLinks(secret: secret),
                baseURL: config.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
                    ?? "http://\(config.host):\(config.port)",
                clock: clock)
            let tickets = TicketService(
                store: store, clock: router.calendar, words: words,
                alerts: SLAAlerts(events: events, deliveries: deliveryWakeUp, clock: clock), mail: mail)
            let links = TicketLinks(secret: secret)
            let chatTickets = ConversationTickets(store: store, tickets: tickets, links: links)
            let credentials = CredentialService(store: store, hasher: hasher, clock: clock, events: events, config: config)
            let conversations = ConversationService(
                store: store, clock: clock, events: events,
                bot: ConversationBot(runtime: runtime, catalogues: renderer.catalogues, actions: actions, tickets: chatTickets),
                tokens: VisitorTokens(secret: secret),
                files: AttachmentFiles(
                    dataDirectory: config.dataDirectory, maxBytes: config.maxAttachmentBytes,
                    workspaceQuota: config.maxAttachmentStorageBytes),
                words: words, router: router, mail: mail, deliveries: deliveryWakeUp)
            let presence = PresenceService(store: store, clock: clock, events: events, hub: hub, router: router)
            let slaSweeper = SLASweeper(store: store, tickets: tickets, interval: .seconds(15), logger: logger)
            let chatSocket = ChatSocket(
                conversations: conversations, credentials: credentials, hub: hub, presence: presence,
                catalogues: renderer.catalogues,
                addresses: AddressFrameLimiter(perSecond: config.maxFramesPerAddress, limitsLoopback: config.limitLoopbackFrames),
                // New widget visitors per address: 30 at once, then one every 2 s (each makes a contact row).
                newVisitors: AddressFrameLimiter(perSecond: 0.5, burst: 30, limitsLoopback: !config.exemptLoopback))
            return AppDependencies(
                config: config, store: store, events: events, credentials: credentials,
                members: MemberService(
                    store: store, hasher: hasher, clock: clock, events: events, cacheSeconds: config.authCacheSeconds),
                workspaces: WorkspaceService(store: store, clock: clock, events: events), audit: AuditService(store: store),
                admin: AdminService(store: store, hasher: hasher, clock: clock, events: events),
                bot: BotService(store: store, clock: clock, runtime: runtime, wakeUp: wakeUp),
                knowledge: KnowledgeService(store: store, clock: clock, runtime: runtime),
                portal: PortalService(store: store, clock: clock, runtime: runtime, secret: secret), templates: templates,
                conversations: conversations, chatTickets: chatTickets, chatSocket: chatSocket,
                cannedReplies: CannedReplyService(store: store, clock: clock),
                sensitiveWords: SensitiveWordService(store: store, clock: clock, filter: words),
                contacts: ContactService(store: store, clock: clock),
                presence: presence,
                routing: RoutingService(store: store, clock: clock, router: router),
                tickets: tickets,
                ticketViews: TicketViewService(store: store, clock: clock),
                ticketFields: TicketFieldService(store: store, clock: clock),
                slaPolicies: SLAPolicyService(store: store, clock: clock),
                businessHours: BusinessHoursService(
                    store: store, clock: clock, router: router, testClock: testClock, sla: slaSweeper),
                knowledgeTransfer: KnowledgeTransfer(store: store, clock: clock, runtime: runtime),
                portalTickets: PortalTicketService(
                    store: store, tickets: tickets, links: links,
                    // Visitors' writes: 10 at once, then one every 5 s per address.
                    limiter: AddressFrameLimiter(perSecond: 0.2, burst: 10, limitsLoopback: !config.exemptLoopback)),
                actions: actions, outbound: outbound,
                deliveries: DeliveryService(
                    store: store, mail: mail, wakeUp: deliveryWakeUp, box: actions.caller.box,
                    settings: MailSettings(server: config.smtp, from: config.mailFrom.flatMap(MailAddress.parse))),
                slaSweeper: slaSweeper,
                uploads: UploadAllowance(
                    addressBytesPerMinute: config.maxUploadBytesPerAddressPerMinute,
                    contactBytesPerMinute: config.maxUploadBytesPerContactPerMinute, largestFile: config.maxAttachmentBytes,
                    exemptLoopback: config.exemptLoopback),
                hub: hub,
                runtime: runtime, trainingThreads: trainingThreads, jobWakeUp: wakeUp, clock: clock, testClock: testClock,
                renderer: renderer, assets: try StaticAssetsController.load(), secret: secret,
                metrics: metrics, contract: try OpenAPIDocument.load(), demoOwner: demoOwner, demoShop: demoShop)
        } catch {
            await outbound.shutdown()
            try? await trainingThreads.shutdownGracefully()
            await store.shutdown()
            throw error
        }
    }

    /// Releases what `prepare` opened: the outbound HTTP client and the database. For callers that do not run the
    /// server as a service (which stops both itself): tests, benchmarks, the admin commands.
    public func shutdown() async {
        await outbound.shutdown()
        try? await trainingThreads.shutdownGracefully()
        await store.shutdown()
    }
}

/// Where the `kefu` executable serves the demo shop's backend with `--demo`, and the signing secret it checks (read
/// afresh: an owner may rotate it while the demo runs). The server library does not depend on the demo shop.
public struct DemoShopHost: Sendable {
    public let port: Int
    public let secret: @Sendable () async -> String?
}

extension AppDependencies {
    /// Sends queued e-mails and webhooks.
    func deliveryWorker(logger: Logger) -> DeliveryWorker {
        var worker = DeliveryWorker(
            store: store,
            senders: [
                MailSender(store: store, settings: deliveries.settings, box: actions.caller.box),
                WebhookSender(store: store, caller: actions.caller),
            ],
            clock: clock, logger: logger, wakeUp: deliveries.wakeUp)
        worker.concurrency = config.deliveryWorkers
        // Without an e-mail server of the server's own, only workspaces that set one send; the rest wait queued.
        worker.emailOnlyWhereSet = deliveries.settings.server == nil || deliveries.settings.from == nil
        return worker
    }

    /// The background worker with every job kind this server runs.
    func jobWorker(logger: Logger) -> JobWorker {
        JobWorker(
            store: store, handlers: [BotTrainer(store: store, clock: clock, runtime: runtime, pool: trainingThreads)],
            clock: clock, logger: logger,
            wakeUp: jobWakeUp)
    }
}

/// The one builder: `kefu serve` and every test call it and differ only in configuration. `services` run with the
/// server (the demo shop's backend with `--demo`).
public func buildApplication(
    _ dependencies: AppDependencies, logger: Logger, catalog: RouteCatalog = RouteCatalog(), services: [any Service] = []
)
    -> some ApplicationProtocol
{
    let router = buildRouter(dependencies, catalog: catalog)
    let config = dependencies.config
    // Slow or idle clients are dropped and connections are capped, so that a pile of sockets cannot starve the rest.
    let connections = ConnectionCounter(
        limit: config.maxConnections, perAddressLimit: config.trustProxy ? 0 : config.maxConnectionsPerAddress,
        limitsLoopback: !config.exemptLoopback, logger: logger)
    let readTimeout = TimeAmount.seconds(Int64(config.httpReadTimeoutSeconds))
    let http = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionGuard(readTimeout: readTimeout)],
        idleTimeout: .seconds(Int64(config.httpIdleTimeoutSeconds)))
    let webSocket = WebSocketServerConfiguration(
        maxFrameSize: ChatSocket.maxFrameBytes, autoPing: .enabled(timePeriod: .seconds(30)), closeTimeout: .seconds(10))
    let webSocketResponder = buildWebSocketRouter(dependencies).buildResponder()
    let server = HTTPServerBuilder { responder in
        GuardedChildChannel(
            base: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: .init(http1: http, ws: webSocket)),
            counter: connections, firstHeadTimeout: .seconds(Int64(config.httpIdleTimeoutSeconds)))
    }
    var app = Application(
        router: router, server: server,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "kefu"),
        logger: logger)
    // Services stop in reverse order: the database pools outlive the HTTP server's in-flight requests.
    app.addServices(dependencies.store.databases, dependencies.outbound)
    app.addServices(CredentialSweeper(store: dependencies.store, clock: dependencies.credentials.clock, logger: logger))
    if let bus = dependencies.events as? PostgresEventBus { app.addServices(bus) }
    app.addServices(PresenceHeartbeat(presence: dependencies.presence, router: dependencies.conversations.router))
    app.addServices(dependencies.slaSweeper)
    app.addServices(services)
    for _ in 0..<dependencies.config.jobWorkers { app.addServices(dependencies.jobWorker(logger: logger)) }
    if dependencies.config.deliveryWorkers > 0 { app.addServices(dependencies.deliveryWorker(logger: logger)) }
    return app
}

/// The chat sockets: upgrade requests only reach this router.
func buildWebSocketRouter(_ deps: AppDependencies) -> Router<ChatSocketContext> {
    let router = Router(context: ChatSocketContext.self)
    let socket = deps.chatSocket
    let trustProxy = deps.config.trustProxy
    router.ws(RouterPath(WebPath.widgetSocket)) { inbound, outbound, context in
        await socket.serve(
            side: .widget, inbound: inbound, outbound: outbound, request: context.request,
            address: context.requestContext.clientIP(context.request, trustProxy: trustProxy), logger: context.logger)
    }
    // An agent upgrade that does not sign in is not upgraded: the HTTP route below answers it with 401 or 403.
    router.ws(
        RouterPath(WebPath.agentSocket),
        shouldUpgrade: { request, _ in (try? await socket.agentIdentity(request)) == nil ? .dontUpgrade : .upgrade([:]) }
    ) { inbound, outbound, context in
        await socket.serve(
            side: .agent, inbound: inbound, outbound: outbound, request: context.request,
            address: context.requestContext.clientIP(context.request, trustProxy: trustProxy), logger: context.logger)
    }
    return router
}

/// Wires middleware and controllers; no logic of its own.
public func buildRouter(_ deps: AppDependencies, catalog: RouteCatalog) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let config = deps.config
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware(.debug))
    router.add(middleware: ErrorMiddleware(pages: deps.renderer))
    router.add(middleware: MethodNotAllowedMiddleware(catalog: catalog))
    router.add(middleware: BodyLimitMiddleware(maxBytes: config.maxBodyBytes, uploadBytes: config.maxAttachmentBytes))
    if config.trustProxy { router.add(middleware: ForwardedClientMiddleware()) }
    router.add(middleware: IdentityMiddleware(credentials: deps.credentials))

    let api = PublicRoutes(router: router, catalog: catalog, surface: .api, contract: deps.contract)
    let pages = PublicRoutes(router: router, catalog: catalog, surface: .page, csrf: AnonymousCSRFMiddleware(secret: deps.secret))
    let securedAPI = SecuredRoutes(
        group: router.group(context: AuthenticatedContext.self).add(middleware: SessionAPIOriginMiddleware()),
        catalog: catalog, surface: .api, contract: deps.contract)
    let securedPages = SecuredRoutes(
        group: router.group(context: AuthenticatedContext.self).add(middleware: SessionCSRFMiddleware()), catalog: catalog,
        surface: .page)
    let links = PublicLinks(
        publicURL: config.publicURL, trustProxy: config.trustProxy, listening: (config.host, config.port))
    let cookies = SessionCookies(
        secure: config.publicURL?.hasPrefix("https://") ?? false, sessionSeconds: config.sessionHours * 3600)

    OpsController(
        store: deps.store, metrics: deps.metrics, openAPIDocument: ByteBuffer(bytes: deps.contract.document), poolSize: 4
    ).register(api)
    deps.assets.register(pages)
    AuthAPIController(credentials: deps.credentials, members: deps.members).register(api)
    MeAPIController(members: deps.members).register(securedAPI)
    WorkspaceAPIController(workspaces: deps.workspaces).register(securedAPI)
    MemberAPIController(members: deps.members, links: links).register(securedAPI)
    TokenAPIController(credentials: deps.credentials).register(securedAPI)
    AuditAPIController(audit: deps.audit).register(securedAPI)
    KnowledgeAPIController(
        knowledge: deps.knowledge, transfer: deps.knowledgeTransfer, links: links
    ).register(securedAPI)
    BotAPIController(bot: deps.bot, templates: deps.templates).register(securedAPI)
    PortalAPIController(portal: deps.portal, links: links).register(api)
    WidgetAPIController(conversations: deps.conversations, catalogues: deps.renderer.catalogues).register(api)
    ConversationAPIController(conversations: deps.conversations).register(securedAPI)
    RoutingAPIController(routing: deps.routing).register(securedAPI)
    TicketAPIController(
        tickets: deps.tickets, views: deps.ticketViews, chatTickets: deps.chatTickets, conversations: deps.conversations
    ).register(securedAPI)
    TicketViewAPIController(views: deps.ticketViews).register(securedAPI)
    TicketFieldAPIController(fields: deps.ticketFields).register(securedAPI)
    ActionAPIController(actions: deps.actions).register(securedAPI)
    DeliveryAPIController(deliveries: deps.deliveries).register(securedAPI)
    DeliverySettingsPages(deliveries: deps.deliveries, renderer: deps.renderer).register(securedPages)
    EmailSettingsAPIController(deliveries: deps.deliveries).register(securedAPI)
    EmailSettingsPages(deliveries: deps.deliveries, renderer: deps.renderer).register(securedPages)
    SLAPolicyAPIController(policies: deps.slaPolicies).register(securedAPI)
    BusinessHoursAPIController(hours: deps.businessHours).register(securedAPI)
    BusinessHoursPages(hours: deps.businessHours, renderer: deps.renderer).register(securedPages)
    CannedReplyAPIController(replies: deps.cannedReplies, conversations: deps.conversations).register(securedAPI)
    SensitiveWordAPIController(words: deps.sensitiveWords).register(securedAPI)
    ContactAPIController(contacts: deps.contacts).register(securedAPI)
    PresenceAPIController(presence: deps.presence).register(securedAPI)
    AttachmentAPIController(conversations: deps.conversations, uploads: deps.uploads).register(
        secured: securedAPI, public: api, pages: pages)
    ChatSocketRefusals(socket: deps.chatSocket).register(pages)
    let anonymous = AnonymousPages(renderer: deps.renderer, secret: deps.secret, cookies: cookies)
    SessionPagesController(credentials: deps.credentials, pages: anonymous, cookies: cookies)
        .register(public: pages, secured: securedPages)
    InvitationPagesController(members: deps.members, credentials: deps.credentials, pages: anonymous, cookies: cookies)
        .register(pages)
    AppPagesController(renderer: deps.renderer).register(securedPages)
    TicketPages(
        tickets: deps.tickets, views: deps.ticketViews, links: deps.portalTickets.links, renderer: deps.renderer
    ).register(securedPages)
    SLASettingsPages(
        policies: deps.slaPolicies, actions: deps.actions, renderer: deps.renderer
    ).register(securedPages)
    ActionSettingsPages(actions: deps.actions, renderer: deps.renderer).register(securedPages)
    TicketFieldPages(fields: deps.ticketFields, renderer: deps.renderer).register(securedPages)
    ChatSettingsPages(
        replies: deps.cannedReplies, words: deps.sensitiveWords, conversations: deps.conversations, renderer: deps.renderer
    ).register(securedPages)
    WorkspaceSettingsPages(workspaces: deps.workspaces, renderer: deps.renderer).register(securedPages)
    MemberSettingsPages(members: deps.members, routing: deps.routing, renderer: deps.renderer, links: links).register(
        securedPages)
    TokenSettingsPages(credentials: deps.credentials, renderer: deps.renderer).register(securedPages)
    AuditSettingsPages(audit: deps.audit, renderer: deps.renderer).register(securedPages)
    KnowledgePages(knowledge: deps.knowledge, renderer: deps.renderer).register(securedPages)
    BotPages(bot: deps.bot, templates: deps.templates, renderer: deps.renderer).register(securedPages)
    PortalPages(
        portal: deps.portal, tickets: deps.portalTickets, renderer: deps.renderer, secret: deps.secret, cookies: cookies
    ).register(pages)
    PortalTicketAPIController(portal: deps.portalTickets, links: links).register(api)
    DemoShopPages(workspaces: deps.workspaces, renderer: deps.renderer).register(pages)
    return router
}

import Foundation
import KefuCore
import KefuStore

/// Creates the demo workspace once: an owner, a supervisor, two agents and two teams.
public struct DemoSeeder: Sendable {
    public static let slug = "demo-shop"
    public static let ownerEmail = "owner@demo-shop.example"

    let store: Store
    let hasher: PasswordHasher
    let clock: WallClock

    public init(store: Store, hasher: PasswordHasher, clock: WallClock) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    /// The owner's e-mail and generated password when the demo was created now; nil if it already existed.
    public func seedIfNeeded() async throws -> (email: String, password: String)? {
        if try await store.unscoped.workspaces.workspace(slug: Self.slug) != nil { return nil }
        let people: [(String, String, Role)] = [
            (Self.ownerEmail, "Demo Owner 店主", .owner),
            ("supervisor@demo-shop.example", "Lin Supervisor 林主管", .supervisor),
            ("agent1@demo-shop.example", "Wang Agent 王客服", .agent),
            ("agent2@demo-shop.example", "Emma Agent", .agent),
        ]
        // Letters and digits only: a password that starts with "-" reads as an option when pasted into a command line.
        let ownerPassword = String(Secrets.token(prefix: "").filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(16))
        var hashes: [String] = []
        for (index, _) in people.enumerated() {
            hashes.append(try await hasher.hash(index == 0 ? ownerPassword : Secrets.token(prefix: "")))
        }
        let passwordHashes = hashes
        let created: Bool
        do {
            created = try await seed(passwordHashes: passwordHashes, people: people)
        } catch DomainError.conflict {
            // Another instance seeded the demo at the same moment.
            return nil
        }
        return created ? (Self.ownerEmail, ownerPassword) : nil
    }

    static let cannedReplies = [
        ("hello", "Hi {{contact.name|there}}, this is {{agent.name}} from {{workspace.name}}. How can I help?"),
        ("refund", "Refunds go back to the original payment method within 3–5 working days after we receive the return."),
        ("tuikuan", "您好{{contact.name}}，退款会在我们收到退货后 3–5 个工作日内原路退回。"),
        ("bye", "Thank you for contacting us, {{contact.name|and have a nice day}}!"),
    ]

    /// Owner, supervisor, the Chinese-speaking agent, the English-speaking one.
    static let routing = [
        AgentRouting(maxChats: 0, skills: [], languages: []),
        AgentRouting(maxChats: 3, skills: ["return_request", "refund_status"], languages: ["zh-CN", "en"]),
        AgentRouting(maxChats: 5, skills: ["product_question"], languages: ["zh-CN"]),
        AgentRouting(maxChats: 5, skills: ["return_request"], languages: ["en"]),
    ]

    static let sensitiveWords: [(String, SensitiveWordAction)] = [
        ("投诉", .flag), ("lawyer", .flag), ("银行卡密码", .mask), ("idiot", .mask), ("加微信", .block),
    ]

    private func seed(passwordHashes: [String], people: [(String, String, Role)]) async throws -> Bool {
        try await store.unscoped.transaction { [clock] system -> Bool in
            let now = clock.now()
            guard try await system.workspaces.workspace(slug: Self.slug) == nil else { return false }
            let workspace = try await system.workspaces.create(
                slug: Self.slug, name: "Demo Shop / 演示商店", defaultLocale: .zhCN, at: now)
            let data = system.scoped(to: workspace.id)
            var userIDs: [UserID] = []
            for (index, (email, name, role)) in people.enumerated() {
                let user = try await system.users.create(
                    email: email, displayName: name, locale: nil, passwordHash: passwordHashes[index], at: now)
                _ = try await data.members.add(userID: user.id, role: role, at: now)
                userIDs.append(user.id)
            }
            let presales = try await data.teams.create(name: "Pre-sales 售前", at: now)
            let aftersales = try await data.teams.create(name: "After-sales 售后", at: now)
            try await data.teams.addMember(teamID: presales.id, userID: userIDs[2])
            try await data.teams.addMember(teamID: aftersales.id, userID: userIDs[3])
            try await data.teams.addMember(teamID: aftersales.id, userID: userIDs[1])
            // The owner watches and takes chats by hand; the agents get them from routing.
            for (index, routing) in Self.routing.enumerated() {
                try await data.routing.setSettings(userIDs[index], routing)
            }
            for (shortcut, body) in Self.cannedReplies {
                _ = try await data.cannedReplies.create(owner: nil, shortcut: shortcut, body: body, at: now)
            }
            for (word, action) in Self.sensitiveWords { _ = try await data.sensitiveWords.add(word, action: action, at: now) }
            return true
        }
    }
}

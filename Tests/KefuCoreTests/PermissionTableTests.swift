import KefuCore
import Testing

@Suite struct PermissionTableTests {
    @Test func agentsCannotManageMembersOrReadAudit() {
        #expect(!PermissionTable.allows(.agent, .manageMembers))
        #expect(!PermissionTable.allows(.agent, .viewAudit))
        #expect(!PermissionTable.allows(.agent, .updateWorkspace))
        #expect(PermissionTable.allows(.agent, .viewAppShell))
    }

    @Test func eachRoleHasAtLeastTheRightsOfTheRoleBelow() {
        let ordered: [Role] = [.agent, .supervisor, .admin, .owner]
        for (lower, higher) in zip(ordered, ordered.dropFirst()) {
            #expect(PermissionTable.permissions(of: lower).isSubset(of: PermissionTable.permissions(of: higher)))
        }
    }

    @Test func onlyOwnersHandOutOwnership() {
        #expect(PermissionTable.canAssign(.owner, by: .owner))
        #expect(!PermissionTable.canAssign(.owner, by: .admin))
        #expect(PermissionTable.canAssign(.supervisor, by: .admin))
        #expect(!PermissionTable.canAssign(.agent, by: .supervisor))
        #expect(!PermissionTable.canAssign(.agent, by: .agent))
    }
}

@Suite struct ValidationTests {
    @Test(arguments: ["a@b.co", "owner@demo-shop.example", "x.y+z@mail.example.org"])
    func acceptsEmails(_ email: String) { #expect(Validate.email(email)) }

    @Test(arguments: ["", "a", "a@b", "@b.co", "a b@c.co", "a@@b.co", "a@.co", "a@b..co"])
    func rejectsEmails(_ email: String) { #expect(!Validate.email(email)) }

    @Test func slugs() {
        #expect(Validate.slug("demo-shop"))
        #expect(!Validate.slug("-demo"))
        #expect(!Validate.slug("Demo"))
        #expect(Validate.slugify("Demo Shop / 演示商店") == "demo-shop")
        #expect(Validate.slugify("演示商店") == "workspace")
    }

    @Test func passwordsNeedTenCharacters() {
        #expect(!Validate.password("short"))
        #expect(Validate.password("long enough!"))
    }
}

@Suite struct LocaleTests {
    @Test func negotiatesByQuality() {
        #expect(UILocale.negotiate(acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8") == .zhCN)
        #expect(UILocale.negotiate(acceptLanguage: "en-US,en;q=0.9,zh;q=0.5") == .en)
        #expect(UILocale.negotiate(acceptLanguage: "fr-FR, zh-TW;q=0.3") == .zhCN)
        #expect(UILocale.negotiate(acceptLanguage: nil) == .en)
        #expect(UILocale.negotiate(acceptLanguage: "de") == .en)
    }

    @Test func aTextWithHanCharactersIsChinese() {
        #expect(UILocale.written(in: "茶叶小店") == .zhCN)
        #expect(UILocale.written(in: "Tea 小店 Shop") == .zhCN)
        #expect(UILocale.written(in: "㐀 extension A") == .zhCN)
        #expect(UILocale.written(in: "Tea Shop") == .en)
        #expect(UILocale.written(in: "Café ☕ 123") == .en)
        #expect(UILocale.written(in: "") == .en)
    }
}

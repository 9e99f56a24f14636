import Foundation
import KefuCore
import Testing

/// Both catalogues hold the same keys, and every key a template or a Swift view asks for exists, so no page or API
/// message ever shows `section.key`.
@Suite struct CatalogueTests {
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/KefuServer")
    static let resources = server.appendingPathComponent("Resources")

    typealias Catalogue = [String: [String: String]]

    static func catalogue(_ locale: UILocale) throws -> Catalogue {
        try JSONDecoder().decode(
            Catalogue.self,
            from: Data(contentsOf: resources.appendingPathComponent("locales/\(locale.rawValue).json")))
    }

    static func keys(_ catalogue: Catalogue) -> Set<String> {
        Set(catalogue.flatMap { section, entries in entries.keys.map { "\(section).\($0)" } })
    }

    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            guard let section = Range(match.range(at: 1), in: text), let key = Range(match.range(at: 2), in: text) else {
                return nil
            }
            return "\(text[section]).\(text[key])"
        }
    }

    static func files(under folder: URL, ending suffix: String) -> [URL] {
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.lastPathComponent.hasSuffix(suffix) }
    }

    @Test func bothLanguagesHoldTheSameKeys() throws {
        let en = Self.keys(try Self.catalogue(.en))
        let zh = Self.keys(try Self.catalogue(.zhCN))
        #expect(en.subtracting(zh).isEmpty, "missing in zh-CN: \(en.subtracting(zh).sorted())")
        #expect(zh.subtracting(en).isEmpty, "missing in en: \(zh.subtracting(en).sorted())")
        #expect(en.count > 100)
    }

    @Test func everyKeyInUseExists() throws {
        var used: Set<String> = []
        for template in Self.files(under: Self.resources.appendingPathComponent("templates"), ending: ".mustache") {
            used.formUnion(try Self.matches(#"\bt\.([a-z_]+)\.([a-z_]+)"#, in: String(contentsOf: template, encoding: .utf8)))
        }
        let templateKeys = used.count
        var codes: Set<String> = []
        for source in Self.files(under: Self.server, ending: ".swift") {
            let text = try String(contentsOf: source, encoding: .utf8)
            used.formUnion(try Self.matches(#"text\("([a-z_]+)", "([a-z_]+)""#, in: text))
            codes.formUnion(try Self.matches(#"(code): "([a-z_]+)""#, in: text).map { String($0.dropFirst(5)) })
        }
        used.formUnion(codes.map { "errors.\($0)" })
        used.formUnion(Role.allCases.map { "roles.\($0.rawValue)" })
        used.formUnion(DomainError.Resource.allCases.map { "not_found.\($0.rawValue)" })
        used.formUnion(DomainError.Conflict.allCases.map { "conflict.\($0.rawValue)" })
        used.formUnion(DomainError.Refusal.allCases.map { "refused.\($0.rawValue)" })
        // Labels looked up by an enum's raw value.
        used.formUnion(TicketStatus.allCases.map { "ticket_status.\($0.rawValue)" })
        used.formUnion(TicketPriority.allCases.map { "ticket_priority.\($0.rawValue)" })
        used.formUnion(TicketType.allCases.map { "ticket_type.\($0.rawValue)" })
        used.formUnion(TicketSource.allCases.map { "ticket_source.\($0.rawValue)" })
        used.formUnion(TicketEvent.Kind.allCases.map { "ticket_event.\($0.rawValue)" })
        used.formUnion(SLAMetric.allCases.map { "sla_metric.\($0.rawValue)" })
        used.formUnion(TicketFilter.SLAState.allCases.map { "sla_state.\($0.rawValue)" })
        used.formUnion(ActionOutcome.allCases.map { "action_outcome.\($0.rawValue)" })
        used.formUnion(SLAMetric.allCases.map { "console.metric_\($0.rawValue)" })
        for section in ["conversations", "tickets", "kb", "reports"] { used.formUnion(["nav.\(section)", "section.\(section)"]) }
        used.formUnion(["login.title", "invite.title", "invite.name", "invite.password"])
        #expect(templateKeys > 40)
        #expect(codes.count >= 10)
        for locale in UILocale.allCases {
            let missing = used.subtracting(Self.keys(try Self.catalogue(locale)))
            #expect(missing.isEmpty, "\(locale.rawValue) lacks \(missing.sorted())")
        }
    }
}

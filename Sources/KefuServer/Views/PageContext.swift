import KefuCore
import Mustache

/// What a template sees: its page's typed content, then the shell frame (signed-in pages), then what every page
/// gets: the catalogue `t`, `lang` and `links`. Names are looked up in that order.
struct PageContext<Content>: MustacheParent {
    let content: Content
    let frame: ShellFrame?
    let catalogue: Catalogues.Catalogue
    let locale: UILocale

    func child(named name: String) -> Any? {
        switch name {
        case "t": return catalogue
        case "lang": return locale.rawValue
        case "links": return WebPath.links
        default: break
        }
        if let value = Self.property(name, of: content) { return value }
        if let frame, let value = Self.property(name, of: frame) { return value }
        return nil
    }

    /// A stored property by name; nil when absent or an empty optional (so Mustache treats it as missing).
    static func property(_ name: String, of object: Any) -> Any? {
        guard let value = Mirror(reflecting: object).children.first(where: { $0.label == name })?.value else { return nil }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}

/// The part of every signed-in page around its content: who is signed in, where, the navigation state.
struct ShellFrame {
    struct User {
        var email: String
        var name: String
        var roleLabel: String
    }

    struct WorkspaceSummary {
        var name: String
        var slug: String
    }

    struct Abilities {
        var audit: Bool
        var manage: Bool
        var edit: Bool
        /// Keeps the workspace's sensitive words and shared canned replies.
        var chat: Bool
        /// Keeps business actions, their secrets and outgoing webhooks.
        var actions: Bool
        /// Sees what left the process (e-mails, webhooks) and sends a dead delivery again.
        var deliveries: Bool
    }

    var title: String
    var csrf: String
    var user: User
    var workspace: WorkspaceSummary
    /// The active section, as `nav.<name>` for the template.
    var nav: [String: Bool]
    var sub: [String: Bool]
    var can: Abilities
    var flash: String?
}

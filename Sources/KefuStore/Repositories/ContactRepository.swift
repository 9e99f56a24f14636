import FluentKit
import Foundation
import KefuCore
import SQLKit

/// What a contact edit sets; nil keeps the stored value, an empty string clears it.
public struct ContactChange: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    /// Merged into the stored attributes; an empty value removes the key.
    public var attributes: [String: String]

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, attributes: [String: String] = [:]) {
        self.name = name
        self.email = email
        self.phone = phone
        self.attributes = attributes
    }
}

/// The bound workspace's customers.
public protocol ContactRepository: Sendable {
    func create(name: String?, at: Date) async throws -> Contact
    /// The contact, following merges: a contact merged into another answers as that one.
    func contact(_ id: ContactID) async throws -> Contact
    func contacts(ids: [ContactID]) async throws -> [ContactID: Contact]
    /// The contact an e-mail or phone number belongs to.
    func contact(email: String) async throws -> Contact?
    func contact(phone: String) async throws -> Contact?
    func update(_ id: ContactID, _ change: ContactChange, at: Date) async throws -> Contact
    func touch(_ id: ContactID, at: Date) async throws
    /// Moves `source`'s conversations and identities to `target` and marks `source` merged into it.
    func merge(_ source: ContactID, into target: ContactID, at: Date) async throws -> Contact
    /// Contacts (not merged away) seen most recently first, before `before`; `matching` filters by a part of the name,
    /// e-mail or phone number; `visibleTo` keeps those with a conversation or a ticket that reader may see.
    func recent(matching: String?, before: Date?, visibleTo: ConversationVisibility?, limit: Int) async throws -> [Contact]
}

struct SQLContactRepository: ContactRepository {
    let scope: WorkspaceScope

    func create(name: String?, at: Date) async throws -> Contact {
        let model = ContactModel()
        model.id = UUID()
        model.workspaceID = scope.workspaceID.uuid
        model.name = name
        model.attributes = "{}"
        model.createdAt = at
        model.lastSeenAt = at
        try await model.create(on: scope.db)
        return try model.record()
    }

    private func model(_ id: ContactID) async throws -> ContactModel {
        var id = id.uuid
        for _ in 0..<8 {
            guard let model = try await scope.query(ContactModel.self).filter(\.$id == id).first() else { break }
            guard let next = model.mergedInto else { return model }
            id = next
        }
        throw DomainError.notFound(.contact)
    }

    func contact(_ id: ContactID) async throws -> Contact { try await model(id).record() }

    func contacts(ids: [ContactID]) async throws -> [ContactID: Contact] {
        guard !ids.isEmpty else { return [:] }
        let models = try await scope.query(ContactModel.self).filter(\.$id ~~ ids.map(\.uuid)).all()
        return Dictionary(uniqueKeysWithValues: try models.map { (ContactID(try $0.requireID()), try $0.record()) })
    }

    private func identity(_ kind: String, _ value: String) async throws -> Contact? {
        guard
            let identity = try await scope.query(ContactIdentityModel.self).filter(\.$kind == kind)
                .filter(\.$value == value).first()
        else { return nil }
        return try await contact(ContactID(identity.contactID))
    }

    func contact(email: String) async throws -> Contact? { try await identity("email", email.lowercased()) }

    func contact(phone: String) async throws -> Contact? { try await identity("phone", phone) }

    func update(_ id: ContactID, _ change: ContactChange, at: Date) async throws -> Contact {
        let model = try await model(id)
        let contactID = try model.requireID()
        if let name = change.name { model.name = name.isEmpty ? nil : name }
        if let email = change.email {
            model.email = email.isEmpty ? nil : email.lowercased()
            try await setIdentity("email", model.email, contact: contactID, at: at)
        }
        if let phone = change.phone {
            model.phone = phone.isEmpty ? nil : phone
            try await setIdentity("phone", model.phone, contact: contactID, at: at)
        }
        if !change.attributes.isEmpty {
            var attributes = try model.record().attributes
            for (key, value) in change.attributes { attributes[key] = value.isEmpty ? nil : value }
            model.attributes = StoredJSON.encode(attributes)
        }
        model.lastSeenAt = max(model.lastSeenAt, at)
        try await model.update(on: scope.db)
        return try model.record()
    }

    /// One identity of a kind per contact; another contact holding the value is a conflict the caller resolves by
    /// merging (only an agent decides that two contacts are one person).
    private func setIdentity(_ kind: String, _ value: String?, contact: UUID, at: Date) async throws {
        try await scope.query(ContactIdentityModel.self).filter(\.$contactID == contact).filter(\.$kind == kind).delete()
        guard let value else { return }
        let identity = ContactIdentityModel()
        identity.id = UUID()
        identity.workspaceID = scope.workspaceID.uuid
        identity.contactID = contact
        identity.kind = kind
        identity.value = value
        identity.createdAt = at
        try await createUnique(identity, on: scope.db, conflict: .identityTaken)
    }

    func recent(matching: String?, before: Date?, visibleTo: ConversationVisibility?, limit: Int) async throws -> [Contact] {
        let sql = try scope.sql
        var conditions: SQLQueryString = "workspace_id = \(bind: scope.workspaceID.uuid) AND merged_into IS NULL"
        if let before { conditions = conditions + " AND last_seen_at < \(bind: before)" }
        if let matching, !matching.isEmpty {
            // A part of the name, e-mail or phone, in any case; % and _ in the query are literal.
            let escaped = matching.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            let pattern = "%" + escaped + "%"
            conditions =
                conditions
                + " AND (lower(coalesce(name, '')) LIKE \(bind: pattern) ESCAPE '\\' OR lower(coalesce(email, '')) LIKE \(bind: pattern) ESCAPE '\\' OR coalesce(phone, '') LIKE \(bind: pattern) ESCAPE '\\')"
        }
        if let visibleTo, let seen = visibleTo.condition("c"), let seenTicket = visibleTo.condition("t") {
            let workspace = scope.workspaceID.uuid
            conditions =
                conditions
                + " AND (EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = contacts.id AND c.workspace_id = \(bind: workspace) AND \(seen))"
                + " OR EXISTS (SELECT 1 FROM tickets t WHERE t.requester_id = contacts.id AND t.workspace_id = \(bind: workspace) AND \(seenTicket)))"
        }
        struct Row: Decodable { var id: UUID }
        let ids = try await sql.raw(
            "SELECT id FROM contacts WHERE \(conditions) ORDER BY last_seen_at DESC LIMIT \(bind: limit)"
        ).all(decoding: Row.self).map { ContactID($0.id) }
        let found = try await contacts(ids: ids)
        return ids.compactMap { found[$0] }
    }

    func touch(_ id: ContactID, at: Date) async throws {
        try await scope.query(ContactModel.self).filter(\.$id == id.uuid).set(\.$lastSeenAt, to: at).update()
    }

    func merge(_ source: ContactID, into target: ContactID, at: Date) async throws -> Contact {
        let from = try await model(source)
        let into = try await model(target)
        let fromID = try from.requireID()
        let intoID = try into.requireID()
        guard fromID != intoID else { return try into.record() }
        try await scope.query(ConversationModel.self).filter(\.$contactID == fromID).set(\.$contactID, to: intoID).update()
        let taken = Set(try await scope.query(ContactIdentityModel.self).filter(\.$contactID == intoID).all().map(\.kind))
        for identity in try await scope.query(ContactIdentityModel.self).filter(\.$contactID == fromID).all() {
            if taken.contains(identity.kind) {
                try await identity.delete(on: scope.db)
            } else {
                identity.contactID = intoID
                try await identity.update(on: scope.db)
            }
        }
        into.name = into.name ?? from.name
        into.email = into.email ?? from.email
        into.phone = into.phone ?? from.phone
        var attributes = try from.record().attributes
        attributes.merge(try into.record().attributes) { _, kept in kept }
        into.attributes = StoredJSON.encode(attributes)
        into.lastSeenAt = max(into.lastSeenAt, from.lastSeenAt)
        try await into.update(on: scope.db)
        from.mergedInto = intoID
        try await from.update(on: scope.db)
        return try into.record()
    }
}

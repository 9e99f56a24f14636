import Foundation
import KefuBot
import KefuCore
import SQLKit

/// The bound workspace's sensitive-word list.
public protocol SensitiveWordRepository: Sendable {
    func all() async throws -> [SensitiveWord]
    func add(_ word: String, action: SensitiveWordAction, at: Date) async throws -> SensitiveWord
    func setAction(_ id: SensitiveWordID, _ action: SensitiveWordAction) async throws -> SensitiveWord
    func delete(_ id: SensitiveWordID) async throws
}

struct SensitiveWordRow: Decodable {
    var id: UUID
    var workspace_id: UUID
    var word: String
    var action: String
    var created_at: Date

    func record() throws -> SensitiveWord {
        SensitiveWord(
            id: SensitiveWordID(id), workspaceID: WorkspaceID(workspace_id), word: word,
            action: try decodeStored(SensitiveWordAction.self, action, table: "sensitive_words", column: "action"),
            createdAt: created_at)
    }
}

struct SQLSensitiveWordRepository: SensitiveWordRepository {
    let scope: WorkspaceScope

    private var sql: any SQLDatabase { get throws { try scope.sql } }

    func all() async throws -> [SensitiveWord] {
        try await sql.raw(
            "SELECT * FROM sensitive_words WHERE workspace_id = \(bind: scope.workspaceID.uuid) ORDER BY folded"
        ).all(decoding: SensitiveWordRow.self).map { try $0.record() }
    }

    private func word(_ id: SensitiveWordID) async throws -> SensitiveWord {
        guard
            let row = try await sql.raw(
                "SELECT * FROM sensitive_words WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)"
            ).first(decoding: SensitiveWordRow.self)
        else { throw DomainError.notFound(.sensitiveWord) }
        return try row.record()
    }

    func add(_ word: String, action: SensitiveWordAction, at: Date) async throws -> SensitiveWord {
        let id = UUID()
        let folded = String(String.UnicodeScalarView(word.flatMap(TextFolding.fold)))
        try await runUnique(conflict: .wordListed) {
            try await sql.raw(
                """
                INSERT INTO sensitive_words (id, workspace_id, word, folded, action, created_at) VALUES (\(bind: id), \
                \(bind: scope.workspaceID.uuid), \(bind: word), \(bind: folded), \(bind: action.rawValue), \(bind: at))
                """
            ).run()
        }
        return try await self.word(SensitiveWordID(id))
    }

    func setAction(_ id: SensitiveWordID, _ action: SensitiveWordAction) async throws -> SensitiveWord {
        _ = try await word(id)
        try await sql.raw(
            """
            UPDATE sensitive_words SET action = \(bind: action.rawValue) \
            WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)
            """
        ).run()
        return try await word(id)
    }

    func delete(_ id: SensitiveWordID) async throws {
        _ = try await word(id)
        try await sql.raw(
            "DELETE FROM sensitive_words WHERE workspace_id = \(bind: scope.workspaceID.uuid) AND id = \(bind: id.uuid)"
        ).run()
    }

}

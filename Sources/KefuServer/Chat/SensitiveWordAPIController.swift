import Foundation
import Hummingbird
import KefuCore

/// The workspace's sensitive-word list (supervisors and above).
struct SensitiveWordAPIController {
    let words: SensitiveWordService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.sensitiveWords, .manageChatSettings, use: list)
        routes.on(.post, APIPath.sensitiveWords, .manageChatSettings, use: add)
        routes.on(.patch, APIPath.sensitiveWord, .manageChatSettings, use: update)
        routes.on(.delete, APIPath.sensitiveWord, .manageChatSettings, use: delete)
    }

    struct Word: ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, word, action
            case createdAt = "created_at"
        }

        var id: SensitiveWordID
        var word: String
        var action: SensitiveWordAction
        var createdAt: Date

        init(_ word: SensitiveWord) {
            id = word.id
            self.word = word.word
            action = word.action
            createdAt = word.createdAt
        }
    }

    struct List: ResponseEncodable {
        var data: [Word]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(data: try await words.list(context.identity).map(Word.init))
    }

    struct New: Decodable {
        var word: String
        var action: SensitiveWordAction
    }

    @Sendable func add(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Word> {
        let body = try await request.decodeJSON(New.self, context: context)
        let word = try await words.add(context.identity, word: body.word, action: body.action, ip: context.clientIP)
        return EditedResponse(status: .created, response: Word(word))
    }

    struct Change: Decodable {
        var action: SensitiveWordAction
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Word {
        let id = try context.parameters.require("sensitiveWordID", as: SensitiveWordID.self)
        let body = try await request.decodeJSON(Change.self, context: context)
        return Word(try await words.setAction(context.identity, id, body.action, ip: context.clientIP))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("sensitiveWordID", as: SensitiveWordID.self)
        try await words.delete(context.identity, id, ip: context.clientIP)
        return .noContent
    }
}

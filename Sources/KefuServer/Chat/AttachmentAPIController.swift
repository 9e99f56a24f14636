import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

extension HTTPField.Name {
    /// The widget's visitor token on its uploads (the socket carries it in `hello`).
    // swift-format-ignore: NeverForceUnwrap
    static let kefuVisitor = Self("X-Kefu-Visitor")!
}

/// Files in chat: agents and widget visitors upload the raw bytes (`?name=` and `?client_id=`), each upload becomes
/// one message; files are served at unguessable addresses so an `<img>` on the shop's site can show them.
struct AttachmentAPIController {
    let conversations: ConversationService
    let uploads: UploadAllowance

    func register(secured: SecuredRoutes, public routes: PublicRoutes, pages: PublicRoutes) {
        secured.on(.post, APIPath.conversationAttachments, .replyConversations, use: agentUpload)
        routes.on(.post, APIPath.widgetAttachments, use: widgetUpload)
        routes.on(.options, APIPath.widgetAttachments, use: widgetPreflight)
        pages.on(.get, WebPath.attachmentFile, use: file)
    }

    @Sendable func agentUpload(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<DTO.Message> {
        let id = try context.parameters.require("conversationID", as: ConversationID.self)
        let upload = try await Self.upload(request, maxBytes: context.maxUploadSize)
        let isPrivate = request.uri.queryParameters.get("private") == "true"
        let result = try await conversations.agentUpload(context.identity, id, upload, isPrivate: isPrivate)
        return EditedResponse(status: result.isNew ? .created : .ok, response: DTO.Message(result.message, forAgent: true))
    }

    @Sendable func widgetUpload(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<DTO.Message> {
        let key = try context.parameters.require("widgetKey")
        guard let token = request.headers[.kefuVisitor], !token.isEmpty else { throw DomainError.unauthenticated }
        let (visitor, _) = try await conversations.visitor(widgetKey: key, token: token)
        let query = request.uri.queryParameters
        let conversation = try query.get("conversation").map { raw in
            guard let id = ConversationID(raw) else { throw DomainError.notFound(.conversation) }
            return id
        }
        let upload = try await Self.upload(request, maxBytes: context.maxUploadSize)
        try uploads.charge(upload.bytes.count, address: context.clientIP ?? "unknown", contact: visitor.contactID)
        let locale = query.get("locale").flatMap(UILocale.init(loose:)) ?? visitor.workspace.defaultLocale
        let result = try await conversations.customerUpload(
            visitor, conversation, upload, locale: locale, logger: context.logger)
        return EditedResponse(
            status: result.isNew ? .created : .ok, headers: Self.crossSite,
            response: DTO.Message(result.message, forAgent: false))
    }

    /// The widget uploads from the shop's own site: the browser asks first.
    @Sendable func widgetPreflight(_ request: Request, context: AppRequestContext) async throws -> Response {
        var headers = Self.crossSite
        headers[.accessControlAllowMethods] = "POST"
        headers[.accessControlAllowHeaders] = "Content-Type, X-Kefu-Visitor"
        headers[.accessControlMaxAge] = "600"
        return Response(status: .noContent, headers: headers)
    }

    static let crossSite: HTTPFields = [.accessControlAllowOrigin: "*"]

    static func upload(_ request: Request, maxBytes: Int) async throws -> ConversationService.Upload {
        var request = request
        let body = try await request.collectBody(upTo: maxBytes)
        let query = request.uri.queryParameters
        return ConversationService.Upload(
            fileName: query.get("name") ?? "", bytes: Array(body.readableBytesView), clientID: query.get("client_id"))
    }

    /// Images inline, anything else as a download; never run as a page of ours.
    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let workspace = context.parameters.get("workspaceID", as: WorkspaceID.self),
            let id = context.parameters.get("attachmentID", as: AttachmentID.self),
            let token = context.parameters.get("token")
        else { throw DomainError.notFound(.attachment) }
        let (attachment, url) = try await conversations.attachmentFile(workspace: workspace, id: id, token: token)
        guard let data = try? Data(contentsOf: url) else { throw DomainError.notFound(.attachment) }
        let inline = ContentSniffer.isInlineImage(attachment.contentType)
        var headers: HTTPFields = [
            .contentType: attachment.contentType,
            .cacheControl: "private, max-age=31536000, immutable",
            .contentSecurityPolicy: "default-src 'none'; sandbox",
            .contentDisposition: (inline ? "inline" : "attachment") + "; filename*=UTF-8''"
                + Self.percentEncoded(attachment.fileName),
        ]
        headers[.accessControlAllowOrigin] = "*"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// RFC 5987: every byte outside the unreserved set percent-encoded.
    static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "file"
    }
}

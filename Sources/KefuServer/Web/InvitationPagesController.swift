import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// The invitation page: a new member sets a name and password, an existing user confirms theirs, and is signed in.
struct InvitationPagesController {
    let members: MemberService
    let credentials: CredentialService
    let pages: AnonymousPages
    let cookies: SessionCookies

    func register(_ routes: PublicRoutes) {
        routes.on(.get, WebPath.invite, use: show)
        routes.on(.post, WebPath.invite, use: accept)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard let (invitation, workspace) = try await members.openInvitation(token: token) else { return invalid(request) }
        return pages.render(
            "invite", title: "invite", request: request, status: .ok, data: data(invitation, workspace, token, request))
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        var request = request
        let form = FormData(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
        guard let (invitation, workspace) = try await members.openInvitation(token: token) else { return invalid(request) }
        do {
            let signedIn = try await members.acceptInvitation(
                token: token, displayName: form["name"] ?? "", password: form["password"] ?? "", ip: context.clientIP)
            let (session, _) = try await credentials.startSession(signedIn)
            var response = Response.redirect(to: WebPath.app)
            response.setCookie(cookies.session(session))
            return response
        } catch let errors as ValidationErrors {
            var data = data(invitation, workspace, token, request)
            let locale = pages.locale(request)
            data["error"] = pages.renderer.catalogues.fields(errors, locale).sorted { $0.key < $1.key }
                .map { "\(pages.renderer.text("invite", $0.key, locale)): \($0.value)" }.joined(separator: "; ")
            return pages.render("invite", title: "invite", request: request, status: .unprocessableContent, data: data)
        } catch DomainError.unauthenticated {
            var data = data(invitation, workspace, token, request)
            data["error"] = pages.renderer.text("login", "failed", pages.locale(request))
            return pages.render("invite", title: "invite", request: request, status: .unauthorized, data: data)
        }
    }

    private func data(_ invitation: Invitation, _ workspace: Workspace, _ token: String, _ request: Request) -> [String: Any] {
        [
            "workspace": workspace.name, "email": invitation.email,
            "role_label": pages.renderer.text("roles", invitation.role.rawValue, pages.locale(request)),
            "action": WebPath.invite(token),
        ]
    }

    private func invalid(_ request: Request) -> Response {
        let locale = pages.locale(request)
        return pages.renderer.errorPage(
            status: .notFound, message: pages.renderer.text("invite", "invalid", locale), locale: locale)
    }
}

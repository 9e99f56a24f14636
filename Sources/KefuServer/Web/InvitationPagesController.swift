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
        return render(invitation, workspace, token, request, status: .ok, error: nil)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = try await FormData.read(request, context)
        guard let (invitation, workspace) = try await members.openInvitation(token: token) else { return invalid(request) }
        let locale = pages.locale(request)
        do {
            let signedIn = try await members.acceptInvitation(
                token: token, displayName: form["name"] ?? "", password: form["password"] ?? "", ip: context.clientIP)
            let (session, _) = try await credentials.startSession(signedIn)
            var response = Response.redirect(to: WebPath.app)
            response.setCookie(cookies.session(session))
            return response
        } catch let errors as ValidationErrors {
            let message = pages.renderer.catalogues.fields(errors, locale).sorted { $0.key < $1.key }
                .map { "\(pages.renderer.text("invite", $0.key, locale)): \($0.value)" }.joined(separator: "; ")
            return render(invitation, workspace, token, request, status: .unprocessableContent, error: message)
        } catch DomainError.unauthenticated {
            let message = pages.renderer.text("login", "failed", locale)
            return render(invitation, workspace, token, request, status: .unauthorized, error: message)
        }
    }

    private func render(
        _ invitation: Invitation, _ workspace: Workspace, _ token: String, _ request: Request, status: HTTPResponse.Status,
        error: String?
    ) -> Response {
        let roleLabel = pages.renderer.text("roles", invitation.role.rawValue, pages.locale(request))
        return pages.render(.invite, request: request, status: status) { csrf, title in
            PageModel.Invite(
                title: title, csrf: csrf, workspace: workspace.name, email: invitation.email, roleLabel: roleLabel,
                action: WebPath.invite(token), error: error)
        }
    }

    private func invalid(_ request: Request) -> Response {
        let locale = pages.locale(request)
        return pages.renderer.errorPage(
            status: .notFound, message: pages.renderer.text("invite", "invalid", locale), locale: locale)
    }
}

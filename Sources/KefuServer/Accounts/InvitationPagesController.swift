import Foundation
import HTTPTypes
import Hummingbird
import KefuCore

/// The invitation page: a new person sets a name and password; someone who already has an account signs in first
/// and joins with one click. The page never asks for an existing account's password.
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
        return render(invitation, workspace, token, request, context, status: .ok, error: nil)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let form = try await FormData.read(request, context)
        guard let (invitation, workspace) = try await members.openInvitation(token: token) else { return invalid(request) }
        let locale = pages.locale(request)
        let catalogues = pages.renderer.catalogues
        func failed(_ status: HTTPResponse.Status, _ message: String) -> Response {
            render(invitation, workspace, token, request, context, status: status, error: message)
        }
        do {
            let signedIn: SignedIn
            if let identity = context.identity, case .session = identity.credential {
                signedIn = try await members.acceptInvitation(token: token, as: identity.user, ip: context.clientIP)
            } else {
                signedIn = try await members.acceptInvitation(
                    token: token, displayName: form["name"] ?? "", password: form["password"] ?? "", ip: context.clientIP)
            }
            let (session, _) = try await credentials.startSession(signedIn)
            var response = Response.redirect(to: WebPath.app)
            response.setCookie(cookies.session(session))
            return response
        } catch let errors as ValidationErrors {
            let message = catalogues.fields(errors, locale).sorted { $0.key < $1.key }
                .map { "\(pages.renderer.text("invite", $0.key, locale)): \($0.value)" }.joined(separator: "; ")
            return failed(.unprocessableContent, message)
        } catch let error as DomainError {
            let apiError = APIError.from(error)
            if case .notFound = error { return invalid(request) }
            var response = failed(apiError.status, catalogues.message(apiError, locale))
            for field in apiError.headers { response.headers.append(field) }
            return response
        }
    }

    private func render(
        _ invitation: Invitation, _ workspace: Workspace, _ token: String, _ request: Request, _ context: AppRequestContext,
        status: HTTPResponse.Status, error: String?
    ) -> Response {
        let locale = pages.locale(request)
        let roleLabel = pages.renderer.text("roles", invitation.role.rawValue, locale)
        var signedInAs: String?
        var error = error
        if let identity = context.identity, case .session = identity.credential {
            if Validate.normalizedEmail(identity.user.email) == invitation.email {
                signedInAs = identity.user.email
            } else if error == nil {
                error = pages.renderer.text("refused", DomainError.Refusal.invitationForSomeoneElse.rawValue, locale)
            }
        }
        let signIn =
            WebPath.login + "?next=" + (WebPath.invite(token).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return pages.render(.invite, request: request, status: status) { csrf, title in
            PageModel.Invite(
                title: title, csrf: csrf, workspace: workspace.name, email: invitation.email, roleLabel: roleLabel,
                action: WebPath.invite(token), signedInAs: signedInAs, signInLink: signIn, error: error)
        }
    }

    private func invalid(_ request: Request) -> Response {
        let locale = pages.locale(request)
        return pages.renderer.errorPage(
            status: .notFound, message: pages.renderer.text("invite", "invalid", locale), locale: locale)
    }
}

import Foundation
import Hummingbird
import KefuCore

/// The public help center at /help/{slug}: categories, article pages, search (server-side without JavaScript,
/// as you type with it), language switch, "was this helpful?".
struct PortalPages {
    let portal: PortalService
    let tickets: PortalTicketService
    let renderer: PageRenderer
    let secret: SecretKey
    let cookies: SessionCookies

    func register(_ routes: PublicRoutes) {
        routes.on(.get, WebPath.portal, use: home)
        routes.on(.get, WebPath.portalArticle, use: article)
        routes.on(.get, WebPath.portalTicketForm, use: ticketForm)
        routes.on(.post, WebPath.portalTicketForm, use: submitTicket)
        routes.on(.get, WebPath.portalTicketStatus, use: ticketStatus)
        routes.on(.post, WebPath.portalTicketStatus, use: replyToTicket)
    }

    /// `?lang=` wins, then the reader's browser, then the workspace's default.
    func locale(_ request: Request, _ workspace: Workspace) -> ContentLocale {
        if let lang = request.uri.queryParameters["lang"].flatMap({ ContentLocale(rawValue: String($0)) }) { return lang }
        if request.headers[.acceptLanguage] != nil { return UILocale.negotiate(acceptLanguage: request.headers[.acceptLanguage]) }
        return workspace.defaultLocale
    }

    func frame(_ workspace: Workspace, locale: ContentLocale, query: String, path: String) async throws
        -> PageModel.Portal
    {
        let other: ContentLocale = locale == .zhCN ? .en : .zhCN
        let settings = try await portal.settings(workspace)
        var contact: [PageModel.Portal.Link] = []
        if let email = settings.supportEmail {
            contact.append(.init(title: renderer.text("portal", "email_us", locale) + " " + email, href: "mailto:" + email))
        }
        if let phone = settings.supportPhone {
            contact.append(
                .init(
                    title: renderer.text("portal", "call_us", locale) + " " + phone,
                    href: "tel:" + phone.filter { $0.isNumber || $0 == "+" }))
        }
        return PageModel.Portal(
            workspace: workspace.name, slug: workspace.slug, brand: settings.brandColor, locale: locale.rawValue,
            home: WebPath.portal(workspace.slug) + "?lang=" + locale.rawValue, switchLabel: other.rawValue,
            switchHref: path + "?lang=" + other.rawValue, query: query, searched: false, results: [], categories: [],
            contact: contact, newTicket: WebPath.portalTicketForm(workspace.slug) + "?lang=" + locale.rawValue)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try await portal.workspace(slug: try context.parameters.require("slug"))
        let locale = locale(request, workspace)
        let query = request.uri.queryParameters["q"].map(String.init) ?? ""
        var page = try await frame(workspace, locale: locale, query: query, path: WebPath.portal(workspace.slug))
        let articles = try await portal.articles(workspace, locale: locale)
        let categories = try await portal.categories(workspace)
        let link = { (article: KBArticle) in
            PageModel.Portal.Link(
                title: article.title, href: WebPath.portalArticle(workspace.slug, article.id) + "?lang=" + locale.rawValue)
        }
        page.categories = categories.compactMap { category in
            let inside = articles.filter { $0.categoryID == category.id }.sorted { $0.title < $1.title }.map(link)
            return inside.isEmpty ? nil : .init(name: category.name(locale), articles: inside)
        }
        let loose = articles.filter { article in !categories.contains { $0.id == article.categoryID } }.map(link)
        if !loose.isEmpty { page.categories.append(.init(name: renderer.text("portal", "more", locale), articles: loose)) }
        if !query.trimmingCharacters(in: .whitespaces).isEmpty {
            page.searched = true
            page.results = try await portal.search(workspace, query: query, locale: locale).map {
                .init(
                    title: $0.title, snippet: Highlight.html($0.snippet),
                    href: WebPath.portalArticle(workspace.slug, $0.article) + "?lang=" + locale.rawValue)
            }
        }
        return renderer.render(
            .portalHome, PageModel.PortalHome(portal: page, title: renderer.text("portal", "help_center", locale)),
            locale: locale)
    }

    @Sendable func article(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try await portal.workspace(slug: try context.parameters.require("slug"))
        let id = try context.parameters.require("articleID", as: ArticleID.self)
        let (article, translations) = try await portal.article(workspace, id: id)
        let requested = request.uri.queryParameters["lang"].flatMap { ContentLocale(rawValue: String($0)) }
        // Asked for the other language: its translation, when there is one.
        if let requested, requested != article.locale, let translation = translations.first(where: { $0.locale == requested }) {
            return .redirect(to: WebPath.portalArticle(workspace.slug, translation.id) + "?lang=" + requested.rawValue)
        }
        let locale = article.locale
        var page = try await frame(workspace, locale: locale, query: "", path: WebPath.portalArticle(workspace.slug, id))
        if let translation = translations.first(where: { $0.locale != locale }) {
            page.switchHref = WebPath.portalArticle(workspace.slug, translation.id) + "?lang=" + translation.locale.rawValue
        } else {
            page.switchHref = WebPath.portal(workspace.slug) + "?lang=" + page.switchLabel
        }
        // Related articles are a nicety: the page renders without them if the index is unavailable.
        let related = ((try? await portal.related(workspace, to: article)) ?? []).map {
            PageModel.Portal.Link(title: $0.title, href: WebPath.portalArticle(workspace.slug, $0.article))
        }
        var content = PageModel.PortalArticle(
            portal: page, id: id.description, title: article.title, html: MarkdownRenderer().html(article.body),
            updated: ShellPage.display(article.updatedAt), related: related,
            voteURL: "/api/v1/portal/\(workspace.slug)/articles/\(id)/vote")
        content.hasRelated = !related.isEmpty
        return renderer.render(.portalArticle, content, locale: locale)
    }
}

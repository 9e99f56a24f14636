import Foundation
import Hummingbird
import KefuCore

/// Settings → Business hours: everyone sees them and whether the business is open now; admins change them.
struct BusinessHoursPages {
    let hours: BusinessHoursService
    let renderer: PageRenderer

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, WebPath.settingsBusinessHours, .viewWorkspace, use: show)
        routes.on(.post, WebPath.settingsBusinessHours, .updateWorkspace, use: save)
    }

    @Sendable func show(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let page = ShellPage(context, request: request, renderer: renderer)
        let current = try await hours.hours(context.identity)
        let shown = current.enabled ? current : Self.suggestion(context.identity.workspace.defaultLocale)
        let model = PageModel.BusinessHours(
            enabled: current.enabled, timeZone: shown.timeZone, zones: TimeZone.knownTimeZoneIdentifiers,
            days: Weekday.allCases.map { day in
                PageModel.BusinessHours.Day(
                    key: day.rawValue, name: renderer.text("hours", day.rawValue, page.locale),
                    spans: shown.spans.filter { $0.day == day }.map {
                        OpeningSpan.text($0.open) + "-" + OpeningSpan.text($0.close)
                    }.joined(separator: ", "))
            },
            holidays: shown.holidays.map { ($0.date + " " + $0.name).trimmingCharacters(in: .whitespaces) }
                .joined(separator: "\n"),
            status: status(current, locale: page.locale), canEdit: context.identity.can(.updateWorkspace))
        return page.render(
            .businessHours, model, title: renderer.text("settings", "hours", page.locale), nav: "settings", sub: "hours",
            flashKey: ShellPage.flash(request))
    }

    @Sendable func save(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let form = try await FormData.read(request, context)
        _ = try await hours.setHours(context.identity, try Self.parse(form), ip: context.clientIP)
        return .redirect(to: WebPath.settingsBusinessHours + "?flash=hours_saved")
    }

    /// What the page offers before any hours are set: weekdays 09:00–18:00 in the workspace's usual zone.
    static func suggestion(_ locale: UILocale) -> BusinessHours {
        BusinessHours(
            enabled: false, timeZone: locale == .zhCN ? "Asia/Shanghai" : "UTC",
            spans: [Weekday.mon, .tue, .wed, .thu, .fri].map { OpeningSpan(day: $0, open: 540, close: 1080) }, holidays: [])
    }

    /// "09:00-12:00, 13:30-18:00" per day and "YYYY-MM-DD name" per holiday line; anything unreadable is a
    /// validation error naming the field.
    static func parse(_ form: FormData) throws -> BusinessHours {
        var errors = ValidationErrors()
        var spans: [OpeningSpan] = []
        for day in Weekday.allCases {
            let text = form["day_" + day.rawValue] ?? ""
            for part in text.split(separator: ",") {
                let bounds = part.trimmingCharacters(in: .whitespaces).split(separator: "-").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard bounds.count == 2, let open = OpeningSpan.minutes(bounds[0]), let close = OpeningSpan.minutes(bounds[1])
                else {
                    errors.add("weekly", .pattern)
                    continue
                }
                spans.append(OpeningSpan(day: day, open: open, close: close))
            }
        }
        var holidays: [Holiday] = []
        for line in (form["holidays"] ?? "").split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            let date = String(trimmed.prefix { !$0.isWhitespace })
            let name = trimmed.dropFirst(date.count).trimmingCharacters(in: .whitespaces)
            holidays.append(Holiday(date: date, name: name))
        }
        try errors.throwIfAny()
        return BusinessHours(
            enabled: form["enabled"] == "on", timeZone: (form["time_zone"] ?? "").trimmingCharacters(in: .whitespaces),
            spans: spans, holidays: holidays)
    }

    private func status(_ current: BusinessHours, locale: UILocale) -> String {
        let now = hours.now.date
        guard current.enabled else { return renderer.text("hours", "always", locale) }
        if current.isOpen(at: now) { return renderer.text("hours", "open_now", locale) }
        guard let next = current.nextOpening(after: now) else { return renderer.text("hours", "never", locale) }
        let format = DateFormatter()
        format.locale = Locale(identifier: locale == .zhCN ? "zh_CN" : "en_US_POSIX")
        format.timeZone = TimeZone(identifier: current.timeZone)
        format.dateFormat = "EEE yyyy-MM-dd HH:mm"
        return renderer.text("hours", "closed_until", locale).replacingOccurrences(
            of: "{time}", with: format.string(from: next) + " (" + current.timeZone + ")")
    }
}

import Foundation
import KefuCore

/// The zh-CN and en string catalogues: section → key → text. Loaded once; both hold the same keys (a test checks),
/// and a missing key is visible as `section.key`, never a crash.
public struct Catalogues: Sendable {
    public typealias Catalogue = [String: [String: String]]

    let byLocale: [UILocale: Catalogue]

    static func load(from base: URL) throws -> Catalogues {
        var byLocale: [UILocale: Catalogue] = [:]
        for locale in UILocale.allCases {
            let url = base.appendingPathComponent("locales/\(locale.rawValue).json")
            byLocale[locale] = try JSONDecoder().decode(Catalogue.self, from: Data(contentsOf: url))
        }
        return Catalogues(byLocale: byLocale)
    }

    public func catalogue(_ locale: UILocale) -> Catalogue { byLocale[locale] ?? byLocale[.en] ?? [:] }

    public func text(_ section: String, _ key: String, _ locale: UILocale, _ arguments: [String: String] = [:]) -> String {
        var text = catalogue(locale)[section]?[key] ?? "\(section).\(key)"
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The message of an API error.
    func message(_ error: APIError, _ locale: UILocale) -> String {
        switch error.reason {
        case .code: catalogue(locale)["errors"]?[error.code] ?? text("errors", "request_failed", locale)
        case .notFound(let resource): text("not_found", resource.rawValue, locale)
        case .conflict(let why): text("conflict", why.rawValue, locale)
        case .forbidden(let why): text("refused", why.rawValue, locale)
        case .rateLimited(let seconds): text("errors", "rate_limited", locale, ["seconds": "\(seconds)"])
        }
    }

    /// The message of an error with its field issues, for a page that shows it above the form that was sent.
    func fullMessage(_ error: APIError, _ locale: UILocale) -> String {
        var text = message(error, locale)
        if let issues = error.issues {
            text +=
                " " + fields(issues, locale).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        }
        return text
    }

    /// What a form page shows above the form when a save was refused (a client error other than not found); nil for
    /// errors the error page handles.
    func formMessage(_ error: any Error, _ locale: UILocale) -> String? {
        let apiError = APIError.from(error)
        guard apiError.status.code < 500, apiError.status != .notFound else { return nil }
        return fullMessage(apiError, locale)
    }

    /// Field → message, in the reader's language.
    func fields(_ errors: ValidationErrors, _ locale: UILocale) -> [String: String] {
        errors.issues.mapValues { issue($0, locale) }
    }

    /// A bound as a person writes it: whole numbers without ".0", anything an `Int` cannot hold as it is.
    static func whole(_ value: Double) -> String {
        value.isFinite && abs(value) < 1e15 && value == value.rounded() ? String(Int(value)) : "\(value)"
    }

    func issue(_ issue: ValidationIssue, _ locale: UILocale) -> String {
        switch issue {
        case .required: text("validation", "required", locale)
        case .notNull: text("validation", "not_null", locale)
        case .wrongType(let type): text("validation", "wrong_type", locale, ["type": type])
        case .unexpectedField: text("validation", "unexpected_field", locale)
        case .length(let min, let max):
            max == Int.max
                ? text("validation", "min_length", locale, ["min": "\(min)"])
                : text("validation", "length", locale, ["min": "\(min)", "max": "\(max)"])
        case .oneOf(let values): text("validation", "one_of", locale, ["values": values.joined(separator: ", ")])
        case .email: text("validation", "email", locale)
        case .uuid: text("validation", "uuid", locale)
        case .dateTime: text("validation", "date_time", locale)
        case .text: text("validation", "text", locale)
        case .pattern: text("validation", "pattern", locale)
        case .number(let min, let max):
            text(
                "validation", "number", locale,
                ["min": min.map(Self.whole) ?? "-∞", "max": max.map(Self.whole) ?? "∞"])
        case .cursor: text("validation", "cursor", locale)
        case .weakPassword: text("validation", "weak_password", locale)
        case .tooFewPhrases(let min): text("validation", "too_few_phrases", locale, ["min": "\(min)"])
        case .tooFewIntents(let min): text("validation", "too_few_intents", locale, ["min": "\(min)"])
        case .unknownReference: text("validation", "unknown_reference", locale)
        case .duplicate: text("validation", "duplicate", locale)
        case .itemCount(let min, let max): text("validation", "item_count", locale, ["min": "\(min)", "max": "\(max)"])
        case .blockedWord(let word): text("validation", "blocked_word", locale, ["word": word])
        case .urlNotAllowed: text("validation", "url_not_allowed", locale)
        case .smtpURL: text("validation", "smtp_url", locale)
        case .password:
            text(
                "validation", "length", locale,
                ["min": "\(Validate.passwordLength.lowerBound)", "max": "\(Validate.passwordLength.upperBound)"])
        }
    }
}

import KefuCore

/// The page language: the signed-in user's setting, else the browser's `Accept-Language`.
enum PageLocale {
    static func resolve(identity: Identity?, acceptLanguage: String?) -> UILocale {
        if let stored = identity?.user.locale, let locale = UILocale(loose: stored) { return locale }
        return UILocale.negotiate(acceptLanguage: acceptLanguage)
    }
}

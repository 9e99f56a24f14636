import KefuCore

/// The page language: the signed-in user's setting, else the browser's `Accept-Language`.
enum PageLocale {
    static func resolve(identity: Identity?, acceptLanguage: String?) -> UILocale {
        if let stored = identity?.user.locale { return stored }
        return UILocale.negotiate(acceptLanguage: acceptLanguage)
    }
}

/// The language of API error messages: the request's `Accept-Language`, else the caller's own setting, else English.
enum APILocale {
    static func resolve(acceptLanguage: String?, identity: Identity?) -> UILocale {
        if let acceptLanguage, !acceptLanguage.isEmpty { return UILocale.negotiate(acceptLanguage: acceptLanguage) }
        return identity?.user.locale ?? .en
    }
}

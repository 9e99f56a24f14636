import Testing

@testable import KefuServer

@Suite struct RequestLogTests {
    /// Capability addresses (a file's token, a ticket's status link, an invitation) never reach the request log.
    @Test func capabilityTokensAreLeftOutOfTheLog() {
        typealias Log = RequestLogMiddleware<AppRequestContext>
        #expect(Log.redacted("/files/ws-1/att-2/3f9c0a") == "/files/ws-1/att-2/…")
        #expect(Log.redacted("/invite/inv_secret") == "/invite/…")
        #expect(Log.redacted("/help/tea-shop/tickets/tk.secret") == "/help/tea-shop/tickets/…")
        #expect(Log.redacted("/help/tea-shop/tickets/new") == "/help/tea-shop/tickets/new")
        #expect(Log.redacted("/api/v1/portal/tea-shop/tickets/tk.secret/replies") == "/api/v1/portal/tea-shop/tickets/…/replies")
        #expect(Log.redacted("/api/v1/tickets/123") == "/api/v1/tickets/123")
        #expect(Log.redacted("/") == "/")
    }
}

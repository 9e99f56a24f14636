import Foundation
import HTTPTypes
import HummingbirdTesting
import KefuCore
import KefuStore
import KefuTestSupport
import Testing

@testable import KefuServer

/// Tickets follow the conversations' rule: an agent outside a team reads neither a team-only chat's transcript through
/// its ticket, nor its customer's name and e-mail, nor their tickets, and cannot reach them by typing their e-mail.
@Suite(.timeLimit(.minutes(30))) struct TicketVisibilityTests {
    @Test(arguments: TestDatabase.all)
    func anAgentOutsideTheTeamSeesNoneOfItsTicketsNorTheirCustomer(_ db: TestDatabase) async throws {
        try await TestApp.run(db) { app, client in
            let owner = try await app.member("owner@shop.example", workspace: "tea-shop", role: .owner, client: client)
            let insider = try await app.member("vip@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let outsider = try await app.member("other@shop.example", workspace: "tea-shop", role: .agent, client: client)
            let data = app.dependencies.store.scoped(to: try await app.workspaceID("tea-shop"))
            let team = try await data.teams.create(name: "VIP", at: Date())
            let insiderID = try #require(
                try await app.dependencies.store.unscoped.users.credentials(email: "vip@shop.example")?.0.id)
            #expect(
                try await client.post(
                    APIBody.json([:]), to: "/api/v1/teams/\(team.id)/members/\(insiderID)", token: owner, method: .put
                ).status == .ok)
            // A team-only chat, made into a ticket: the ticket carries the team and the transcript.
            let contact = try await data.contacts.create(name: "Secret Customer", at: Date())
            _ = try await data.contacts.update(contact.id, ContactChange(email: "secret@customer.example"), at: Date())
            let conversation = try await data.conversations.start(
                contact: contact.id, status: .open, locale: .en, team: team.id, at: Date())
            let made = try await client.post(
                APIBody.json([:]), to: "/api/v1/conversations/\(conversation.id)/ticket", token: insider)
            #expect(made.status == .created || made.status == .ok, "\(String(buffer: made.body))")
            let ticketID = try #require((try made.json() as? [String: Any])?["id"] as? String)
            let number = try #require((try made.json() as? [String: Any])?["number"] as? Int)

            for (token, sees) in [(insider, true), (owner, true), (outsider, false)] {
                let read = try await client.get("/api/v1/tickets/\(ticketID)", token: token)
                #expect(read.status == (sees ? .ok : .notFound))
                let listed = try #require(try await client.get("/api/v1/tickets", token: token).json() as? [String: Any])
                let ids = (listed["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids.contains(ticketID) == sees)
                let theirs = try #require(
                    try await client.get("/api/v1/tickets?requester=\(contact.id)", token: token).json() as? [String: Any])
                #expect(((theirs["data"] as? [[String: Any]]) ?? []).isEmpty == !sees)
                #expect(try await client.get("/api/v1/contacts/\(contact.id)", token: token).status == (sees ? .ok : .notFound))
                let page = try await client.get("/app/tickets/\(ticketID)", token: token)
                #expect(page.status == (sees ? .ok : .notFound))
                #expect(String(buffer: page.body).contains("Secret Customer") == sees)
                let jump = try await client.get("/app/tickets?q=%23\(number)", token: token)
                #expect((jump.headers[.location]?.contains(ticketID) ?? false) == sees)
            }
            // Writing to it is "not found" too, and changes nothing.
            let note = try await client.post(
                APIBody.json(["body": "peek", "public": false]), to: "/api/v1/tickets/\(ticketID)/comments", token: outsider)
            #expect(note.status == .notFound)
            let change = try await client.post(
                APIBody.json(["status": "solved"]), to: "/api/v1/tickets/\(ticketID)", token: outsider, method: .patch)
            #expect(change.status == .notFound)
            #expect(try await data.tickets.ticket(TicketID(ticketID)!).ticket.status != .solved)
            // Typing the hidden customer's e-mail does not attach a ticket to them (nor show their name).
            let filed = try await client.post(
                APIBody.json(["subject": "Hi", "body": "Hello", "requester_email": "secret@customer.example"]),
                to: "/api/v1/tickets", token: outsider)
            #expect(filed.status == .unprocessableContent)
            #expect(!String(buffer: filed.body).contains("Secret Customer"))
            let fine = try await client.post(
                APIBody.json(["subject": "Hi", "body": "Hello", "requester_email": "secret@customer.example"]),
                to: "/api/v1/tickets", token: insider)
            #expect(fine.status == .created)
        }
    }
}

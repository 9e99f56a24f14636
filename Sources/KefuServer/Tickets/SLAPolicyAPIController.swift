import Foundation
import Hummingbird
import KefuCore

/// SLA policies: everyone reads them (agents see the targets their tickets run on); supervisors and up keep them.
struct SLAPolicyAPIController {
    let policies: SLAPolicyService

    func register(_ routes: SecuredRoutes) {
        routes.on(.get, APIPath.slaPolicies, .viewTickets, use: list)
        routes.on(.post, APIPath.slaPolicies, .manageTicketSettings, use: create)
        routes.on(.put, APIPath.slaPolicy, .manageTicketSettings, use: update)
        routes.on(.delete, APIPath.slaPolicy, .manageTicketSettings, use: delete)
    }

    struct Target: Codable {
        enum CodingKeys: String, CodingKey {
            case priority
            case firstResponseMinutes = "first_response_minutes"
            case resolutionMinutes = "resolution_minutes"
        }

        var priority: TicketPriority
        var firstResponseMinutes: Int?
        var resolutionMinutes: Int?
    }

    struct Policy: Codable, ResponseEncodable {
        enum CodingKeys: String, CodingKey {
            case id, name, targets, enabled
            case teamID = "team_id"
            case businessHours = "business_hours"
            case warnBeforeMinutes = "warn_before_minutes"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }

        var id: SLAPolicyID?
        var name: String
        var teamID: TeamID?
        var businessHours: Bool?
        var warnBeforeMinutes: Int?
        var targets: [Target]
        var enabled: Bool?
        var createdAt: Date?
        var updatedAt: Date?

        init(_ policy: SLAPolicy) {
            id = policy.id
            name = policy.name
            teamID = policy.teamID
            businessHours = policy.businessHours
            warnBeforeMinutes = policy.warnBeforeMinutes
            targets = policy.targets.map {
                Target(
                    priority: $0.priority, firstResponseMinutes: $0.firstResponseMinutes, resolutionMinutes: $0.resolutionMinutes)
            }
            enabled = policy.enabled
            createdAt = policy.createdAt
            updatedAt = policy.updatedAt
        }

        var draft: SLAPolicyService.Draft {
            SLAPolicyService.Draft(
                name: name, teamID: teamID, businessHours: businessHours ?? true, warnBeforeMinutes: warnBeforeMinutes ?? 30,
                targets: targets.map {
                    SLAPolicy.Target(
                        priority: $0.priority, firstResponseMinutes: $0.firstResponseMinutes,
                        resolutionMinutes: $0.resolutionMinutes)
                }, enabled: enabled ?? true)
        }
    }

    struct List: ResponseEncodable {
        var data: [Policy]
    }

    @Sendable func list(_ request: Request, context: AuthenticatedContext) async throws -> List {
        List(data: try await policies.list(context.identity).map(Policy.init))
    }

    @Sendable func create(_ request: Request, context: AuthenticatedContext) async throws -> EditedResponse<Policy> {
        let body = try await request.decodeJSON(Policy.self, context: context)
        let policy = try await policies.create(context.identity, body.draft, ip: context.clientIP)
        return EditedResponse(status: .created, response: Policy(policy))
    }

    @Sendable func update(_ request: Request, context: AuthenticatedContext) async throws -> Policy {
        let id = try context.parameters.require("slaPolicyID", as: SLAPolicyID.self)
        let body = try await request.decodeJSON(Policy.self, context: context)
        return Policy(try await policies.update(context.identity, id, body.draft, ip: context.clientIP))
    }

    @Sendable func delete(_ request: Request, context: AuthenticatedContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("slaPolicyID", as: SLAPolicyID.self)
        try await policies.delete(context.identity, id, ip: context.clientIP)
        return .noContent
    }
}

import OfficeKit
import Agenda
import Hummingbird
import Store

/// `/api/v1/specialists`: partner advisors who hold permanences and visio slots.
struct SpecialistController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("specialists", use: list)
        group.post("specialists", use: add)
    }

    struct Add: Decodable {
        let partner: String
        let displayName: String
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try .json(WireList(items: try await office.database.specialists().map(WireSpecialist.init)))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Add.self)
        let specialist = try await office.database.addSpecialist(partner: input.partner, displayName: input.displayName, structure: office.structure, now: office.clock())
        return try .json(WireSpecialist(specialist), status: .created)
    }
}

import OfficeKit
import Agenda
import Hummingbird
import Store

/// `/api/v1/permanences`: partner advisors' recurring presence at the structure.
struct PermanenceController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("permanences", use: list)
        group.post("permanences", use: add)
        group.get("permanences/{id}", use: show)
        group.delete("permanences/{id}", use: cancel)
        group.post("permanences/{id}/exceptions", use: addException)
    }

    struct Add: Decodable {
        let specialist: String
        let room: String
        let recurrence: WireRecurrence
        let hours: String
        let firstDate: String
        let lastDate: String?
    }

    struct Exception: Decodable { let date: String }

    struct Changed: Encodable {
        let permanence: WirePermanence
        let affectedBookings: [Booking]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try .json(zone: office.zone, WireList(items: try await office.database.permanences().map(WirePermanence.init)))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try .json(zone: office.zone, WirePermanence(try await office.database.permanence(id: context.id())))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Add.self)
        let permanence = try await office.database.addPermanence(
            specialist: input.specialist, room: input.room, recurrence: try input.recurrence.recurrence(),
            hours: try WireInput.range(input.hours, field: "hours"),
            firstDate: try WireInput.date(input.firstDate, field: "firstDate"),
            lastDate: try input.lastDate.map { try WireInput.date($0, field: "lastDate") },
            structure: office.structure, now: office.clock())
        return try .json(zone: office.zone, WirePermanence(permanence), status: .created)
    }

    @Sendable func addException(_ request: Request, context: Context) async throws -> Response {
        let id = try context.id()
        let input = try await request.decodeJSON(Exception.self)
        let result = try await office.database.addPermanenceException(id: id, date: try WireInput.date(input.date, field: "date"), zone: office.zone)
        return try .json(zone: office.zone, Changed(permanence: WirePermanence(result.permanence), affectedBookings: result.hits))
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let result = try await office.database.cancelPermanence(id: context.id(), now: office.clock())
        return try .json(zone: office.zone, Changed(permanence: WirePermanence(result.permanence), affectedBookings: result.hits))
    }
}

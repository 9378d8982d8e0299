import OfficeKit
import Agenda
import Hummingbird
import Store

/// `/api/v1/visio-slots`: windows in which a remote specialist takes visio appointments
/// in the confidential space.
struct VisioSlotController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("visio-slots", use: list)
        group.post("visio-slots", use: add)
        group.delete("visio-slots/{id}", use: cancel)
    }

    struct Add: Decodable {
        let specialist: String
        let start: String
        let end: String
    }

    struct Cancelled: Encodable {
        let visioSlot: WireVisioSlot
        let affectedBookings: [Booking]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let range = try DateRangeQuery(request, office: office, defaultDays: 31)
        let slots = try await office.database.visioSlots(overlapping: range.span(office.zone))
        return try .json(zone: office.zone, WireList(items: slots.map { WireVisioSlot($0, zone: office.zone) }))
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Add.self)
        let slot = try await office.database.addVisioSlot(
            specialist: input.specialist, span: try WireInput.span(start: input.start, end: input.end),
            structure: office.structure, now: office.clock())
        return try .json(zone: office.zone, WireVisioSlot(slot, zone: office.zone), status: .created)
    }

    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let result = try await office.database.cancelVisioSlot(id: context.id())
        return try .json(zone: office.zone, Cancelled(visioSlot: WireVisioSlot(result.slot, zone: office.zone), affectedBookings: result.hits))
    }
}

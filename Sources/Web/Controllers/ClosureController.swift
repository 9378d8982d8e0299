import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store

/// `/api/v1/closures`: exceptional closures, announced a week ahead unless an emergency.
struct ClosureController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("closures", use: list)
        group.post("closures", use: announce)
        group.delete("closures/{id}", use: withdraw)
    }

    struct Announce: Decodable {
        let start: String
        let end: String
        let reason: String
        let emergency: Bool?
    }

    struct Announced: Encodable {
        let closure: WireClosure
        /// Bookings inside the closure: their usagers must be warned.
        let affectedBookings: [Booking]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let range = try DateRangeQuery(request, office: office, defaultDays: 366)
        let closures = try await office.database.closures(overlapping: range.span(office.zone))
        return try .json(zone: office.zone, WireList(items: closures.map { WireClosure($0, zone: office.zone) }))
    }

    @Sendable func announce(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Announce.self)
        let span = try WireInput.span(start: input.start, end: input.end)
        let result = try await office.database.announceClosure(span: span, reason: input.reason, emergency: input.emergency ?? false, now: office.clock())
        return try .json(zone: office.zone, 
            Announced(closure: WireClosure(result.closure, zone: office.zone), affectedBookings: result.hits),
            status: .created)
    }

    @Sendable func withdraw(_ request: Request, context: Context) async throws -> Response {
        let closure = try await office.database.withdrawClosure(id: context.id())
        return try .json(zone: office.zone, WireClosure(closure, zone: office.zone))
    }
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both local dates, defaulting to today and some days on.
struct DateRangeQuery {
    let from: LocalDate
    let to: LocalDate

    init(_ request: Request, office: Office, defaultDays: Int) throws {
        let today = office.zone.localDate(office.clock())
        from = try request.query("from").map { try WireInput.date($0, field: "from") } ?? today
        to = try request.query("to").map { try WireInput.date($0, field: "to") } ?? from.adding(days: defaultDays)
        guard from <= to else { throw AgendaError.endBeforeStart }
        guard from.days(until: to) <= 800 else {
            throw APIError.invalid("to", french: "La période demandée dépasse 800 jours.", english: "The requested range exceeds 800 days.")
        }
    }

    func span(_ zone: StructureTimeZone) -> TimeSpan { TimeSpan(zone.day(from).start, zone.day(to).end) }
}

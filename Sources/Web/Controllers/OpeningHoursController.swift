import Agenda
import Hummingbird
import Store

/// `/api/v1/opening-hours`: the weekly plan, with the label's legal minimum enforced.
struct OpeningHoursController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("opening-hours", use: show)
        group.put("opening-hours", use: replace)
    }

    struct Replace: Decodable { let days: [String: [String]] }

    struct Replaced: Encodable {
        let plan: WireHoursPlan
        let bookingsOutside: [WireBooking]
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let plan = try await office.database.hoursPlan(default: office.structure, now: office.clock())
        return try .json(WireHoursPlan(plan, structure: office.structure))
    }

    @Sendable func replace(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Replace.self)
        let hours = try WireInput.weeklyHours(input.days)
        let result = try await office.database.replaceOpeningHours(hours, structure: office.structure, now: office.clock())
        return try .json(Replaced(
            plan: WireHoursPlan(result.plan, structure: office.structure),
            bookingsOutside: result.outside.map { WireBooking($0, zone: office.zone) }))
    }
}

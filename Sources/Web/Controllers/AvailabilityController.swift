import OfficeKit
import Agenda
import Hummingbird
import Store
import StructureConfig

/// `GET /api/v1/availability`: free slots for a partner, a life situation or a specialist.
struct AvailabilityController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("availability", use: search)
    }

    @Sendable func search(_ request: Request, context: Context) async throws -> Response {
        let structure = office.structure
        var partners: Set<String>? = nil
        if let partner = request.query("partner") {
            guard structure.partner(partner) != nil else { throw AgendaError.unknownReference("partner", what: "partner", id: String(partner.prefix(64))) }
            partners = [partner]
        }
        if let id = request.query("lifeSituation") {
            guard let situation = structure.lifeSituation(id) else {
                throw AgendaError.unknownReference("lifeSituation", what: "life situation", id: String(id.prefix(64)))
            }
            partners = (partners ?? Set(situation.partners)).intersection(situation.partners)
        }
        let specialist = request.query("specialist")
        if let specialist { _ = try await office.database.specialist(id: specialist) }
        var kinds: Set<BookingKind> = [.permanence, .visio]
        if let kind = request.query("kind") {
            guard let k = BookingKind(rawValue: kind), k != .room else {
                throw APIError.invalid("kind", french: "Type « permanence » ou « visio » attendu.", english: "Kind must be 'permanence' or 'visio'.")
            }
            kinds = [k]
        }
        let range = try DateRangeQuery(request, office: office, defaultDays: 30)
        var minutes = office.config.booking.slotMinutes
        if let text = request.query("slotMinutes") {
            guard let m = Int(text) else {
                throw APIError.invalid("slotMinutes", french: "Nombre de minutes attendu.", english: "A number of minutes is expected.")
            }
            minutes = m
        }
        let query = Availability.Query(partners: partners, specialist: specialist, from: range.from, to: range.to, slotMinutes: minutes, kinds: kinds)
        let slots = try await office.database.availability(query, structure: structure, now: office.clock())
        return try .json(WireList(items: slots.map { WireSlot($0, zone: office.zone) }))
    }
}

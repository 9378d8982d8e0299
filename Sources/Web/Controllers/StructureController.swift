import OfficeKit
import Agenda
import Hummingbird
import Store

/// `GET /api/v1/structure`: who the structure is and what it offers.
struct StructureController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("structure", use: show)
    }

    struct WirePartner: Encodable {
        let id: String
        let name: String
        let national: Bool
        let website: String
    }

    struct WireLifeSituation: Encodable {
        let id: String
        let theme: String
        let title: [String: String]
        let partners: [String]
        let websites: [String]
    }

    struct WireRoom: Encodable {
        let id: String
        let name: String
        let confidential: Bool
    }

    struct WireStructure: Encodable {
        let id: String
        let name: String
        let address: String
        let timeZone: String
        let email: String
        let phone: String
        let label: String
        let partners: [WirePartner]
        let lifeSituations: [WireLifeSituation]
        let rooms: [WireRoom]
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let s = office.structure
        return try .json(WireStructure(
            id: s.id, name: s.name, address: s.address, timeZone: s.timeZone.identifier, email: s.email, phone: s.phone,
            label: s.label.rawValue,
            partners: s.partners.map { WirePartner(id: $0.id, name: $0.name, national: $0.national, website: $0.website) },
            lifeSituations: s.lifeSituations.map {
                WireLifeSituation(id: $0.id, theme: $0.theme, title: ["fr": $0.titleFrench, "en": $0.titleEnglish], partners: $0.partners, websites: $0.websites)
            },
            rooms: s.rooms.map { WireRoom(id: $0.id, name: $0.name, confidential: $0.confidential) }))
    }
}

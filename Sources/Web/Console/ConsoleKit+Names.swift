import Agenda
import OfficeKit
import StructureConfig

/// The structure's partners, rooms and life situations by name, and as form options.
extension ConsoleKit {
    func partnerName(_ id: String?) -> String {
        guard let id, !id.isEmpty else { return "Agent France Services" }
        return office.structure.partners.first { $0.id == id }?.name ?? id
    }

    func roomName(_ id: String) -> String { office.structure.rooms.first { $0.id == id }?.name ?? id }

    func situationTitle(_ id: String?) -> String? {
        id.flatMap { id in office.structure.lifeSituations.first { $0.id == id }?.titleFrench }
    }

    var partnerOptions: [[String: Any]] {
        office.structure.partners.map { ["id": $0.id, "name": $0.name] }
    }

    var situationOptions: [[String: Any]] {
        office.structure.lifeSituations.map { ["id": $0.id, "title": $0.titleFrench] }
    }

}

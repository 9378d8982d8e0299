import Agenda
import Devices
import Foundation
import OfficeKit

/// How a self-booking reads to the usager, the same on the public page, at the station and on
/// the station's printed slip (texts from the station's strings, in the usager's language).
struct SelfBookingText {
    let kit: ConsoleKit
    let t: [String: String]
    let language: String

    var english: Bool { language == "en" }

    func title(_ situation: LifeSituation) -> String { english ? situation.titleEnglish : situation.titleFrench }

    func situation(_ id: String?) -> LifeSituation? { id.flatMap { id in kit.office.structure.lifeSituations.first { $0.id == id } } }

    func dayTitle(_ date: LocalDate) -> String { english ? date.englishLong : date.frenchLong.capitalizedFirst }

    func with(_ choice: SelfBookingChoice) -> String {
        switch choice.kind {
        case .room: t["bookWithAgent"] ?? ""
        case .permanence: "\(kit.partnerName(choice.partner)) — \(t["bookOnSite"] ?? "")"
        case .visio: "\(kit.partnerName(choice.partner)) — \(t["bookVisio"] ?? "")"
        }
    }

    func when(_ span: TimeSpan) -> String {
        "\(dayTitle(kit.zone.localDate(span.start))), \(kit.time(span.start)) – \(kit.time(span.end))"
    }

    func place(kind: BookingKind, room: String) -> String {
        kind == .visio ? (t["bookVisioPlace"] ?? "") : "\(kit.roomName(room)), \(kit.office.structure.address)"
    }

    /// What to bring: the partner's own list from the configuration, else the general line.
    func bring(partner: String?) -> String {
        guard let list = kit.office.structure.partners.first(where: { $0.id == partner })?.bring, !list.isEmpty else { return t["bookBring"] ?? "" }
        return "\(t["bookBringLabel"] ?? "") \(list.joined(separator: ", "))."
    }

    /// The station's printed slip: one page, large type, nobody's data but the usager's own.
    func slip(code: String, kind: BookingKind, partner: String?, room: String, span: TimeSpan, situation: String?) -> Data {
        let s = kit.office.structure
        var lines: [TextPDF.Line] = [
            .init(s.name, size: 14, bold: true), .init(t["bookYou"] ?? "", size: 24, bold: true),
            .init(when(span), size: 18, bold: true), .init(with(SelfBookingChoice(kind: kind, partner: partner)), size: 14),
            .init(place(kind: kind, room: room), size: 14),
        ]
        if let found = self.situation(situation) { lines.append(.init("\(t["bookAbout"] ?? "") : \(title(found))", size: 12)) }
        lines += [
            .init("\(t["bookCode"] ?? "") : \(SelfBookingCode.display(code))", size: 20, bold: true), .init(t["bookCodeHint"] ?? "", size: 12),
            .init(bring(partner: partner), size: 12), .init("\(t["bookCallUs"] ?? "") \(s.phone)", size: 12),
        ]
        return TextPDF.page(lines)
    }
}

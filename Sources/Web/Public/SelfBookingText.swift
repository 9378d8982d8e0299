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

    func dayTitle(_ date: LocalDate) -> String {
        if english { return date.englishLong }
        guard let lang = t["lang"], lang != "fr" else { return date.frenchLong.capitalizedFirst }
        return Self.longDate(date, locale: lang).capitalizedFirst
    }

    /// A day in the usager's language, from the CLDR data Foundation carries ("martes, 15 de
    /// diciembre de 2026", "вівторок, 15 грудня 2026 р.").
    static func longDate(_ date: LocalDate, locale: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: locale)
        formatter.setLocalizedDateFormatFromTemplate("EEEEdMMMMy")
        guard let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12)) else { return date.frenchLong }
        return formatter.string(from: noon)
    }

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
    /// The one-page slip in the usager's language, or in French when the PDF's standard font
    /// cannot carry that language's letters (Arabic, Ukrainian, Turkish, Romanian): a slip the
    /// counter can read beats one printed as question marks.
    func slip(code: String, kind: BookingKind, partner: String?, room: String, span: TimeSpan, situation: String?) -> Data {
        let lines = slipLines(code: code, kind: kind, partner: partner, room: room, span: span, situation: situation)
        if lines.allSatisfy({ TextPDF.canCarry($0.text) }) || t["lang"] == "fr" { return TextPDF.page(lines) }
        let french = SelfBookingText(kit: kit, t: kit.pages.texts("fr"), language: "fr")
        return TextPDF.page(french.slipLines(code: code, kind: kind, partner: partner, room: room, span: span, situation: situation))
    }

    func slipLines(code: String, kind: BookingKind, partner: String?, room: String, span: TimeSpan, situation: String?) -> [TextPDF.Line] {
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
        return lines
    }
}

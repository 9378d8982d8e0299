import Agenda
import Foundation
import GRDB

/// A row of `booking`.
struct BookingRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "booking"

    enum Columns {
        static let id = Column("id")
        static let room = Column("room")
        static let specialist = Column("specialist")
        static let station = Column("station")
        static let startsAt = Column("startsAt")
        static let endsAt = Column("endsAt")
        static let status = Column("status")
        static let permanence = Column("permanence")
        static let visioSlot = Column("visioSlot")
    }

    var id: String
    var kind: String
    var partner: String?
    var lifeSituation: String?
    var permanence: String?
    var visioSlot: String?
    var room: String
    var specialist: String?
    var station: String?
    var startsAt: Int64
    var endsAt: Int64
    var status: String
    var usagerName: String?
    var usagerPhone: String?
    var usagerEmail: String?
    var reminderConsent: Bool
    var createdAt: Int64
    var updatedAt: Int64
    var sequence: Int

    init(_ b: Booking) {
        id = b.id
        kind = b.kind.rawValue
        partner = b.partner
        lifeSituation = b.lifeSituation
        permanence = b.permanence
        visioSlot = b.visioSlot
        room = b.room
        specialist = b.specialist
        station = b.station
        startsAt = b.span.start.seconds
        endsAt = b.span.end.seconds
        status = b.status.rawValue
        usagerName = b.usager?.name
        usagerPhone = b.usager?.phone
        usagerEmail = b.usager?.email
        reminderConsent = b.usager?.reminderConsent ?? false
        createdAt = b.createdAt.seconds
        updatedAt = b.updatedAt.seconds
        sequence = b.sequence
    }

    var booking: Booking {
        Booking(
            id: id, kind: BookingKind(rawValue: kind) ?? .room, partner: partner, lifeSituation: lifeSituation,
            permanence: permanence, visioSlot: visioSlot, room: room, specialist: specialist, station: station,
            span: TimeSpan(Date(seconds: startsAt), Date(seconds: endsAt)),
            status: BookingStatus(rawValue: status) ?? .booked,
            usager: usagerName.map { Usager(name: $0, phone: usagerPhone, email: usagerEmail, reminderConsent: reminderConsent) },
            createdAt: Date(seconds: createdAt), updatedAt: Date(seconds: updatedAt), sequence: sequence)
    }
}

extension Date {
    /// Whole seconds since 1970 UTC, the store's representation of an instant.
    var seconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }

    init(seconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(seconds)) }
}

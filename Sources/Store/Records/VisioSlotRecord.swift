import Agenda
import Foundation
import GRDB

/// A row of `visioSlot`.
struct VisioSlotRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "visioSlot"

    enum Columns {
        static let specialist = Column("specialist")
        static let startsAt = Column("startsAt")
        static let endsAt = Column("endsAt")
        static let cancelled = Column("cancelled")
    }

    var id: String
    var partner: String
    var specialist: String
    var room: String
    var station: String
    var startsAt: Int64
    var endsAt: Int64
    var cancelled: Bool
    var sequence: Int

    init(_ v: VisioSlot) {
        id = v.id
        partner = v.partner
        specialist = v.specialist
        room = v.room
        station = v.station
        startsAt = v.span.start.seconds
        endsAt = v.span.end.seconds
        cancelled = v.cancelled
        sequence = v.sequence
    }

    var visioSlot: VisioSlot {
        VisioSlot(
            id: id, partner: partner, specialist: specialist, room: room, station: station,
            span: TimeSpan(Date(seconds: startsAt), Date(seconds: endsAt)), cancelled: cancelled, sequence: sequence)
    }
}

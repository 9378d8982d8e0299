import Agenda
import Foundation
import GRDB

/// A row of `closure`.
struct ClosureRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "closure"

    enum Columns {
        static let startsAt = Column("startsAt")
        static let endsAt = Column("endsAt")
    }

    var id: String
    var startsAt: Int64
    var endsAt: Int64
    var reason: String
    var announcedAt: Int64
    var emergency: Bool
    var withdrawn: Bool
    var sequence: Int

    init(_ c: Closure) {
        id = c.id
        startsAt = c.span.start.seconds
        endsAt = c.span.end.seconds
        reason = c.reason
        announcedAt = c.announcedAt.seconds
        emergency = c.emergency
        withdrawn = c.withdrawn
        sequence = c.sequence
    }

    var closure: Closure {
        Closure(
            id: id, span: TimeSpan(Date(seconds: startsAt), Date(seconds: endsAt)), reason: reason,
            announcedAt: Date(seconds: announcedAt), emergency: emergency, withdrawn: withdrawn, sequence: sequence)
    }
}

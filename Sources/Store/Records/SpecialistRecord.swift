import Agenda
import Foundation
import GRDB

/// A row of `specialist`.
struct SpecialistRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "specialist"

    enum Columns {
        static let calendarToken = Column("calendarToken")
    }

    var id: String
    var partner: String
    var displayName: String
    var calendarToken: String
    var createdAt: Int64

    var specialist: Specialist { Specialist(id: id, partner: partner, displayName: displayName, calendarToken: calendarToken) }
}

import Agenda
import Foundation
import GRDB

extension AppDatabase {
    public func specialists() async throws -> [Specialist] {
        try await writer.read { db in try SpecialistRecord.order(Column("id")).fetchAll(db).map(\.specialist) }
    }

    public func specialist(id: String) async throws -> Specialist {
        try await writer.read { db in try Self.specialist(db, id: id) }
    }

    static func specialist(_ db: Database, id: String) throws -> Specialist {
        guard let record = try SpecialistRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("specialist", id: id) }
        return record.specialist
    }

    /// The specialist whose calendar feed `token` opens, if any.
    public func specialist(calendarToken token: String) async throws -> Specialist? {
        try await writer.read { db in
            try SpecialistRecord.filter(SpecialistRecord.Columns.calendarToken == token).fetchOne(db)?.specialist
        }
    }

    /// Registers a partner's specialist with a fresh calendar token.
    public func addSpecialist(id: String? = nil, partner: String, displayName: String, structure: Structure, now: Date) async throws -> Specialist {
        guard structure.partner(partner) != nil else { throw AgendaError.unknownReference("partner", what: "partner", id: partner) }
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(name.count) else {
            throw AgendaError.invalidField("displayName", french: "Le nom affiché est requis (120 caractères au plus).", english: "The display name is required (at most 120 characters).")
        }
        let record = SpecialistRecord(id: id ?? Identifier.make("s"), partner: partner, displayName: name, calendarToken: Identifier.secret(), createdAt: now.seconds)
        return try await write(target: { $0.id }) { db in
            guard try SpecialistRecord.fetchOne(db, key: record.id) == nil else {
                throw AgendaError(code: "already_exists", kind: .conflict, french: "Cet identifiant existe déjà.", english: "This id already exists.", details: ["id": record.id])
            }
            try record.insert(db)
            return record.specialist
        }
    }
}

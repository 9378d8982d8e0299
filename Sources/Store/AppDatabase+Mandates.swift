import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Registers a mandate signed on site after the usager's identity was checked.
    public func signMandate(
        usagerName: String, identityDocument: String, categories: [MandateCategory], duration: MandateDuration, parties: Int,
        agent: String, zone: StructureTimeZone, now: Date
    ) async throws -> Mandate {
        let name = usagerName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(name.count) else {
            throw AgendaError.invalidField("usagerName", french: "Le nom du mandant est requis.", english: "The usager's name is required.")
        }
        let document = identityDocument.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(document.count) else {
            throw AgendaError.invalidField(
                "identityDocument", french: "Indiquez la pièce d’identité vérifiée.", english: "State the identity document checked.")
        }
        guard !categories.isEmpty else {
            throw AgendaError.invalidField("categories", french: "Choisissez au moins une catégorie de démarches.", english: "Pick at least one category.")
        }
        guard (2...6).contains(parties) else {
            throw AgendaError.invalidField("parties", french: "De 2 à 6 parties signataires.", english: "From 2 to 6 signing parties.")
        }
        let id = Identifier.make("m")
        let expires = duration.expiry(signedAt: now, zone: zone)
        return try await write(target: { $0.id }) { db in
            try db.execute(
                sql: """
                    INSERT INTO mandate (id, usagerName, identityDocument, agentId, signedAt, duration, expiresAt, parties)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, name, document, agent, now.seconds, duration.rawValue, expires.seconds, parties])
            for category in Set(categories).sorted(by: { $0.rawValue < $1.rawValue }) {
                try db.execute(sql: "INSERT INTO mandateScope (mandateId, category) VALUES (?, ?)", arguments: [id, category.rawValue])
            }
            try Self.journal(db, id, .signed, category: nil, actor: agent, now: now)
            return try Self.mandate(db, id: id)
        }
    }

    /// Withdraws one category, or the whole mandate when `category` is nil. Allowed at any time.
    public func withdrawMandate(id: String, category: MandateCategory?, actor: String, now: Date) async throws -> Mandate {
        try await write { db in
            let mandate = try Self.mandate(db, id: id)
            guard mandate.withdrawnAt == nil else { return mandate }
            if let category {
                guard mandate.scopes.contains(where: { $0.category == category && $0.withdrawnAt == nil }) else {
                    throw AgendaError.invalidField(
                        "category", french: "Cette catégorie n’est pas (ou plus) confiée.", english: "This category is not (or no longer) entrusted.")
                }
                try db.execute(
                    sql: "UPDATE mandateScope SET withdrawnAt = ? WHERE mandateId = ? AND category = ?",
                    arguments: [now.seconds, id, category.rawValue])
                try Self.journal(db, id, .categoryWithdrawn, category: category, actor: actor, now: now)
                if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mandateScope WHERE mandateId = ? AND withdrawnAt IS NULL", arguments: [id]) == 0 {
                    try db.execute(sql: "UPDATE mandate SET withdrawnAt = ? WHERE id = ?", arguments: [now.seconds, id])
                    try Self.journal(db, id, .withdrawn, category: nil, actor: actor, now: now)
                }
            } else {
                try db.execute(sql: "UPDATE mandateScope SET withdrawnAt = ? WHERE mandateId = ? AND withdrawnAt IS NULL", arguments: [now.seconds, id])
                try db.execute(sql: "UPDATE mandate SET withdrawnAt = ? WHERE id = ?", arguments: [now.seconds, id])
                try Self.journal(db, id, .withdrawn, category: nil, actor: actor, now: now)
            }
            return try Self.mandate(db, id: id)
        }
    }

    public func recordMandatePrinted(id: String, actor: String, now: Date) async throws {
        try await writer.write { db in
            _ = try Self.mandate(db, id: id)
            try Self.journal(db, id, .printed, category: nil, actor: actor, now: now)
        }
    }

    public func mandate(id: String) async throws -> Mandate {
        try await writer.read { db in try Self.mandate(db, id: id) }
    }

    public func mandates() async throws -> [Mandate] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM mandate ORDER BY signedAt DESC").map { try Self.mandate(db, id: $0) }
        }
    }

    public func mandateJournal(id: String) async throws -> [MandateEvent] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mandateEvent WHERE mandateId = ? ORDER BY id", arguments: [id]).map(Self.mandateEvent)
        }
    }

    /// The journal's lines after line `after` (every mandate's, in order), at most `limit`:
    /// what a structure in a network hands over.
    public func mandateJournal(after: Int64, limit: Int) async throws -> [(line: Int64, event: MandateEvent)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mandateEvent WHERE id > ? ORDER BY id LIMIT ?", arguments: [after, limit]).map {
                (line: $0["id"], event: Self.mandateEvent($0))
            }
        }
    }

    private static func mandateEvent(_ row: Row) -> MandateEvent {
        MandateEvent(
            mandate: row["mandateId"], at: Date(seconds: row["at"]), kind: MandateEventKind(rawValue: row["kind"]) ?? .signed,
            category: (row["category"] as String?).flatMap(MandateCategory.init(rawValue:)), actor: row["actor"])
    }

    static func journal(_ db: Database, _ id: String, _ kind: MandateEventKind, category: MandateCategory?, actor: String, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO mandateEvent (mandateId, at, kind, category, actor) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, now.seconds, kind.rawValue, category?.rawValue, actor])
    }

    static func mandate(_ db: Database, id: String) throws -> Mandate {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM mandate WHERE id = ?", arguments: [id]) else {
            throw AgendaError.notFound("mandate", id: id)
        }
        let scopes = try Row.fetchAll(db, sql: "SELECT * FROM mandateScope WHERE mandateId = ? ORDER BY category", arguments: [id]).compactMap {
            row -> Mandate.Scope? in
            guard let category = MandateCategory(rawValue: row["category"]) else { return nil }
            return Mandate.Scope(category: category, withdrawnAt: (row["withdrawnAt"] as Int64?).map(Date.init(seconds:)))
        }
        return Mandate(
            id: id, usagerName: row["usagerName"], identityDocument: row["identityDocument"], agent: row["agentId"],
            signedAt: Date(seconds: row["signedAt"]), duration: MandateDuration(rawValue: row["duration"]) ?? .oneDay,
            expiresAt: Date(seconds: row["expiresAt"]), parties: row["parties"], withdrawnAt: (row["withdrawnAt"] as Int64?).map(Date.init(seconds:)),
            purgedAt: (row["purgedAt"] as Int64?).map(Date.init(seconds:)), scopes: scopes)
    }
}

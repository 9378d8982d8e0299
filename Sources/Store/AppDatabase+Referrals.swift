import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Sends a case to a partner referent; the answer is due 72 working hours later.
    public func sendReferral(
        partner: String, referent: String, subject: String, usagerName: String?, agent: String, structure: Structure, now: Date
    ) async throws -> Referral {
        guard structure.partners.contains(where: { $0.id == partner }) else { throw AgendaError.unknownReference("partner", what: "partner", id: partner) }
        let subject = subject.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(subject.count) else {
            throw AgendaError.invalidField("subject", french: "L’objet est requis (500 caractères au plus).", english: "The subject is required (at most 500 characters).")
        }
        let name = usagerName?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (name?.count ?? 0) <= 120 else {
            throw AgendaError.invalidField("usagerName", french: "Nom trop long (120 caractères au plus).", english: "Name too long (at most 120 characters).")
        }
        let deadline = WorkingTime.deadline(after: now, hours: Referral.answerHours, zone: structure.timeZone)
        let referral = Referral(
            id: Identifier.make("r"), partner: partner, referent: referent, agent: agent, subject: subject,
            usagerName: name?.isEmpty == false ? name : nil, sentAt: now, deadline: deadline)
        let id = referral.id
        try await write(target: { _ in id }) { db in
            try db.execute(
                sql: """
                    INSERT INTO referral (id, partner, referent, agentId, subject, usagerName, sentAt, deadlineAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    referral.id, partner, referent, agent, subject, referral.usagerName, now.seconds, deadline.seconds,
                ])
        }
        return referral
    }

    /// Records the referent's answer so the agent can come back to the usager.
    public func answerReferral(id: String, answer: String, now: Date) async throws -> Referral {
        let answer = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(answer.count) else {
            throw AgendaError.invalidField("answer", french: "La réponse est requise (2000 caractères au plus).", english: "The answer is required (at most 2000 characters).")
        }
        return try await write { db in
            let referral = try Self.referral(db, id: id)
            guard referral.closedAt == nil, referral.answeredAt == nil else {
                throw AgendaError(
                    code: "referral_not_open", kind: .conflict, french: "Cette orientation a déjà une réponse ou est clôturée.",
                    english: "This referral is already answered or closed.")
            }
            try db.execute(sql: "UPDATE referral SET answeredAt = ?, answer = ? WHERE id = ?", arguments: [now.seconds, answer, id])
            return try Self.referral(db, id: id)
        }
    }

    public func closeReferral(id: String, now: Date) async throws -> Referral {
        try await write { db in
            let referral = try Self.referral(db, id: id)
            guard referral.closedAt == nil else { return referral }
            try db.execute(sql: "UPDATE referral SET closedAt = ? WHERE id = ?", arguments: [now.seconds, id])
            return try Self.referral(db, id: id)
        }
    }

    /// Referrals not closed, by deadline; and the closed ones sent since `closedSince`.
    public func referrals(openOrSentSince since: Date) async throws -> [Referral] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM referral WHERE closedAt IS NULL OR sentAt >= ? ORDER BY deadlineAt", arguments: [since.seconds]
            ).map(Self.referral)
        }
    }

    public func referrals(sentIn span: TimeSpan) async throws -> [Referral] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM referral WHERE sentAt >= ? AND sentAt < ? ORDER BY sentAt",
                arguments: [span.start.seconds, span.end.seconds]
            ).map(Self.referral)
        }
    }

    public func referral(id: String) async throws -> Referral {
        try await writer.read { db in try Self.referral(db, id: id) }
    }

    static func referral(_ db: Database, id: String) throws -> Referral {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM referral WHERE id = ?", arguments: [id]) else {
            throw AgendaError.notFound("referral", id: id)
        }
        return referral(row)
    }

    static func referral(_ row: Row) -> Referral {
        Referral(
            id: row["id"], partner: row["partner"], referent: row["referent"], agent: row["agentId"], subject: row["subject"] ?? "",
            usagerName: row["usagerName"], sentAt: Date(seconds: row["sentAt"]), deadline: Date(seconds: row["deadlineAt"]),
            answeredAt: (row["answeredAt"] as Int64?).map(Date.init(seconds:)), answer: row["answer"],
            closedAt: (row["closedAt"] as Int64?).map(Date.init(seconds:)))
    }
}

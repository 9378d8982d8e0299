import Agenda
import Foundation
import GRDB

/// What an agent records about one visit.
public struct ContactInput: Sendable {
    public var partners: [String]
    public var lifeSituation: String?
    public var reason: String
    public var channel: ContactChannel
    public var accompanied: Bool
    public var outcome: ContactOutcome
    public var note: String?
    /// General information, for no partner in particular (opening hours, where to go, a form
    /// to find): recorded with no partner and counted on its own line.
    public var generalInformation: Bool

    public init(
        partners: [String], lifeSituation: String?, reason: String, channel: ContactChannel, accompanied: Bool,
        outcome: ContactOutcome, note: String?, generalInformation: Bool = false
    ) {
        self.partners = partners
        self.generalInformation = generalInformation
        self.lifeSituation = lifeSituation
        self.reason = reason
        self.channel = channel
        self.accompanied = accompanied
        self.outcome = outcome
        self.note = note
    }
}

extension AppDatabase {
    public func recordContact(_ input: ContactInput, agent: String, structure: Structure, now: Date) async throws -> Contact {
        let known = Set(structure.partners.map(\.id))
        let partners = Array(Set(input.partners)).sorted()
        guard !partners.isEmpty || input.generalInformation else {
            throw AgendaError.invalidField(
                "partners", french: "Choisissez au moins un partenaire, ou « Information générale ».", english: "Pick at least one partner, or general information.")
        }
        guard partners.isEmpty || !input.generalInformation else {
            throw AgendaError.invalidField(
                "partners", french: "Une information générale ne concerne aucun partenaire : décochez les partenaires ou l’information générale.",
                english: "General information concerns no partner: untick the partners or general information.")
        }
        if let unknown = partners.first(where: { !known.contains($0) }) { throw AgendaError.unknownReference("partners", what: "partner", id: unknown) }
        if let situation = input.lifeSituation, !structure.lifeSituations.contains(where: { $0.id == situation }) {
            throw AgendaError.unknownReference("lifeSituation", what: "life situation", id: situation)
        }
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(reason.count) else {
            throw AgendaError.invalidField("reason", french: "Le motif est requis (200 caractères au plus).", english: "The reason is required (at most 200 characters).")
        }
        let note = input.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (note?.count ?? 0) <= 1000 else {
            throw AgendaError.invalidField("note", french: "La note dépasse 1000 caractères.", english: "The note exceeds 1000 characters.")
        }
        let contact = Contact(
            id: Identifier.make("v"), at: now, agent: agent, partners: partners, lifeSituation: input.lifeSituation,
            reason: reason, channel: input.channel, accompanied: input.accompanied, outcome: input.outcome,
            note: note?.isEmpty == false ? note : nil)
        let id = contact.id
        try await write(target: { _ in id }) { db in
            try db.execute(
                sql: """
                    INSERT INTO contact (id, at, agentId, partners, lifeSituation, reason, channel, accompanied, outcome, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    contact.id, now.seconds, agent, Self.jsonArray(partners), contact.lifeSituation, reason,
                    contact.channel.rawValue, contact.accompanied, contact.outcome.rawValue, contact.note,
                ])
        }
        return contact
    }

    public func contacts(in span: TimeSpan) async throws -> [Contact] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM contact WHERE at >= ? AND at < ? ORDER BY at", arguments: [span.start.seconds, span.end.seconds]
            ).map(Self.contact)
        }
    }

    static func contact(_ row: Row) -> Contact {
        Contact(
            id: row["id"], at: Date(seconds: row["at"]), agent: row["agentId"], partners: parseArray(row["partners"]),
            lifeSituation: row["lifeSituation"], reason: row["reason"], channel: ContactChannel(rawValue: row["channel"]) ?? .walkIn,
            accompanied: row["accompanied"], outcome: ContactOutcome(rawValue: row["outcome"]) ?? .resolved, note: row["note"])
    }

    static func jsonArray(_ values: [String]) -> String {
        // An array of strings always encodes; "[]" keeps the column valid JSON regardless.
        (try? JSONEncoder().encode(values)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// Reads a JSON array of ids. Ids are slugs, so the common case is split by hand: a
    /// report reads tens of thousands of these and JSONDecoder made reading 6× slower.
    static func parseArray(_ text: String) -> [String] {
        let utf8 = text.utf8
        guard utf8.first == UInt8(ascii: "["), utf8.last == UInt8(ascii: "]"), !utf8.contains(UInt8(ascii: "\\")) else {
            return (try? JSONDecoder().decode([String].self, from: Data(utf8))) ?? []
        }
        return text.dropFirst().dropLast().split(separator: ",").map { item in
            String(item.trimmingCharacters(in: .whitespaces).dropFirst().dropLast())
        }
    }
}

import Agenda
import Foundation
import Store

/// A free slot as one form or link value (`kind|permanence|visioSlot|room|start|end`), the
/// same for the console's radio buttons, the public page's and the station's big buttons.
public struct SlotChoice: Sendable, Hashable {
    public var kind: BookingKind
    public var permanence: String?
    public var visioSlot: String?
    public var room: String?
    public var span: TimeSpan

    public var value: String {
        [kind.rawValue, permanence ?? "", visioSlot ?? "", room ?? "", String(span.start.timeIntervalSince1970), String(span.end.timeIntervalSince1970)]
            .joined(separator: "|")
    }

    public init(_ slot: FreeSlot) {
        kind = slot.kind
        permanence = slot.permanence
        visioSlot = slot.visioSlot
        room = slot.kind == .room ? slot.room : nil
        span = slot.span
    }

    public init?(_ value: String) {
        let parts = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, let kind = BookingKind(rawValue: parts[0]), let start = Double(parts[4]), let end = Double(parts[5]),
            start.isFinite, end.isFinite
        else { return nil }
        self.kind = kind
        permanence = parts[1].isEmpty ? nil : parts[1]
        visioSlot = parts[2].isEmpty ? nil : parts[2]
        room = parts[3].isEmpty ? nil : parts[3]
        span = TimeSpan(Date(timeIntervalSince1970: start), Date(timeIntervalSince1970: end))
    }

    /// The booking it asks for (the agenda checks it all again inside the write).
    public func request(lifeSituation: String?, usager: Usager) -> BookingRequest {
        BookingRequest(kind: kind, permanence: permanence, visioSlot: visioSlot, room: room, lifeSituation: lifeSituation, span: span, usager: usager)
    }
}

/// With whom a usager books: an agent (the structure's desk), or a partner on site or by visio.
public struct SelfBookingChoice: Sendable, Hashable {
    public var kind: BookingKind
    public var partner: String?

    public var value: String { kind == .room ? "agent" : "\(kind.rawValue):\(partner ?? "")" }

    public init(kind: BookingKind, partner: String?) {
        self.kind = kind
        self.partner = kind == .room ? nil : partner
    }

    public init?(_ value: String) {
        if value == "agent" {
            self.init(kind: .room, partner: nil)
            return
        }
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = BookingKind(rawValue: parts[0]), kind != .room else { return nil }
        self.init(kind: kind, partner: parts[1])
    }
}

/// What a self-booking offers at each step, from the manager's policy and the agenda: the
/// public page and the stations (on the server, or asking it over the device API) share it.
public struct SelfBookingFlow: Sendable {
    let database: AppDatabase
    let structure: Structure
    let slotMinutes: Int

    public init(database: AppDatabase, structure: Structure, slotMinutes: Int) {
        self.database = database
        self.structure = structure
        self.slotMinutes = slotMinutes
    }

    public func policy() async throws -> SelfBookingPolicy { try await database.selfBookingPolicy() }

    /// The life situations a usager may book for, in the configuration's order.
    public func situations(policy: SelfBookingPolicy) -> [LifeSituation] {
        structure.lifeSituations.filter { $0.partners.contains(where: policy.partners.contains) }
    }

    /// The slots a usager may take for `choice` from today to the policy's horizon, one per
    /// start time (which advisor is the agenda's business, not the usager's).
    public func slots(_ choice: SelfBookingChoice, policy: SelfBookingPolicy, now: Date) async throws -> [FreeSlot] {
        let zone = structure.timeZone
        let today = zone.localDate(now)
        var query = Availability.Query(from: today, to: policy.lastDay(today: today), slotMinutes: slotMinutes, kinds: [choice.kind])
        if choice.kind == .room {
            query.room = structure.rooms.first { !$0.confidential }?.id ?? structure.rooms.first?.id
        } else {
            query.partners = [choice.partner ?? ""]
        }
        var seen = Set<Date>()
        return try await database.availability(query, structure: structure, now: now)
            .filter { policy.allows($0, zone: zone, now: now) && seen.insert($0.span.start).inserted }
    }

    /// What a usager with this situation may choose, each with at least one free slot.
    public func choices(for situation: LifeSituation?, policy: SelfBookingPolicy, now: Date) async throws -> [SelfBookingChoice] {
        var candidates: [SelfBookingChoice] = []
        for partner in situation?.partners ?? [] where policy.partners.contains(partner) {
            for kind in [BookingKind.permanence, .visio] where policy.kinds.contains(kind) { candidates.append(SelfBookingChoice(kind: kind, partner: partner)) }
        }
        if policy.kinds.contains(.room) { candidates.append(SelfBookingChoice(kind: .room, partner: nil)) }
        var offered: [SelfBookingChoice] = []
        for candidate in candidates where !(try await slots(candidate, policy: policy, now: now)).isEmpty { offered.append(candidate) }
        return offered
    }

    /// One day's slots: the first day from `asked` (today when nil) that has any, with the
    /// days before and after that have some.
    public struct Day: Sendable {
        public var date: LocalDate?
        public var slots: [FreeSlot]
        public var previous: LocalDate?
        public var next: LocalDate?
        public var none: Bool
    }

    public func day(_ choice: SelfBookingChoice, asked: LocalDate?, policy: SelfBookingPolicy, now: Date) async throws -> Day {
        let zone = structure.timeZone
        let found = try await slots(choice, policy: policy, now: now)
        let days = Array(Set(found.map { zone.localDate($0.span.start) })).sorted()
        let shown = days.first { $0 >= (asked ?? zone.localDate(now)) } ?? days.last
        return Day(
            date: shown, slots: shown.map { day in found.filter { zone.localDate($0.span.start) == day } } ?? [],
            previous: shown.flatMap { s in days.last { $0 < s } }, next: shown.flatMap { s in days.first { $0 > s } }, none: found.isEmpty)
    }
}

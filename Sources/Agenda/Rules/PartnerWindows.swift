import Foundation

/// A partner's permanence or visio slot holds its room for its whole window: the room is
/// bookable then only through that window (by the partner's own appointments), never as an
/// agent's room booking, or the partner's usager would be turned away.
public enum PartnerWindows {
    /// A window holding a room at some time.
    public struct Hold: Sendable, Equatable {
        public let kind: String  // "permanence" or "visio-slot"
        public let id: String
        public let partner: String
        public let span: TimeSpan
    }

    /// The partner windows holding `room` on the local days `from...to`.
    public static func holds(
        room: String, from: LocalDate, to: LocalDate, permanences: [Permanence], visioSlots: [VisioSlot], zone: StructureTimeZone
    ) -> [Hold] {
        let range = TimeSpan(zone.day(from).start, zone.day(to).end)
        var holds: [Hold] = []
        for p in permanences where p.room == room {
            holds += p.occurrences(from: from, to: to, zone: zone).map { Hold(kind: "permanence", id: p.id, partner: p.partner, span: $0) }
        }
        for v in visioSlots where v.room == room && !v.cancelled && v.span.overlaps(range) {
            holds.append(Hold(kind: "visio-slot", id: v.id, partner: v.partner, span: v.span))
        }
        return holds
    }

    /// Throws the refusal naming the first window that holds `room` during `span`.
    public static func checkFree(
        room: String, span: TimeSpan, permanences: [Permanence], visioSlots: [VisioSlot], zone: StructureTimeZone
    ) throws(AgendaError) {
        let first = zone.localDate(span.start), last = zone.localDate(span.end)
        if let hold = holds(room: room, from: first, to: last, permanences: permanences, visioSlots: visioSlots, zone: zone)
            .first(where: { $0.span.overlaps(span) })
        {
            throw AgendaError.heldByPartnerWindow(kind: hold.kind == "permanence" ? "permanence" : "visio", id: hold.id, partner: hold.partner)
        }
    }
}

import Foundation

/// A free appointment slot, offered to an agent or a usager.
public struct FreeSlot: Sendable, Hashable {
    public var kind: BookingKind
    public var partner: String
    public var specialist: String
    public var room: String
    public var station: String?
    public var permanence: String?
    public var visioSlot: String?
    public var span: TimeSpan
}

/// The time already taken, per resource (a room, a station, a specialist).
public struct BusyTimes: Sendable {
    private var spans: [String: [TimeSpan]] = [:]

    /// `elsewhere`: when shared specialists are booked by the network's other structures.
    public init(bookings: [Booking], specialistsElsewhere elsewhere: [String: [TimeSpan]] = [:]) {
        for (specialist, busy) in elsewhere { spans["specialist:\(specialist)", default: []] += busy }
        for booking in bookings where booking.holdsResources {
            spans["room:\(booking.room)", default: []].append(booking.span)
            if let s = booking.specialist { spans["specialist:\(s)", default: []].append(booking.span) }
            if let s = booking.station { spans["station:\(s)", default: []].append(booking.span) }
        }
    }

    func busy(room: String, specialist: String, station: String?) -> [TimeSpan] {
        var result = spans["room:\(room)", default: []] + spans["specialist:\(specialist)", default: []]
        if let station { result += spans["station:\(station)", default: []] }
        return result
    }
}

/// Free slots of a given length inside permanences and visio slots, clipped to opening
/// hours, clear of closures and of every booking that holds the same room, station or specialist.
public enum Availability {
    public struct Query: Sendable {
        /// Partners whose slots are wanted (a partner, or the partners of a life situation); nil for all.
        public var partners: Set<String>?
        public var specialist: String?
        public var from: LocalDate
        public var to: LocalDate
        public var slotMinutes: Int
        public var kinds: Set<BookingKind>
        /// The room for `.room` slots (an appointment with an agent).
        public var room: String?

        public init(partners: Set<String>? = nil, specialist: String? = nil, from: LocalDate, to: LocalDate, slotMinutes: Int, kinds: Set<BookingKind> = [.permanence, .visio]) {
            self.partners = partners
            self.specialist = specialist
            self.from = from
            self.to = to
            self.slotMinutes = slotMinutes
            self.kinds = kinds
        }

        /// The longest range one query may span, so a request cannot ask for years of slots.
        public static let maximumDays = 92

        public func validate() throws(AgendaError) {
            guard from <= to else { throw AgendaError.endBeforeStart }
            guard from.days(until: to) < Query.maximumDays else {
                throw AgendaError.invalidField("to", french: "La période demandée dépasse 92 jours.", english: "The requested range exceeds 92 days.")
            }
            guard (5...240).contains(slotMinutes) else {
                throw AgendaError.invalidField("slotMinutes", french: "La durée d'un créneau va de 5 à 240 minutes.", english: "A slot lasts from 5 to 240 minutes.")
            }
        }
    }

    public static func freeSlots(
        _ query: Query, permanences: [Permanence], visioSlots: [VisioSlot], busy: BusyTimes, closures: [Closure],
        opening: OpeningCalendar, zone: StructureTimeZone, now: Date
    ) -> [FreeSlot] {
        let closed = closures.filter { !$0.withdrawn }.map(\.span)
        func wanted(_ partner: String, _ specialist: String) -> Bool {
            (query.partners?.contains(partner) ?? true) && (query.specialist.map { $0 == specialist } ?? true)
        }
        var slots: [FreeSlot] = []
        let length = TimeInterval(query.slotMinutes * 60)

        func cut(_ window: TimeSpan, busy taken: [TimeSpan], make: (TimeSpan) -> FreeSlot) {
            let date = zone.localDate(window.start)
            let open = opening.ranges(on: date).compactMap { zone.span(date, $0).intersection(window) }
            let free = open.flatMap { $0.subtracting(closed + taken) }
            var start = window.start
            while start.addingTimeInterval(length) <= window.end {
                let slot = TimeSpan(start, start.addingTimeInterval(length))
                if slot.start >= now, free.contains(where: { $0.contains(slot) }) { slots.append(make(slot)) }
                start = slot.end
            }
        }

        if query.kinds.contains(.permanence) {
            for p in permanences where wanted(p.partner, p.specialist) {
                let taken = busy.busy(room: p.room, specialist: p.specialist, station: nil)
                for window in p.occurrences(from: query.from, to: query.to, zone: zone) {
                    cut(window, busy: taken) {
                        FreeSlot(kind: .permanence, partner: p.partner, specialist: p.specialist, room: p.room, station: nil, permanence: p.id, visioSlot: nil, span: $0)
                    }
                }
            }
        }
        if query.kinds.contains(.room), let room = query.room {
            // An appointment with an agent of the structure: any open time of the room that no
            // partner's permanence or visio slot holds.
            let held = PartnerWindows.holds(room: room, from: query.from, to: query.to, permanences: permanences, visioSlots: visioSlots, zone: zone)
            let taken = busy.busy(room: room, specialist: "", station: nil) + held.map(\.span)
            var date = query.from
            while date <= query.to {
                for range in opening.ranges(on: date) {
                    cut(zone.span(date, range), busy: taken) {
                        FreeSlot(kind: .room, partner: "", specialist: "", room: room, station: nil, permanence: nil, visioSlot: nil, span: $0)
                    }
                }
                date = date.adding(days: 1)
            }
        }
        if query.kinds.contains(.visio) {
            let range = TimeSpan(zone.day(query.from).start, zone.day(query.to).end)
            for v in visioSlots where !v.cancelled && wanted(v.partner, v.specialist) && v.span.overlaps(range) {
                let taken = busy.busy(room: v.room, specialist: v.specialist, station: v.station)
                cut(v.span, busy: taken) {
                    FreeSlot(kind: .visio, partner: v.partner, specialist: v.specialist, room: v.room, station: v.station, permanence: nil, visioSlot: v.id, span: $0)
                }
            }
        }
        return slots.sorted { ($0.span.start, $0.partner, $0.specialist) < ($1.span.start, $1.partner, $1.specialist) }
    }
}

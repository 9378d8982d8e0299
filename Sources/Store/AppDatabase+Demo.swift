import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Seeds a database that has no specialists yet with the configuration's demo data:
    /// specialists, permanences from today, and visio slots over the coming weeks.
    /// Returns whether anything was seeded.
    @discardableResult
    public func seedDemoIfEmpty(specialists: [(id: String, partner: String, displayName: String)],
                                permanences: [(specialist: String, room: String, recurrence: Recurrence, hours: LocalTimeRange)],
                                visioSlots: [(specialist: String, weekday: Weekday, hours: LocalTimeRange, weeks: Int)],
                                structure: Structure, now: Date) async throws -> Bool {
        let empty = try await writer.read { db in try SpecialistRecord.fetchCount(db) == 0 }
        guard empty, !specialists.isEmpty else { return false }
        let zone = structure.timeZone
        let today = zone.localDate(now)
        for s in specialists {
            _ = try await addSpecialist(id: s.id, partner: s.partner, displayName: s.displayName, structure: structure, now: now)
        }
        for p in permanences {
            _ = try await addPermanence(specialist: p.specialist, room: p.room, recurrence: p.recurrence, hours: p.hours, firstDate: today, lastDate: nil, structure: structure, now: now)
        }
        for v in visioSlots {
            let ahead = (v.weekday.rawValue - today.weekday.rawValue + 7) % 7
            let first = today.adding(days: ahead == 0 ? 7 : ahead)
            for week in 0..<v.weeks {
                let day = first.adding(days: week * 7)
                let span = zone.span(day, v.hours)
                // A demo slot that lands on a closure or a busy room is simply skipped.
                _ = try? await addVisioSlot(specialist: v.specialist, span: span, structure: structure, now: now)
            }
        }
        // Usagers may book the demo's partners themselves, four weeks ahead, a day's notice.
        let partners = Set(specialists.map(\.partner))
        try await saveSelfBookingPolicy(
            SelfBookingPolicy(enabled: true, partners: partners, kinds: [.permanence, .visio], horizonDays: 28, minimumNoticeHours: 24),
            structure: structure, now: now)
        return true
    }
}
